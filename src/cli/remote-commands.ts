/**
 * `medpipe remote add|list|remove|gc`, `medpipe push` and `medpipe pull`: the remotes named in
 * the project config, and moving a pipeline's latest outputs to and from one.
 */
import { REMOTE_USAGE } from './usage.js';
import { resolve } from 'node:path';
import type { Document } from 'yaml';
import { yaml } from '../yaml.js';
import { UsageError } from '../errors.js';
import { openStore } from '../engine/open.js';
import { editProjectConfig, readProjectConfig, REMOTE_NAME } from '../engine/project-config.js';
import { findProjectRoot } from '../engine/store-location.js';
import type { RemoteCache } from '../remote/remote-cache.js';
import { remoteGc } from '../remote/remote-gc.js';
import { parseRemoteUrl, RemoteUrlError } from '../remote/remote-url.js';
import { pullPipeline, pushPipeline, type TransferResult } from '../remote/transfer.js';
import type { CliIO, ParsedArgs } from './cli.js';
import { defaultPipelineFiles } from './pipeline-files.js';
import { openRemoteFromOptions } from './remote-option.js';

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

async function withRemote<T>(args: ParsedArgs, io: CliIO, use: (remote: RemoteCache) => Promise<T>): Promise<T> {
  const remote = await openRemoteFromOptions(args.values, io.cwd, (m) => io.err(`medpipe: ${m}`));
  if (!remote) throw new UsageError('no remote: give --remote NAME|URL, set MEDPIPE_REMOTE, or make one the default (medpipe remote add NAME URL --default)');
  try {
    return await use(remote);
  } finally {
    remote.close();
  }
}

export async function remoteCommand(rest: string[], args: ParsedArgs, io: CliIO): Promise<number> {
  const [sub, ...more] = rest;
  if (sub === 'add') {
    if (more.length !== 2) throw new UsageError(`remote add takes a name and a URL, e.g. medpipe remote add team s3://bucket/medpipe\n${REMOTE_USAGE}`);
    const [name, url] = more;
    if (!REMOTE_NAME.test(name)) throw new UsageError(`"${name}" is not a remote name: a letter, then letters, digits, _ or -`);
    try {
      parseRemoteUrl(url, findProjectRoot(io.cwd));
    } catch (e) {
      if (e instanceof RemoteUrlError) throw new UsageError(e.message);
      throw e;
    }
    const file = editProjectConfig(io.cwd, (doc: Document) => {
      doc.setIn(['remotes', name], url);
      if (args.values.default) doc.set('default_remote', name);
    });
    io.out(`remote ${name}: ${url}${args.values.default ? ' (default)' : ''}, in ${file}; commit it so the team and CI use it`);
    return 0;
  }
  if (sub === 'list') {
    if (more.length) throw new UsageError(`remote list takes no arguments\n${REMOTE_USAGE}`);
    const config = readProjectConfig(io.cwd);
    if (args.values.json) io.out(JSON.stringify({ default: config.defaultRemote ?? null, remotes: Object.fromEntries(config.remotes) }));
    else if (!config.remotes.size) io.out(`no remotes in ${config.file}; add one with medpipe remote add NAME URL`);
    else for (const [name, url] of config.remotes) io.out(`${name === config.defaultRemote ? '*' : ' '} ${name}\t${url}`);
    return 0;
  }
  if (sub === 'remove') {
    if (more.length !== 1) throw new UsageError(`remote remove takes one name\n${REMOTE_USAGE}`);
    const config = readProjectConfig(io.cwd);
    if (!config.remotes.has(more[0])) throw new UsageError(`there is no remote named "${more[0]}" in ${config.file}`);
    editProjectConfig(io.cwd, (doc) => {
      doc.deleteIn(['remotes', more[0]]);
      if (config.defaultRemote === more[0]) doc.delete('default_remote');
      const remotes = doc.get('remotes');
      if (yaml().isMap(remotes) && remotes.items.length === 0) doc.delete('remotes');
    });
    io.out(`removed remote ${more[0]}${config.defaultRemote === more[0] ? ' (it was the default: there is none now)' : ''}`);
    return 0;
  }
  if (sub === 'gc') {
    if (more.length) throw new UsageError(`remote gc takes no arguments\n${REMOTE_USAGE}`);
    const keepDays = args.values['keep-days'] === undefined ? 30 : Number(args.values['keep-days']);
    if (!(Number.isFinite(keepDays) && keepDays >= 0)) throw new UsageError(`--keep-days must be a number of days, got "${args.values['keep-days']}"`);
    return withRemote(args, io, async (remote) => {
      const r = await remoteGc(remote, {
        projectDir: findProjectRoot(io.cwd),
        ref: args.values.branch ?? 'main',
        keepDays,
        remove: args.values.delete === true,
      });
      const verb = r.removed ? 'removed' : 'would remove';
      io.out(
        `${verb} ${r.removableRecords} run records, ${r.removableEntries} cache entries and ${r.removableObjects} artifacts (${megabytes(r.removableBytes)}) from ${remote.location}; kept ${r.keptRecords} run records on ${r.ref} from the last ${keepDays} days (and each pipeline's newest), ${r.keptEntries} entries, ${r.keptObjects} artifacts`,
      );
      if (!r.removed && (r.removableRecords || r.removableEntries || r.removableObjects)) io.out('dry run: add --delete to remove them');
      return 0;
    });
  }
  throw new UsageError(`remote takes add, list, remove or gc${sub ? ` (got "${sub}")` : ''}\n${REMOTE_USAGE}`);
}

/** `medpipe push [PIPELINE…]` and `medpipe pull [PIPELINE…]`. */
export async function transferCommand(direction: 'push' | 'pull', rest: string[], args: ParsedArgs, io: CliIO): Promise<number> {
  const files = (rest.length ? rest : defaultPipelineFiles(io.cwd)).map((f) => resolve(io.cwd, f));
  if (!files.length) throw new UsageError(`${direction} takes pipeline files, or finds them in ./pipelines (none there)`);
  if (direction === 'push' && args.values['remote-read-only']) throw new UsageError('push with --remote-read-only would push nothing');
  return withRemote(args, io, async (remote) => {
    let failed = false;
    for (const file of files) {
      const store = openStore(file, args.values.store, io.cwd);
      const result: TransferResult = direction === 'push' ? await pushPipeline(store, remote, file) : await pullPipeline(store, remote, file);
      for (const p of result.problems) io.err(`medpipe: ${p}`);
      failed ||= result.problems.length > 0;
      io.out(
        `${direction === 'push' ? 'pushed' : 'pulled'} ${result.steps} step${result.steps === 1 ? '' : 's'} of ${rest.length ? file : file.slice(findProjectRoot(file).length + 1)}`,
      );
    }
    const s = remote.stats;
    io.out(
      direction === 'push'
        ? `${s.objectsUploaded} artifacts uploaded (${megabytes(s.bytesUploaded)}), ${s.entriesUploaded} cache entries to ${remote.location}`
        : `${s.objectsDownloaded} artifacts downloaded (${megabytes(s.bytesDownloaded)}) from ${remote.location}`,
    );
    return failed ? 1 : 0;
  });
}
