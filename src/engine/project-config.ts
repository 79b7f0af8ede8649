/**
 * The project's committed settings, `medpipe.config.yaml` at the project root (found as the
 * store is: store-location.ts). Today it names remotes, DVC-style:
 *
 *   default_remote: team
 *   remotes:
 *     team: s3://hospital-ml/medpipe
 *     nfs: file:///mnt/shared/medpipe
 *
 * It is committed, so it never holds credentials (remote-url.ts refuses URLs with them); edits go
 * through the YAML document so comments the team wrote are kept.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document } from 'yaml';
import { yaml } from '../yaml.js';
import { writeFileDurably } from './durable.js';
import { findProjectRoot } from './store-location.js';

export const PROJECT_CONFIG_FILE = 'medpipe.config.yaml';

/** The config file is not what medpipe can read; the message names the file, the line and what to write. */
export class ProjectConfigError extends Error {
  override readonly name = 'ProjectConfigError';
}

export interface ProjectConfig {
  /** Where it is (it may not exist yet). */
  readonly file: string;
  readonly remotes: ReadonlyMap<string, string>;
  readonly defaultRemote: string | undefined;
  /** `queue: redis://host:port[/db]`: where `run` sends steps to workers (never with a password: this file is committed). */
  readonly queue: string | undefined;
}

export const REMOTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function lineOf(text: string, offset: number | undefined): number {
  return offset === undefined ? 1 : text.slice(0, offset).split('\n').length;
}

function readDocument(file: string): { doc: Document; text: string } {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const doc = yaml().parseDocument(text);
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new ProjectConfigError(`${file}:${e.linePos?.[0].line ?? 1}:${e.linePos?.[0].col ?? 1}: ${e.message.split('\n')[0]}`);
  }
  return { doc, text };
}

/** The project config of the project `fromDir` is in; an absent file is an empty config. */
export function readProjectConfig(fromDir: string): ProjectConfig {
  const file = join(findProjectRoot(fromDir), PROJECT_CONFIG_FILE);
  const remotes = new Map<string, string>();
  // Most projects have none: a run then does not load the YAML library for it.
  if (!existsSync(file)) return { file, remotes, defaultRemote: undefined, queue: undefined };
  const { isMap, isScalar } = yaml();
  const { doc, text } = readDocument(file);
  const root = doc.contents;
  if (root !== null && root !== undefined && !isMap(root))
    throw new ProjectConfigError(`${file}:1:1: the config must be a mapping (default_remote:, remotes:)`);
  let defaultRemote: string | undefined;
  let queue: string | undefined;
  if (isMap(root)) {
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const at = `${file}:${lineOf(text, isScalar(pair.key) ? pair.key.range?.[0] : undefined)}`;
      if (key === 'remotes') {
        if (pair.value === null) continue;
        if (!isMap(pair.value)) throw new ProjectConfigError(`${at}: remotes: must map names to URLs, e.g.  remotes: { team: s3://bucket/prefix }`);
        for (const r of pair.value.items) {
          const name = isScalar(r.key) ? String(r.key.value) : '';
          const url = isScalar(r.value) ? r.value.value : undefined;
          const rAt = `${file}:${lineOf(text, isScalar(r.key) ? r.key.range?.[0] : undefined)}`;
          if (!REMOTE_NAME.test(name)) throw new ProjectConfigError(`${rAt}: "${name}" is not a remote name (a letter, then letters, digits, _ or -)`);
          if (typeof url !== 'string' || !url) throw new ProjectConfigError(`${rAt}: remote "${name}" must be a URL (file:///path or s3://bucket/prefix)`);
          remotes.set(name, url);
        }
      } else if (key === 'default_remote') {
        const v = isScalar(pair.value) ? pair.value.value : undefined;
        if (typeof v !== 'string') throw new ProjectConfigError(`${at}: default_remote must be the name of a remote under remotes:`);
        defaultRemote = v;
      } else if (key === 'queue') {
        const v = isScalar(pair.value) ? pair.value.value : undefined;
        if (typeof v !== 'string' || !/^rediss?:\/\//.test(v))
          throw new ProjectConfigError(`${at}: queue must be a Redis URL, e.g.  queue: redis://queue-host:6379/0`);
        if (/^rediss?:\/\/[^/@]*:[^/@]*@/.test(v))
          throw new ProjectConfigError(
            `${at}: queue: this file is committed, so the URL must not hold a password; give the URL with its password in MEDPIPE_QUEUE instead`,
          );
        queue = v;
      } else throw new ProjectConfigError(`${at}: unknown setting "${key}" (the config has default_remote:, remotes: and queue:)`);
    }
  }
  if (defaultRemote !== undefined && !remotes.has(defaultRemote))
    throw new ProjectConfigError(`${file}: default_remote "${defaultRemote}" is not one of the remotes (${[...remotes.keys()].join(', ') || 'none'})`);
  return { file, remotes, defaultRemote, queue };
}

/** Changes the project config through its YAML document (comments kept) and writes it atomically. */
export function editProjectConfig(fromDir: string, edit: (doc: Document) => void): string {
  const file = join(findProjectRoot(fromDir), PROJECT_CONFIG_FILE);
  const { doc } = readDocument(file);
  if (!existsSync(file)) doc.commentBefore = ' medpipe project settings, committed with the pipelines. Never put credentials here.';
  edit(doc);
  writeFileDurably(file, doc.toString());
  readProjectConfig(fromDir); // what was written must read back
  return file;
}
