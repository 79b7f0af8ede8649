/**
 * Writes that count as committed only once they are on disk. A rename makes a file appear whole
 * or not at all, but without fsync a power cut can still leave the new name pointing at a file
 * whose data never reached the disk (ext4, XFS with delayed allocation). So: write a temporary
 * file, fsync it, rename it into place, fsync the folder so the rename itself is durable.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deadProcessOfThisHost, HOST_TAG, SCRATCH_PREFIX } from './process-tag.js';

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

/** Where the temporary file of a durable write goes. */
export interface DurableWriteOptions {
  /**
   * A scratch folder on the target's file system (the store's tmp/): the temporary file is named
   * there by process and host, and the store's cleanStaleTemp removes it if this process is killed
   * before the rename, so nothing half-written ever appears among the store's own files. Without
   * it, the temporary file goes beside the target (a rename does not cross file systems, and a
   * user's folder may be on another one than the store).
   */
  readonly scratchDir?: string;
}

/**
 * The one way medpipe replaces a file: written in full to a temporary file, fsynced, renamed into
 * place, the folder fsynced. Readers see the old file or the new one, never part of one, and what
 * was renamed into place survives a power cut. On failure the temporary file is removed and the
 * old file is left as it was.
 */
export function writeFileDurably(file: string, content: string | Uint8Array, options: DurableWriteOptions = {}): void {
  let tmp: string;
  if (options.scratchDir) tmp = join(options.scratchDir, `${SCRATCH_PREFIX}-w-${randomBytes(6).toString('hex')}`);
  else {
    removeDeadTempsBeside(file);
    tmp = join(dirname(file), `${tempPrefixBeside(file)}${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  }
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

/**
 * writeFileDurably for a large file that is already on disk (a data file restored from the store):
 * copied, not read into memory, to a temporary file beside the target, fsynced, renamed into place.
 */
export function copyFileDurably(source: string, file: string): void {
  removeDeadTempsBeside(file);
  const tmp = join(dirname(file), `${tempPrefixBeside(file)}${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  mkdirSync(dirname(file), { recursive: true });
  try {
    copyFileSync(source, tmp);
    fsyncFile(tmp);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dirname(file));
}

/**
 * A temporary file beside its target is in a folder the user owns (the checkout, an export
 * folder), where a kill between write and rename would leave it for `git add` to pick up. Its
 * name says whose it is, and every write first removes the ones of its target left by dead
 * processes of this host.
 */
function tempPrefixBeside(file: string): string {
  return `.${basename(file)}.medpipe-${HOST_TAG}-`;
}

function removeDeadTempsBeside(file: string): void {
  const prefix = tempPrefixBeside(file);
  let names: string[];
  try {
    names = readdirSync(dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (deadProcessOfThisHost(pid, HOST_TAG)) rmSync(join(dirname(file), name), { force: true });
  }
}
