/**
 * Which remote a command uses, decided once for every command that reads or writes the store:
 * `--remote NAME|URL`, else $MEDPIPE_REMOTE (a name or a URL), else the project config's
 * default_remote, else none. MEDPIPE_CACHE_KEY, when set, signs pushed cache entries and makes
 * unsigned or wrongly signed ones unusable (remote-cache.ts).
 */
import { UsageError } from '../errors.js';
import { readProjectConfig } from '../engine/project-config.js';
import { findProjectRoot } from '../engine/store-location.js';
import type { RemoteCache, RemoteCacheOptions } from '../remote/remote-cache.js';

export interface RemoteChoice {
  readonly remote?: string;
  readonly 'remote-read-only'?: boolean;
  readonly 'remote-required'?: boolean;
}

/** The URL a command's remote resolves to and where that came from, or undefined for none. */
export function chooseRemote(values: RemoteChoice, cwd: string): { url: string; from: string } | undefined {
  const config = readProjectConfig(cwd);
  const asked = values.remote ?? process.env.MEDPIPE_REMOTE;
  const from = values.remote !== undefined ? '--remote' : 'MEDPIPE_REMOTE';
  if (asked !== undefined && asked !== '') {
    const named = config.remotes.get(asked);
    if (named) return { url: named, from: `remote "${asked}" in ${config.file}` };
    // A bare word is a name, not a folder: a typo must not create a remote folder named after it.
    if (/^[A-Za-z][A-Za-z0-9_-]*$/.test(asked))
      throw new UsageError(
        `${from}: there is no remote named "${asked}"${config.remotes.size ? ` (the remotes are ${[...config.remotes.keys()].join(', ')})` : ''}; add one with medpipe remote add ${asked} URL, or give a URL (file:///path, s3://bucket/prefix)`,
      );
    return { url: asked, from };
  }
  if (config.defaultRemote) return { url: config.remotes.get(config.defaultRemote) as string, from: `default_remote in ${config.file}` };
  return undefined;
}

/** The remote a command uses, opened; undefined when there is none. */
export async function openRemoteFromOptions(
  values: RemoteChoice,
  cwd: string,
  warn: (message: string) => void,
  extra: Omit<RemoteCacheOptions, 'readOnly' | 'required' | 'onWarning' | 'signingKey'> = {},
): Promise<RemoteCache | undefined> {
  const chosen = chooseRemote(values, cwd);
  if (!chosen) {
    if (values['remote-read-only'] || values['remote-required'])
      throw new UsageError(
        '--remote-read-only and --remote-required need a remote: --remote NAME|URL, MEDPIPE_REMOTE, or default_remote in medpipe.config.yaml',
      );
    return undefined;
  }
  // Loaded when there is a remote to open: a command without one never needs them.
  const [{ openBackend, parseRemoteUrl, RemoteUrlError }, { RemoteCache }] = await Promise.all([
    import('../remote/remote-url.js'),
    import('../remote/remote-cache.js'),
  ]);
  let backend: Awaited<ReturnType<typeof openBackend>>;
  try {
    parseRemoteUrl(chosen.url, findProjectRoot(cwd));
    backend = await openBackend(chosen.url, findProjectRoot(cwd));
  } catch (e) {
    if (e instanceof RemoteUrlError) throw new UsageError(`${chosen.from}: ${e.message}`);
    throw e;
  }
  const signingKey = process.env.MEDPIPE_CACHE_KEY || undefined;
  return new RemoteCache(backend, {
    ...extra,
    readOnly: values['remote-read-only'] === true,
    required: values['remote-required'] === true,
    onWarning: warn,
    ...(signingKey ? { signingKey } : {}),
  });
}
