/** Shared set-up for the chemistry tests: small tables as artifacts. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { loadBuiltin } from '../../src/data/builtin.js';
import { makeDataset, takeRows, type Column, type Dataset } from '../../src/data/dataset.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'medpipe-chem-'));
}

/** Writes `ds` as an Arrow artifact in a fresh folder and returns its path. */
export async function datasetFile(ds: Dataset, name = 'data.arrow'): Promise<string> {
  const path = join(tempDir(), name);
  await writeDatasetFile(path, ds);
  return path;
}

/** A table of ids and SMILES as load.csv would give it (id column, text SMILES). */
export function smilesTable(smiles: readonly (string | null)[], ids = smiles.map((_, i) => `m${i + 1}`)): Dataset {
  const columns: Column[] = [
    { name: 'mol_id', kind: 'id', data: { type: 'text', values: ids } },
    { name: 'smiles', kind: 'text', data: { type: 'text', values: [...smiles] } },
  ];
  return makeDataset(columns);
}

/** The shipped ChEMBL table (compound_id, smiles, pic50 target), or its first `rows` rows. */
export async function chembl(rows?: number): Promise<Dataset> {
  const ds = await loadBuiltin('chembl2321810-pic50');
  return rows === undefined
    ? ds
    : takeRows(
        ds,
        Int32Array.from({ length: rows }, (_, i) => i),
      );
}

/** The shipped NCI screening library (nci_id, smiles), or its first `rows` rows. */
export async function nci(rows?: number): Promise<Dataset> {
  const ds = await loadBuiltin('nci-screening-5k');
  return rows === undefined
    ? ds
    : takeRows(
        ds,
        Int32Array.from({ length: rows }, (_, i) => i),
      );
}
