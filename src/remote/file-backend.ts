/**
 * A `file:///path` remote: a folder on a shared disk or NFS mount. A blob is written to a
 * temporary file in the remote's own `tmp/` (same file system, so the rename is atomic), fsynced
 * and renamed into place; temporary files of dead writers of this host are removed by the next
 * writer, and those of other hosts are left to `remote gc` (their pid means nothing here).
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fsyncDir, fsyncFile } from '../engine/durable.js';
import { deadProcessOfThisHost, ownerOfScratch, SCRATCH_PREFIX } from '../engine/process-tag.js';
import { RemoteError, type RemoteBackend, type RemoteBlob, type TransferOptions, progressCounter } from './backend.js';

/** The remote's scratch folder; never listed as blobs. */
export const FILE_REMOTE_TMP = 'tmp';

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? '';

/** Disk errors that may pass (a busy NFS server); anything else (no permission, no such folder) will not. */
const TRANSIENT_CODES = new Set(['EAGAIN', 'EBUSY', 'ETIMEDOUT', 'EIO', 'ESTALE', 'EINTR', 'ENOSPC']);

export class FileBackend implements RemoteBackend {
  readonly location: string;
  private cleaned = false;

  constructor(private readonly root: string) {
    this.location = `file://${root}`;
  }

  private path(name: string): string {
    if (name.split('/').some((part) => part === '..' || part === '')) throw new RemoteError(`not a blob name: ${name}`, false);
    return join(this.root, ...name.split('/'));
  }

  private fail(what: string, name: string, e: unknown): RemoteError {
    return new RemoteError(`${this.location}: ${what} ${name} failed: ${(e as Error).message}`, TRANSIENT_CODES.has(code(e)), { cause: e });
  }

  async download(name: string, dest: string, options: TransferOptions = {}): Promise<boolean> {
    const from = this.path(name);
    let size: number;
    try {
      size = (await stat(from)).size;
    } catch (e) {
      if (code(e) === 'ENOENT') return false;
      throw this.fail('reading', name, e);
    }
    // Created before any byte is copied, so a dest that exists is refused and, unlike a file this
    // call made, never removed on the way out.
    let out: FileHandle;
    try {
      out = await open(dest, 'wx');
    } catch (e) {
      throw new RemoteError(`${this.location}: cannot download ${name} into ${dest}: ${(e as Error).message}`, false, { cause: e });
    }
    try {
      await pipeline(createReadStream(from), progressCounter(size, options.onProgress), createWriteStream(dest, { fd: out }), { signal: options.signal });
      return true;
    } catch (e) {
      await out.close().catch(() => {});
      await rm(dest, { force: true });
      if (code(e) === 'ENOENT') return false; // removed (remote gc) while we read it
      if (options.signal?.aborted) throw e;
      throw this.fail('reading', name, e);
    }
  }

  async read(name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(name));
    } catch (e) {
      if (code(e) === 'ENOENT') return undefined;
      throw this.fail('reading', name, e);
    }
  }

  async write(name: string, source: string | Buffer, options: TransferOptions = {}): Promise<void> {
    const target = this.path(name);
    const tmpDir = join(this.root, FILE_REMOTE_TMP);
    const tmp = join(tmpDir, `${SCRATCH_PREFIX}-${randomBytes(6).toString('hex')}`);
    let size: number;
    try {
      size = typeof source === 'string' ? (await stat(source)).size : source.length;
    } catch (e) {
      throw new RemoteError(`${this.location}: cannot upload ${source}: ${(e as Error).message}`, false, { cause: e });
    }
    try {
      await mkdir(tmpDir, { recursive: true });
      await this.cleanDeadTemps(tmpDir);
      // Streamed rather than copyFile'd so a large upload to a slow shared disk reports progress.
      if (typeof source === 'string')
        await pipeline(createReadStream(source), progressCounter(size, options.onProgress), createWriteStream(tmp, { flags: 'wx' }));
      else {
        const fd = await open(tmp, 'wx');
        try {
          await fd.writeFile(source);
        } finally {
          await fd.close();
        }
      }
      fsyncFile(tmp);
      if (typeof source !== 'string') options.onProgress?.(size, size);
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
      fsyncDir(dirname(target));
    } catch (e) {
      await rm(tmp, { force: true });
      if (e instanceof RemoteError) throw e;
      throw this.fail('writing', name, e);
    }
  }

  async stat(name: string): Promise<{ size: number } | undefined> {
    try {
      const s = await stat(this.path(name));
      return s.isFile() ? { size: s.size } : undefined;
    } catch (e) {
      if (code(e) === 'ENOENT') return undefined;
      throw this.fail('reading', name, e);
    }
  }

  async *list(prefix: string): AsyncIterable<RemoteBlob> {
    const base = this.path(prefix.replace(/\/+$/, '') || '.');
    const walk = async function* (dir: string): AsyncIterable<string> {
      let names: import('node:fs').Dirent[];
      try {
        names = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (code(e) === 'ENOENT') return;
        throw e;
      }
      for (const d of names) {
        const p = join(dir, d.name);
        if (d.isDirectory()) yield* walk(p);
        else if (d.isFile()) yield p;
      }
    };
    try {
      for await (const file of walk(base)) {
        const rel = relative(this.root, file).split(sep).join('/');
        if (rel.startsWith(`${FILE_REMOTE_TMP}/`)) continue;
        let s: import('node:fs').Stats;
        try {
          s = await stat(file);
        } catch (e) {
          if (code(e) === 'ENOENT') continue;
          throw e;
        }
        yield { name: rel, size: s.size, modified: s.mtime };
      }
    } catch (e) {
      throw this.fail('listing', prefix, e);
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await rm(this.path(name), { force: true });
    } catch (e) {
      throw this.fail('removing', name, e);
    }
  }

  close(): void {}

  /** A writer killed between copy and rename left its temporary file: the next writer of this host removes it. */
  private async cleanDeadTemps(tmpDir: string): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const name of await readdir(tmpDir)) {
      const owner = ownerOfScratch(name);
      if (deadProcessOfThisHost(owner.pid, owner.host)) await rm(join(tmpDir, name), { force: true });
    }
  }
}
