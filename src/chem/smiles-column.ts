/** The SMILES strings of a dataset's column, for the steps that read molecules. */
import { getColumn, type Dataset } from '../data/dataset.js';
import { StepInputError } from '../errors.js';
import { didYouMean } from '../suggest.js';

/**
 * The strings of column `name` (null where missing); a missing or numeric column is an error
 * naming the parameter that chose it (`param`) and the table (`table`, e.g. "in.reference").
 */
export function smilesOf(ds: Dataset, name: string, param = 'smiles', table = 'the dataset'): (string | null)[] {
  const names = ds.columns.map((c) => c.name);
  const column = getColumn(ds, name);
  if (!column)
    throw new StepInputError(
      `the SMILES column "${name}" is not in ${table}${didYouMean(name, names)}; set ${param}: to the column holding SMILES (columns: ${names.join(', ')})`,
    );
  const data = column.data;
  if (data.type === 'numeric')
    throw new StepInputError(`column "${name}" of ${table} holds numbers, not SMILES strings: set ${param}: to the column holding SMILES`);
  return data.type === 'text' ? [...data.values] : Array.from(data.codes, (c) => (c < 0 ? null : data.categories[c]));
}

/** Characters of a SMILES quoted in an error: enough to find the molecule in its table, no more. */
const SMILES_SHOWN = 60;

/** What is wrong with a SMILES RDKit could not read, for an error that names its row. */
export function invalidSmilesText(s: string | null): string {
  if (s === null || s.trim() === '') return 'the SMILES is missing';
  return `${JSON.stringify(s.length > SMILES_SHOWN ? `${s.slice(0, SMILES_SHOWN)}…` : s)} is not a valid SMILES (RDKit cannot parse or sanitise it)`;
}
