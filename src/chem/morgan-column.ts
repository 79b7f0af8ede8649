/**
 * Morgan fingerprints of a dataset's SMILES column, packed (see bits.ts): for steps that compare
 * molecules by a fingerprint other than the one in their feature columns.
 */
import type { Dataset } from '../data/dataset.js';
import { StepInputError } from '../errors.js';
import { featurizeSmiles } from './featurize.js';
import type { MorganOptions } from './morgan.js';
import { loadRDKit } from './rdkit.js';
import { invalidSmilesText, smilesOf } from './smiles-column.js';

/** The packed fingerprints of every row of `ds`; a missing or unreadable SMILES is an error naming `which` table and the row. */
export async function morganFromSmiles(ds: Dataset, options: MorganOptions & { smiles: string }, which: string): Promise<Uint32Array> {
  const smiles = smilesOf(ds, options.smiles, 'morgan.smiles', which);
  const done = featurizeSmiles(await loadRDKit(), smiles, { descriptors: [], fingerprint: { radius: options.radius, bits: options.bits }, onInvalid: 'stop' });
  if (done.invalid.length) {
    const row = done.invalid[0];
    throw new StepInputError(
      `column "${options.smiles}", data row ${row + 1} of ${which}: ${invalidSmilesText(smiles[row])}; drop or fix the row (featurize.molecules with invalid: drop does)`,
    );
  }
  return done.fingerprints;
}
