/**
 * `medpipe serve --verify-log FILE|DIR`: checks a prediction log file (or every `*.jsonl` of a
 * folder, as the server writes them by day) against its chain and its head file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { checkLogText, type ChainCheck } from './log-chain.js';
import { readHead } from './prediction-log.js';

export interface LogFileCheck {
  readonly file: string;
  readonly check: ChainCheck;
  /** Whether a head file was found beside the log (without one, a cut end cannot be detected). */
  readonly hasHead: boolean;
}

export function verifyPredictionLog(path: string, display = path): LogFileCheck[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new DataError('not found: give a prediction log file or the folder of them (default: <store>/predictions)', { file: display });
  }
  const files = isDir
    ? readdirSync(path)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => [join(path, f), join(display, f)] as const)
    : [[path, display] as const];
  if (!files.length) throw new DataError('the folder has no prediction logs (*.jsonl)', { file: display });
  return files.map(([file, shown]) => {
    let head: ReturnType<typeof readHead>;
    try {
      head = readHead(file);
    } catch (e) {
      return { file: shown, check: { ok: false, line: 0, problem: (e as Error).message }, hasHead: true };
    }
    return { file: shown, check: checkLogText(readFileSync(file, 'utf8'), head), hasHead: head !== undefined };
  });
}
