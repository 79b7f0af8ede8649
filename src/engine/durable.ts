/**
 * Writes that count as committed only once they are on disk. A rename makes a file appear whole
 * or not at all, but without fsync a power cut can still leave the new name pointing at a file
 * whose data never reached the disk (ext4, XFS with delayed allocation). So: write a temporary
 * file, fsync it, rename it into place, fsync the folder so the rename itself is durable.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** fsyncs a folder, so that names created or renamed in it survive a crash. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    // Some file systems (and Windows) cannot open or fsync a folder; the file itself was synced.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** fsyncs a file that is already written (a step's output, before it moves into the store). */
export function fsyncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `content` to a new file and fsyncs it. */
export function writeSynced(file: string, content: string | Uint8Array): void {
  const fd = openSync(file, 'wx');
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `file` with `content` atomically and durably. `tmp` is the temporary file's path
 * (default: a hidden name beside the target); it must be on the same file system as `file`.
 */
export function writeFileDurably(file: string, content: string | Uint8Array, tmp = join(dirname(file), `.${basename(file)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`)): void {
  mkdirSync(dirname(tmp), { recursive: true });
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeSynced(tmp, content);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(file));
}
