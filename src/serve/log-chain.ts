/**
 * The prediction log's chain, as pure functions: each line of the JSON Lines file carries `seq`
 * (1, 2, 3 … in the file) and `prev`, the sha256 of the previous line's text (64 zeros for the
 * first), so an edited, removed or reordered line breaks every link after it. Truncating the end
 * leaves a valid chain; the head file written beside the log (`<log>.head`: the last line's seq and
 * hash) catches that, as the registry's head file does for its audit log.
 */
import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export function lineHash(line: string): string {
  return createHash('sha256').update(line).digest('hex');
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export type ChainCheck =
  | { readonly ok: true; readonly lines: number; readonly head: ChainHead }
  | { readonly ok: false; readonly line: number; readonly problem: string };

/**
 * Checks a log file's text (and its recorded head, if any): every line a JSON object whose seq
 * follows the previous one and whose prev is the previous line's hash; the head a line of the file.
 */
export function checkLogText(text: string, recorded: ChainHead | undefined): ChainCheck {
  if (text.length && !text.endsWith('\n')) {
    const lines = text.split('\n').length;
    return { ok: false, line: lines, problem: 'the last line is incomplete (no line end): the file was cut while being written, or truncated' };
  }
  const lines = text.length ? text.slice(0, -1).split('\n') : [];
  let prev = GENESIS;
  const hashes: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let entry: { seq?: unknown; prev?: unknown };
    try {
      entry = JSON.parse(lines[i]) as { seq?: unknown; prev?: unknown };
    } catch {
      return { ok: false, line: i + 1, problem: 'not valid JSON: the line was edited or damaged' };
    }
    if (entry.seq !== i + 1)
      return { ok: false, line: i + 1, problem: `its seq is ${JSON.stringify(entry.seq)}, expected ${i + 1}: lines were removed, inserted or reordered` };
    if (entry.prev !== prev)
      return {
        ok: false,
        line: i + 1,
        problem: `its prev does not match the hash of line ${i}: ${i === 0 ? 'the start of the file was removed' : 'that line was edited, or lines were removed'}`,
      };
    prev = lineHash(lines[i]);
    hashes.push(prev);
  }
  if (recorded) {
    if (recorded.seq > lines.length)
      return {
        ok: false,
        line: lines.length,
        problem: `the head file records line ${recorded.seq}, but the log has ${lines.length} line${lines.length === 1 ? '' : 's'}: its end was removed`,
      };
    if (recorded.seq > 0 && hashes[recorded.seq - 1] !== recorded.hash)
      return { ok: false, line: recorded.seq, problem: `line ${recorded.seq} does not match the hash the head file records: the log was rewritten` };
  }
  return { ok: true, lines: lines.length, head: { seq: lines.length, hash: prev } };
}
