/**
 * Morgan fingerprints of a dataset's SMILES column, packed (see bits.ts): for steps that compare
 * molecules by a fingerprint other than the one in their feature columns.
 */
import { getColumn, type Dataset } from '../data/dataset.js';
import { StepInputError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { featurizeSmiles } from './featurize.js';
import type { MorganOptions } from './morgan.js';
import { loadRDKit } from './rdkit.js';

/** Characters of a SMILES shown in an error: enough to find the molecule, not a data dump. */
const SMILES_SHOWN = 60;

/** The packed fingerprints of every row of `ds`; a missing or unreadable SMILES is an error naming `which` table and the row. */
export async function morganFromSmiles(ds: Dataset, options: MorganOptions & { smiles: string }, which: string): Promise<Uint32Array> {
  const column = getColumn(ds, options.smiles);
  if (!column)
    throw new StepInputError(
      `${which} has no SMILES column "${options.smiles}"${didYouMean(
        options.smiles,
        ds.columns.map((c) => c.name),
      )}; set morgan.smiles: to the column holding SMILES`,
    );
  if (column.data.type !== 'text') throw new StepInputError(`${which} column "${options.smiles}" is ${column.data.type}, not SMILES text`);
  const smiles = column.data.values;
  const done = featurizeSmiles(await loadRDKit(), smiles, { descriptors: [], fingerprint: { radius: options.radius, bits: options.bits }, onInvalid: 'stop' });
  if (done.invalid.length) {
    const row = done.invalid[0];
    const s = smiles[row];
    throw new StepInputError(
      `${which} row ${row + 1}: ${s === null ? `no SMILES in "${options.smiles}"` : `"${s.length > SMILES_SHOWN ? `${s.slice(0, SMILES_SHOWN)}…` : s}" is not a SMILES RDKit can read`}; drop or fix the row (featurize.molecules with invalid: drop does)`,
    );
  }
  return done.fingerprints;
}
