/**
 * Reads a pipeline file: YAML with source positions kept. Rejects what a pipeline file has no
 * business containing: duplicate keys (the second silently wins in most parsers), alias bombs
 * (exponential expansion), and tags other than YAML's plain core types (`!!python/object`, `!foo`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { yaml } from '../yaml.js';
import { fileDiagnostic, PipelineError, type Diagnostic, type Position } from '../errors.js';
import { reservedNameMessage } from './schema.js';
import { firstTooDeep } from './nesting.js';
import { decodeUtf8 } from './text-encoding.js';
import { readParsedValue, writeParsedValue } from './parsed-cache.js';
import { positionInText, rangeOf, type PipelineSource } from './source.js';

const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));
/** Far above what a hand-written pipeline needs, far below what an expansion attack needs. */
export const MAX_ALIAS_COUNT = 100;
/** Pipelines nest about 6 levels (steps, a step, with:, a value); the YAML parser overflows at about 1,000. */
export const MAX_NESTING_DEPTH = 64;

/**
 * What parsePipelineSource makes of a text besides the YAML library: a cached parse (parsed-cache.ts)
 * stands for one made under these rules. The limits enter as they are; raise the version when a
 * check of parsePipelineSource changes (a tag, a key or a value accepted or refused, the options).
 */
const PARSE_RULES = `load/1 nesting ${MAX_NESTING_DEPTH} aliases ${MAX_ALIAS_COUNT}`;

/**
 * Reads `file` (relative to `cwd`); diagnostics name it as given. With `storeDir`, an unchanged
 * text's value comes from that store's parsed-file cache (parsed-cache.ts), and the YAML is
 * parsed only if a diagnostic needs a position.
 */
export function readPipelineSource(file: string, cwd = process.cwd(), storeDir?: string): PipelineSource {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(resolve(cwd, file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a pipeline file' : `cannot be read (${code ?? String(e)})`;
    throw new PipelineError([fileDiagnostic(file, why)]);
  }
  const decoded = decodeUtf8(bytes);
  if ('problem' in decoded) {
    const hint = 'save the file as UTF-8';
    if (decoded.offset === undefined) throw new PipelineError([fileDiagnostic(file, decoded.problem, hint)]);
    const at = bytePosition(bytes, decoded.offset);
    throw new PipelineError([
      { severity: 'error', file, range: { start: at, end: { ...at, column: at.column + 1 } }, message: decoded.problem, hint, related: [] },
    ]);
  }
  if (!storeDir) return parsePipelineSource(file, decoded.text);
  const cached = readParsedValue(storeDir, PARSE_RULES, decoded.text);
  if (cached) return sourceParsedOnDemand(file, decoded.text, cached.value);
  const source = parsePipelineSource(file, decoded.text);
  writeParsedValue(storeDir, PARSE_RULES, decoded.text, source.value);
  return source;
}

/**
 * A source whose value is known (from the parsed-file cache): its document is parsed on first
 * use. The text parsed without a problem when its value was cached, so this parse finds none.
 */
function sourceParsedOnDemand(file: string, text: string, value: unknown): PipelineSource {
  let parsed: PipelineSource | undefined;
  const parse = (): PipelineSource => {
    parsed ??= parsePipelineSource(file, text);
    return parsed;
  };
  return {
    file,
    text,
    value,
    get doc() {
      return parse().doc;
    },
    get lines() {
      return parse().lines;
    },
  };
}

/** The 1-based line and column (in characters, as for every other diagnostic) of a byte offset; the bytes before it are valid UTF-8. */
function bytePosition(bytes: Uint8Array, offset: number): Position {
  const lineStart = bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++;
  return { line, column: new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1 };
}

/** Parses YAML text; throws PipelineError with every syntax problem found. */
export function parsePipelineSource(file: string, text: string): PipelineSource {
  checkNesting(file, text);
  const { LineCounter, parseDocument, visit, isAlias, isNode, isScalar } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  // The value is filled in once the document is known to be sound (below).
  const source = { file, text, doc, lines, value: undefined as unknown };
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number, message: string, hint?: string, end = offset + 1): void => {
    diagnostics.push({ severity: 'error', file, range: rangeOf(source, offset, Math.min(end, text.length)), message, ...(hint ? { hint } : {}), related: [] });
  };

  for (const err of doc.errors) {
    const message = err.code === 'DUPLICATE_KEY' ? 'duplicate key: this key is already defined above in the same mapping' : firstLine(err.message);
    at(err.pos[0], message, err.code === 'DUPLICATE_KEY' ? 'remove or rename one of them' : undefined, err.pos[1]);
  }
  for (const warn of doc.warnings) {
    if (warn.code === 'TAG_RESOLVE_FAILED') continue; // reported below with the other tags
    at(warn.pos[0], firstLine(warn.message), undefined, warn.pos[1]);
  }

  let firstAlias: readonly number[] | undefined;
  visit(doc, {
    Pair(_key, pair) {
      // As a plain-object key, `__proto__` would set the prototype instead of holding a value.
      if (isScalar(pair.key) && pair.key.value === '__proto__')
        at(pair.key.range?.[0] ?? 0, reservedNameMessage('__proto__'), 'rename this key', pair.key.range?.[1]);
    },
    Node(_key, node) {
      if (isAlias(node)) firstAlias ??= node.range ?? undefined;
      if (isNode(node) && node.tag && !PLAIN_TAGS.has(node.tag)) {
        // The node's range starts at its value; the tag sits just before it on the same line.
        let tagStart = text.lastIndexOf('!', node.range?.[0] ?? 0);
        while (tagStart > 0 && text[tagStart - 1] === '!') tagStart--;
        const start = tagStart >= 0 ? tagStart : (node.range?.[0] ?? 0);
        at(start, `tag ${node.tag} is not allowed: pipeline files use plain YAML values only`, 'remove the tag', node.range?.[1]);
      }
    },
  });

  if (diagnostics.length === 0) {
    try {
      source.value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      if (firstAlias === undefined) throw e;
      // yaml counts every expanded alias: nested anchors that expand exponentially exceed the limit.
      at(
        firstAlias[0],
        `aliases expand to too many nodes (limit ${MAX_ALIAS_COUNT}): this looks like an alias expansion attack`,
        'write the values out instead of nesting aliases',
        firstAlias[1],
      );
    }
  }
  if (diagnostics.length === 0 && doc.contents === null) {
    at(0, 'the file is empty', 'a pipeline needs at least `medpipe: 1`, `name:` and `steps:`', 0);
  }
  if (diagnostics.length) throw new PipelineError(diagnostics);
  return source;
}

/**
 * Deep nesting is refused before parsing: the parser, and every walk of the value after it,
 * would overflow the stack (an internal error instead of a message at the place).
 */
function checkNesting(file: string, text: string): void {
  const offset = firstTooDeep(text, MAX_NESTING_DEPTH);
  if (offset === undefined) return;
  const start = positionInText(text, offset);
  const range = { start, end: { ...start, column: start.column + 1 } };
  throw new PipelineError([
    {
      severity: 'error',
      file,
      range,
      message: `values are nested more than ${MAX_NESTING_DEPTH} levels deep`,
      hint: 'a pipeline needs a handful: flatten this value',
      related: [],
    },
  ]);
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
