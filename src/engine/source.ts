/**
 * A parsed pipeline file that remembers where everything came from, so that any problem found
 * later (by the schema, the graph checks or a step) can be reported at its line and column.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { Diagnostic } from '../errors.js';

export type PathSegment = string | number;

export interface PipelineSource {
  /** The path as the user gave it (used in messages). */
  readonly file: string;
  readonly text: string;
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

/**
 * A diagnostic at the node for `path`. `at: 'key'` points at the key (for an unknown or misspelt
 * name), `at: 'value'` at its value (for a wrong type). When the path does not exist in the file
 * (a parameter that was never written), the nearest existing ancestor is used.
 */
export function diagnosticAt(source: PipelineSource, path: readonly PathSegment[], message: string, at: 'key' | 'value' = 'value', hint?: string): Diagnostic {
  const found = locate(source, path);
  const node = at === 'key' ? found.key ?? found.value : found.value ?? found.key;
  const offset = node?.range?.[0];
  const pos = offset === undefined ? { line: 1, column: 1 } : positionOf(source, offset);
  return { file: source.file, line: pos.line, column: pos.column, message, hint };
}
