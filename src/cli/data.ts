/**
 * `medpipe data add PATH` and `medpipe data pull [PATH...]`: data files kept out of git behind a
 * committed pointer (PATH.medpipe, engine/data-pointer.ts), as DVC's `dvc add` / `dvc pull` do.
 * `add` stores the file by digest (pinned, so `cache gc` keeps it), pushes it to the remote when
 * there is one, writes the pointer and ignores the file in git; `pull` restores the files of
 * pointers from the local store or the remote, verified, never replacing a changed working copy
 * without --force.
 */
import { DATA_USAGE } from './usage.js';
import { constants, copyFileSync, type Dirent, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { dataFileOf, isPointerPath, pointerPathFor, pointerText, POINTER_SUFFIX, readPointer, type DataPointer } from '../engine/data-pointer.js';
import { localDataBytes, pinPointer, pipelinePointers, workingCopyState, type WorkingCopyState } from '../engine/data-source.js';
import type { Pipeline } from '../engine/pipeline.js';
import { copyFileDurably, writeFileDurably } from '../engine/durable.js';
import { gitRun } from '../engine/git.js';
import type { Store } from '../engine/store.js';
import { DEFAULT_STORE_DIR, findProjectRoot } from '../engine/store-location.js';
import { DataError, UsageError } from '../errors.js';
import type { RemoteCache, TransferEvent } from '../remote/remote-cache.js';
import { openStore } from '../engine/open.js';
import type { CliIO, ParsedArgs } from './cli.js';
import { gitignoreName, ignoreDataFileInGit, ignoredByGit, ignoreStoreInGit } from './gitignore.js';
import { openRemoteFromOptions } from './remote-option.js';

export interface DataCommandContext {
  readonly store: Store;
  /** The remote, when one is configured (--remote, MEDPIPE_REMOTE, the project's default). */
  readonly remote: RemoteCache | undefined;
  /** The folder the command runs in: paths are relative to it, and the project is found from it. */
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Names the file a digest's transfer is for, in progress lines. */
  readonly transferOf?: (digest: string, name: string) => void;
}

/** Files at least this large get progress lines (every quarter) while they move to or from the remote. */
export const PROGRESS_BYTES = 8 << 20;

class TransferProgress {
  readonly names = new Map<string, string>();
  private readonly shown = new Map<string, number>();

  constructor(private readonly err: (text: string) => void) {}

  onTransfer(e: TransferEvent): void {
    if (e.total === undefined || e.total < PROGRESS_BYTES) return;
    const quarter = Math.floor((e.done / e.total) * 4);
    const key = `${e.direction} ${e.digest}`;
    if ((this.shown.get(key) ?? 0) >= quarter) return;
    this.shown.set(key, quarter);
    const name = this.names.get(e.digest) ?? `sha256 ${e.digest.slice(0, 12)}…`;
    this.err(`medpipe: ${e.direction === 'upload' ? 'uploading' : 'downloading'} ${name}: ${quarter * 25}% of ${megabytes(e.total)}`);
  }
}

const shownFrom =
  (cwd: string) =>
  (file: string): string =>
    relative(cwd, file).split('\\').join('/') || file;

function megabytes(bytes: number): string {
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function rowsText(p: { rows?: number }): string {
  return p.rows === undefined ? '' : `${p.rows} row${p.rows === 1 ? '' : 's'}, `;
}

/** Refuses what `data add` cannot track: a pointer, a missing file, a folder, a file outside the project or tracked by git. */
async function checkAddable(arg: string, file: string, root: string): Promise<void> {
  if (isPointerPath(file)) throw new UsageError(`${arg} is a data pointer; give the data file itself: medpipe data add ${dataFileOf(arg)}`);
  const rel = relative(root, file);
  if (rel.startsWith('..') || isAbsolute(rel) || rel === '')
    throw new UsageError(`${arg} is outside the project (${root}): data add tracks files inside it, whose pointers are committed with it`);
  if (rel.split(/[\\/]/).includes(DEFAULT_STORE_DIR)) throw new UsageError(`${arg} is inside medpipe's store`);
  if (!existsSync(file)) throw new UsageError(`${arg}: file not found`);
  if (statSync(file).isDirectory())
    throw new UsageError(`${arg} is a folder: data add takes one file at a time (folders are not supported yet); add each file`);
  if (!statSync(file).isFile()) throw new UsageError(`${arg} is not a regular file`);
  if ((await gitRun(dirname(file), ['ls-files', '--error-unmatch', '--', basename(file)])).code === 0)
    throw new UsageError(
      `${arg} is tracked by git: run git rm --cached ${arg} first (it stays on disk), then medpipe data add ${arg}, and commit the pointer instead of the file`,
    );
}

/** `data add PATH`: see the module comment. */
export async function dataAdd(rest: readonly string[], ctx: DataCommandContext): Promise<number> {
  if (rest.length !== 1) throw new UsageError('data add takes one file, e.g. medpipe data add data/patients.csv');
  const arg = rest[0];
  const file = resolve(ctx.cwd, arg);
  await checkAddable(arg, file, findProjectRoot(ctx.cwd));
  const shown = shownFrom(ctx.cwd);
  const pointerFile = file + POINTER_SUFFIX;
  const previous = existsSync(pointerFile) ? tryReadPointer(pointerFile) : undefined;

  // Stored from a copy, so the digest, size and row count are of the very bytes the store holds.
  const { store } = ctx;
  const scratch = store.makeTempDir('data-add');
  let digest: string;
  let size: number;
  try {
    const copy = join(scratch, 'data');
    copyFileSync(file, copy, constants.COPYFILE_FICLONE); // a reflink where the file system has them
    ({ digest, size } = await store.addObject(copy));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const { countCsvRows, isDelimitedText } = await import('../data/csv-records.js');
  const rows = isDelimitedText(file) ? await countCsvRows(store.objectPath(digest)) : undefined;
  const record = { path: basename(file), digest, size, ...(rows === undefined ? {} : { rows }) };
  const text = pointerText(record);
  const changed = !existsSync(pointerFile) || readFileSync(pointerFile, 'utf8') !== text;
  if (changed) writeFileDurably(pointerFile, text);
  const pointer: DataPointer = { ...record, file: pointerFile, dataFile: file };
  pinPointer(store, pointer);
  // The working copy now matches the pointer: remember its digest, so status and runs need not hash it again.
  await store.fileDigest(file);
  store.saveFileDigests();
  const ignored = ignoreDataFileInGit(file);

  const what = `${shown(file)} (${rowsText(pointer)}${megabytes(size)}, sha256 ${digest.slice(0, 12)}…)`;
  if (!changed) ctx.out(`${shown(pointerFile)} already records ${what}`);
  else if (previous) ctx.out(`updated ${shown(pointerFile)}: ${what}, was sha256 ${previous.digest.slice(0, 12)}…; commit it`);
  else ctx.out(`added ${what}: wrote ${shown(pointerFile)}; commit it instead of the file`);
  if (ignored) ctx.out(`added /${gitignoreName(basename(file))} to ${shown(ignored)}: the data file stays out of git`);
  if (await ignoredByGit(pointerFile))
    ctx.err(
      `medpipe: ${shown(pointerFile)} is ignored by git (a .gitignore rule matches it), but it must be committed: git add -f ${shown(pointerFile)}, or narrow the rule`,
    );
  return pushToRemote(pointer, ctx);
}

/** A pointer being replaced, if it can be read (a damaged one is simply rewritten). */
function tryReadPointer(file: string): DataPointer | undefined {
  try {
    return readPointer(file);
  } catch {
    return undefined;
  }
}

/** Pushes a pointer's bytes to the remote, when there is one; says what happened. */
async function pushToRemote(pointer: DataPointer, ctx: DataCommandContext): Promise<number> {
  const remote = ctx.remote;
  if (!remote) {
    ctx.out('no remote configured: the bytes are in the local store only (medpipe remote add, or --remote NAME|URL, to share them)');
    return 0;
  }
  ctx.transferOf?.(pointer.digest, shownFrom(ctx.cwd)(pointer.dataFile));
  const pushed = await remote.pushObject(pointer.digest, ctx.store);
  // The record tells `remote gc` to keep these bytes: any commit's pointer may name them.
  const recorded =
    (pushed === 'pushed' || pushed === 'present') &&
    (await remote.writeRecord(`data/${pointer.digest}`, {
      format: 1,
      path: relative(findProjectRoot(pointer.dataFile), pointer.dataFile).split('\\').join('/'),
      digest: pointer.digest,
      size: pointer.size,
      ...(pointer.rows === undefined ? {} : { rows: pointer.rows }),
    }));
  if (recorded && pushed === 'pushed') ctx.out(`pushed it to ${remote.location}`);
  else if (recorded) ctx.out(`${remote.location} has it already`);
  else if (pushed === 'read-only') ctx.out(`not pushed: ${remote.location} is read-only here`);
  else {
    ctx.err(
      `medpipe: not pushed: remote ${remote.location} is not usable (${remote.unavailable ?? 'unreachable'}); run medpipe data add ${shownFrom(ctx.cwd)(pointer.dataFile)} again when it is`,
    );
    return 1;
  }
  return 0;
}

/** Folders a pointer is never looked for in: git's, dependencies, medpipe's store. */
const SKIPPED = new Set(['.git', 'node_modules', DEFAULT_STORE_DIR]);

/** Every pointer file under a folder (sorted), for `data pull` without arguments. */
export function findPointerFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIPPED.has(e.name)) walk(join(d, e.name));
      } else if (e.isFile() && isPointerPath(e.name)) found.push(join(d, e.name));
    }
  };
  walk(dir);
  return found.sort();
}

