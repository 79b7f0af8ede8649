/**
 * SMILES strings to a table of canonical SMILES, descriptors and packed Morgan fingerprints. A
 * plain library on typed arrays; the featurize.molecules step adapts it to datasets.
 */
import { runUnits, runUnitsCancellable } from '../ml/cancellation-point.js';
import { wordsFor } from './bits.js';
import type { DescriptorName } from './descriptor-names.js';
import { writeDescriptors } from './descriptors.js';
import { morganDetails, writeMorgan, type MorganOptions } from './morgan.js';
import { parseMolecule, type Molecule, type RDKit } from './rdkit.js';
import { describeStandardization, standardizeMolecule, type DropReason } from './standardize.js';

export interface FeaturizeOptions {
  descriptors: readonly DescriptorName[];
  fingerprint: MorganOptions | null;
  /** `stop`: return at the first invalid SMILES (its row is the only one in `invalid`); `skip`: leave it out and go on. */
  onInvalid: 'stop' | 'skip';
  /** Standardise each molecule (src/chem/standardize.ts) before describing it; dropped ones are listed in `dropped`. */
  standardize?: boolean;
  /** Called every `progressEvery` molecules with (done, total). */
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
}

export interface Featurized {
  /** Input row of each output row, ascending. */
  rows: Int32Array;
  /** Input rows whose SMILES RDKit could not read (or that were missing), ascending. */
  invalid: number[];
  canonical: string[];
  /** Input rows left out by standardisation (metal, no carbon), ascending. */
  dropped: { row: number; reason: DropReason }[];
  /** What standardisation changed in each output row ("" for nothing); null without standardisation. */
  standardization: string[] | null;
  /** descriptors[j] holds descriptor options.descriptors[j] for every output row. */
  descriptors: Float64Array[];
  /** Packed fingerprints, wordsFor(bits) words per output row (empty without a fingerprint). */
  fingerprints: Uint32Array;
}

export function featurizeSmiles(rdkit: RDKit, smiles: readonly (string | null)[], options: FeaturizeOptions): Featurized {
  return runUnits(featurizeUnits(rdkit, smiles, options));
}

/** `featurizeSmiles` that stops between molecules once `signal` is aborted (rejecting with its reason). */
export function featurizeSmilesCancellable(
  rdkit: RDKit,
  smiles: readonly (string | null)[],
  options: FeaturizeOptions,
  signal: AbortSignal,
): Promise<Featurized> {
  return runUnitsCancellable(featurizeUnits(rdkit, smiles, options), signal);
}

/** The featurization, one molecule per unit (RDKit takes a few milliseconds per molecule for the default descriptors and fingerprint). */
function* featurizeUnits(rdkit: RDKit, smiles: readonly (string | null)[], options: FeaturizeOptions): Generator<void, Featurized, void> {
  const n = smiles.length;
  const names = options.descriptors;
  const d = names.length;
  const fp = options.fingerprint;
  const words = fp ? wordsFor(fp.bits) : 0;
  const details = fp ? morganDetails(fp) : '';
  const every = options.progressEvery ?? 500;

  const rows = new Int32Array(n);
  const invalid: number[] = [];
  const canonical: string[] = [];
  const dropped: { row: number; reason: DropReason }[] = [];
  const changes: string[] | null = options.standardize ? [] : null;
  // Row-major while filling (one write per molecule), split into columns at the end.
  const table = new Float64Array(n * d);
  const fingerprints = new Uint32Array(n * words);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (options.onProgress && i > 0 && i % every === 0) options.onProgress(i, n);
    const s = smiles[i];
    const parsed = s === null ? null : parseMolecule(rdkit, s);
    if (!parsed) {
      invalid.push(i);
      if (options.onInvalid === 'stop') break;
      continue;
    }
    let mol: Molecule = parsed;
    if (changes) {
      const std = standardizeMolecule(rdkit, parsed);
      parsed.delete();
      if (std.status === 'dropped') {
        dropped.push({ row: i, reason: std.reason });
        continue;
      }
      mol = std.mol;
      changes.push(describeStandardization(std));
    }
    try {
      canonical.push(mol.get_smiles());
      if (d) writeDescriptors(mol, names, table, kept * d);
      if (fp) writeMorgan(mol, details, fp.bits, fingerprints, kept);
    } finally {
      mol.delete();
    }
    rows[kept++] = i;
    yield;
  }
  const descriptors = names.map((_, j) => {
    const col = new Float64Array(kept);
    for (let r = 0; r < kept; r++) col[r] = table[r * d + j];
    return col;
  });
  return { rows: rows.slice(0, kept), invalid, canonical, dropped, standardization: changes, descriptors, fingerprints: fingerprints.slice(0, kept * words) };
}
