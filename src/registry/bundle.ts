/**
 * Bundle files on disk: hashing them, and exporting a registered version to a folder (its bundle,
 * checked against its digest, plus card.md, metrics.json, params.json and lineage.json) so it can
 * be reviewed, archived or shipped without medpipe.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryError } from './errors.js';
import type { ModelVersion } from './types.js';

export function hashFileSync(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Writes a file whole or not at all. */
function writeAtomic(file: string, write: (tmp: string) => void): void {
  const tmp = `${file}.${process.pid}.tmp`;
  write(tmp);
  renameSync(tmp, file);
}

/** The files written, by their names in `dir`. */
export function exportVersion(v: ModelVersion, dir: string): string[] {
  const ref = `${v.name}@${v.version}`;
  if (!existsSync(v.bundlePath)) {
    throw new RegistryError('not-found', `the bundle of ${ref} (${v.bundleDigest.slice(0, 12)}…) is not in the store at ${v.bundlePath}: was the store moved, or its objects deleted?`);
  }
  // A bundle that no longer matches its digest is not the model that was registered: refuse to ship it.
  if (hashFileSync(v.bundlePath) !== v.bundleDigest) {
    throw new RegistryError('corrupt', `the bundle of ${ref} in the store (${v.bundlePath}) does not match its registered digest: the file was changed; re-run the pipeline to rebuild it`);
  }
  mkdirSync(dir, { recursive: true });
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  writeAtomic(join(dir, v.bundleFile), (tmp) => copyFileSync(v.bundlePath, tmp));
  const files: [string, string][] = [
    ['card.md', v.card],
    ['metrics.json', json(v.metrics)],
    ['params.json', json(v.params)],
    ['lineage.json', json(v.lineage)],
  ];
  for (const [name, text] of files) writeAtomic(join(dir, name), (tmp) => writeFileSync(tmp, text));
  return [v.bundleFile, ...files.map(([name]) => name)];
}