/** The pointer files `data pull` was asked for: each argument is a pointer or a data file with its pointer beside it. */
function pointersAsked(rest: readonly string[], cwd: string): string[] {
  if (!rest.length) return findPointerFiles(findProjectRoot(cwd));
  return rest.map((arg) => {
    const file = resolve(cwd, arg);
    const pointer = pointerPathFor(file);
    if (!pointer || !existsSync(pointer))
      throw new UsageError(
        `${arg} has no data pointer (${isPointerPath(arg) ? arg : arg + POINTER_SUFFIX} not found); medpipe data add ${isPointerPath(arg) ? dataFileOf(arg) : arg} makes one`,
      );
    return pointer;
  });
}

/** `data pull [PATH...] [--force]`: see the module comment. Exit 1 if any file could not be restored. */
export async function dataPull(rest: readonly string[], ctx: DataCommandContext & { readonly force: boolean }): Promise<number> {
  const shown = shownFrom(ctx.cwd);
  const pointers = pointersAsked(rest, ctx.cwd);
  if (!pointers.length) {
    ctx.out(`no data pointers (*${POINTER_SUFFIX}) under ${findProjectRoot(ctx.cwd)}`);
    return 0;
  }
  let failed = 0;
  const counts = { restored: 0, current: 0, kept: 0 };
  for (const file of pointers) {
    try {
      const pointer = readPointer(file, shown(file));
      const state = await workingCopyState(pointer, ctx.store);
      if (state === 'matches') {
        counts.current++;
        pinPointer(ctx.store, pointer);
        continue;
      }
      if (state === 'differs' && !ctx.force) {
        counts.kept++;
        ctx.err(
          `medpipe: ${shown(pointer.dataFile)} differs from ${shown(file)}: left as it is (run medpipe data add ${shown(pointer.dataFile)} to record it, or medpipe data pull --force ${shown(file)} to replace it)`,
        );
        continue;
      }
      const downloadedBefore = ctx.remote?.stats.objectsDownloaded ?? 0;
      ctx.transferOf?.(pointer.digest, shown(pointer.dataFile));
      const bytes = await localDataBytes(pointer, ctx.store, { remote: ctx.remote, shown });
      copyFileDurably(bytes, pointer.dataFile);
      await ctx.store.fileDigest(pointer.dataFile);
      counts.restored++;
      ctx.out(
        `${state === 'differs' ? 'replaced' : 'restored'} ${shown(pointer.dataFile)} (${rowsText(pointer)}${megabytes(pointer.size)}) from ${(ctx.remote?.stats.objectsDownloaded ?? 0) > downloadedBefore ? ctx.remote?.location : 'the local store'}`,
      );
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      failed++;
      ctx.err(`medpipe: ${e.message}`);
    }
  }
  ctx.store.saveFileDigests();
  ctx.out(
    `${counts.restored} restored, ${counts.current} already up to date${counts.kept ? `, ${counts.kept} changed and left as they are` : ''}${failed ? `, ${failed} failed` : ''}`,
  );
  return failed ? 1 : 0;
}

