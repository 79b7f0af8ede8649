/**
 * A parsed pipeline file that remembers where everything came from, so that any problem found
 * later (by the schema, the graph checks or a step) can be reported at its line and column.
 */
import type { Document, LineCounter, Node, Pair } from 'yaml';
import { yaml } from '../yaml.js';
import type { Diagnostic, SourceLocation, SourceRange } from '../errors.js';

export type PathSegment = string | number;

export interface PipelineSource {
  /** The path as the user gave it (used in messages). */
  readonly file: string;
  readonly text: string;
  /** The plain value of the document (aliases expanded), which every check reads. */
  readonly value: unknown;
  /** The document with its positions; only diagnostics need it (see load.ts, which may parse it on first use). */
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

/** The 1-based line and column of a character offset. */
export function positionOf(source: PipelineSource, offset: number): { line: number; column: number } {
  const p = source.lines.linePos(offset);
  return { line: p.line, column: p.col };
}

/** The 1-based line and column of a character offset in a text that is not parsed (yet). */
export function positionInText(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

interface Located {
  key?: Node;
  value?: Node;
}

function locate(source: PipelineSource, path: readonly PathSegment[]): Located {
  const { isMap, isPair, isScalar, isSeq } = yaml();
  let node: unknown = source.doc.contents;
  let key: Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p: Pair) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(seg));
      if (!pair) return { key, value: node as Node };
      key = isScalar(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      key = undefined;
      node = node.items[seg];
    } else if (isPair(node)) {
      node = node.value;
    } else {
      return { key, value: node as Node | undefined };
    }
  }
  return { key, value: (node ?? undefined) as Node | undefined };
}

/** The range between two character offsets of the text. */
export function rangeOf(source: PipelineSource, start: number, end: number): SourceRange {
  return { start: positionOf(source, start), end: positionOf(source, Math.max(start, end)) };
}

/**
 * Where the node for `path` is. `at: 'key'` is its key (for an unknown or misspelt name),
 * `at: 'value'` its value (for a wrong type). When the path does not exist in the file (a
 * parameter that was never written), the nearest existing ancestor is used.
 */
export function locationAt(source: PipelineSource, path: readonly PathSegment[], at: 'key' | 'value' = 'value'): SourceLocation {
  const found = locate(source, path);
  const node = at === 'key' ? (found.key ?? found.value) : (found.value ?? found.key);
  const range = node?.range ? rangeOf(source, node.range[0], node.range[1]) : { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  return { file: source.file, range };
}

/** Whether `path` names a node that is written in the file (not only an ancestor of where it would be). */
export function existsAt(source: PipelineSource, path: readonly PathSegment[]): boolean {
  const { isMap, isScalar, isSeq } = yaml();
  let node: unknown = source.doc.contents;
  for (const seg of path) {
    if (isMap(node)) node = node.items.find((p: Pair) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(seg))?.value;
    else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
    else return false;
    if (node === undefined) return false;
  }
  return true;
}

/** An error at the node for `path` (see locationAt). */
export function diagnosticAt(source: PipelineSource, path: readonly PathSegment[], message: string, at: 'key' | 'value' = 'value', hint?: string): Diagnostic {
  return { severity: 'error', ...locationAt(source, path, at), message, ...(hint ? { hint } : {}), related: [] };
}
