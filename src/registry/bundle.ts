/**
 * Bundle files on disk: reading them checked against their digest, and exporting a registered version to a folder (its bundle,
 * checked against its digest, plus card.md, metrics.json, params.json and lineage.json) so it can
 * be reviewed, archived or shipped without medpipe.
 */
import { sha256 } from '../engine/fingerprint.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileDurably } from '../engine/durable.js';
import { join } from 'node:path';
import { RegistryError } from './errors.js';
import type { ModelVersion } from './types.js';

/**
 * A registered version's bundle bytes, checked against the digest it was registered with: the one
 * way every command that serves or ships a model (predict, recommend, export, audit) reads it. A
 * bundle that no longer matches is not the model that was registered, and is never used.
 */
export function readVerifiedBundle(v: Pick<ModelVersion, 'name' | 'version' | 'bundleDigest' | 'bundlePath'>): Buffer {
  const ref = `${v.name}@${v.version}`;
  let bytes: Buffer;
  try {
    bytes = readFileSync(v.bundlePath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new RegistryError(
      'not-found',
      `the bundle of ${ref} (${v.bundleDigest.slice(0, 12)}…) is not in the store at ${v.bundlePath}: was the store moved, or its objects deleted? Re-run the pipeline that registered it to rebuild it (the same inputs give the same bundle)`,
    );
  }
  const actual = sha256(bytes);
  if (actual !== v.bundleDigest) {
    throw new RegistryError(
      'corrupt',
      `the bundle of ${ref} in the store (${v.bundlePath}) does not match its registered digest (expected ${v.bundleDigest}, actual ${actual}): the file was changed after registration and is not used. Run \`medpipe cache verify\` to set damaged objects aside, then re-run the pipeline that registered it to rebuild it`,
    );
  }
  return bytes;
}

/** The files written, by their names in `dir`. */
export function exportVersion(v: ModelVersion, dir: string): string[] {
  // Verified before anything is written, so a damaged bundle leaves no partial export behind.
  const bundle = readVerifiedBundle(v);
  mkdirSync(dir, { recursive: true });
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  writeFileDurably(join(dir, v.bundleFile), bundle);
  const files: [string, string][] = [
    ['card.md', v.card],
    ['metrics.json', json(v.metrics)],
    ['params.json', json(v.params)],
    ['lineage.json', json(v.lineage)],
  ];
  for (const [name, text] of files) writeFileDurably(join(dir, name), text);
  return [v.bundleFile, ...files.map(([name]) => name)];
}