/** `medpipe data add|pull`. */
export async function dataCommand(rest: readonly string[], args: ParsedArgs, io: CliIO): Promise<number> {
  const [sub, ...paths] = rest;
  if (sub !== 'add' && sub !== 'pull') throw new UsageError(`data takes add or pull${sub ? ` (got "${sub}")` : ''}\n${DATA_USAGE}`);
  if (sub === 'add' && args.values.force) throw new UsageError('data add has no --force: it always records the file as it is now');
  const store = openStore(io.cwd, args.values.store, io.cwd);
  const created = !existsSync(store.root);
  const progress = new TransferProgress(io.err);
  const remote = await openRemoteFromOptions(args.values, io.cwd, (m) => io.err(`medpipe: ${m}`), { onTransfer: (e) => progress.onTransfer(e) });
  try {
    if (sub === 'add' && created) {
      // As a first run does: the store is machine-local and stays out of git.
      const ignored = await ignoreStoreInGit(store.root, io.cwd);
      if (ignored) io.err(`medpipe: ${ignored}`);
    }
    const ctx = { store, remote, cwd: io.cwd, out: io.out, err: io.err, transferOf: (digest: string, name: string) => progress.names.set(digest, name) };
    return sub === 'add' ? await dataAdd(paths, ctx) : await dataPull(paths, { ...ctx, force: args.values.force === true });
  } finally {
    remote?.close();
  }
}

/** What `status` says of the data pointers a pipeline reads: one line for each that needs attention. */
export async function dataStatus(
  pipeline: Pipeline,
  store: Store,
  cwd: string,
): Promise<{ files: { pointer: string; data: string; state: WorkingCopyState; inStore: boolean }[]; lines: string[] }> {
  const shown = shownFrom(cwd);
  const states = await pipelinePointers(pipeline, store);
  const lines = states.flatMap(({ pointer, state, inStore }) => {
    const data = shown(pointer.dataFile);
    if (state === 'differs')
      return [
        `${data} differs from ${shown(pointer.file)}: run medpipe data add ${data} to record the change, or medpipe data pull --force ${shown(pointer.file)} to restore it (runs use the pointer's bytes)`,
      ];
    if (state === 'missing')
      return [
        `${data} is not pulled (${shown(pointer.file)} records it): ${inStore ? 'runs read its bytes from the local store' : 'its bytes are not in the local store either, so a run that computes with it needs the remote'}; medpipe data pull restores the file`,
      ];
    return [];
  });
  return { files: states.map((s) => ({ pointer: shown(s.pointer.file), data: shown(s.pointer.dataFile), state: s.state, inStore: s.inStore })), lines };
}
