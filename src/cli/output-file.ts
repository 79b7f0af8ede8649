/**
 * The one rule for files the CLI writes where the user asked (--junit, --markdown, --output,
 * `schema FILE`): a relative path is relative to the folder the command runs in, an absolute one
 * is used as it is, and missing parent folders are created, so `--junit reports/junit.xml`
 * works on a fresh CI checkout. The file is replaced whole (written aside, then renamed), so a
 * reader never sees half of it.
 */
import { resolve } from 'node:path';
import { writeFileDurably } from '../engine/durable.js';
import { UsageError } from '../errors.js';

/** Writes `content` to `path` and returns the absolute path written; a path that cannot be written is a usage error. */
export function writeOutputFile(path: string, content: string | Uint8Array, cwd: string): string {
  const file = resolve(cwd, path);
  try {
    writeFileDurably(file, content);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new UsageError(
      `cannot write ${path}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code === 'ENOTDIR' ? 'a part of the path is a file, not a folder' : (e as Error).message}`,
    );
  }
  return file;
}
