/**
 * Step `featurize.molecules`: a column of SMILES to RDKit descriptors and Morgan fingerprint bits,
 * with RDKit's canonical SMILES as the id column. Adapter over src/chem/featurize.ts.
 *
 * By default each molecule is standardised first (src/chem/standardize.ts: salts stripped, charges
 * neutralised, metal complexes and inorganics dropped): version 2, since the descriptors of a salt
 * are those of its parent now.
 */
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';
import { DEFAULT_DESCRIPTORS, DESCRIPTOR_KEYS, DESCRIPTOR_NAMES, type DescriptorName } from '../chem/descriptor-names.js';

interface FingerprintParams {
  radius?: number;
  bits?: number;
  prefix?: string;
}

interface Params {
  smiles: string;
  descriptors: DescriptorName[];
  fingerprint: FingerprintParams | false;
  invalid: 'fail' | 'drop';
  keep: string[] | null;
  standardize: boolean;
}

const FINGERPRINT_DEFAULTS = { radius: 2, bits: 256, prefix: 'fp_' } as const;
/** Invalid rows named in the log and the summary; the count is always complete. */
const ROWS_SHOWN = 10;
/** The output column saying what standardisation changed in each row. */
const STANDARDIZATION_COLUMN = 'standardization';

/** The row as a spreadsheet or load.csv counts it: the header is row 1, the first data row is row 2. */
const fileRow = (index: number): number => index + 2;

export default defineStep<Params>({
  id: 'featurize.molecules',
  version: '2',
  description: 'Molecules (a SMILES column) to RDKit descriptors and Morgan fingerprint bits, with canonical SMILES as the id column.',
  inputs: { data: { kind: 'dataset', description: 'A table with a SMILES column (e.g. load.builtin chembl2321810-pic50 or nci-screening-5k).' } },
  outputs: {
    data: {
      kind: 'dataset',
      description:
        'canonical_smiles (id, of the standardised molecule), the kept input columns, standardization (what standardisation changed; with standardize: true), one float64 column per descriptor and one 0/1 column per fingerprint bit.',
    },
  },
  defaultOutput: 'data',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      smiles: { type: 'string', minLength: 1, default: 'smiles', description: 'The column holding SMILES strings.' },
      descriptors: {
        type: 'array',
        items: { enum: DESCRIPTOR_NAMES },
        uniqueItems: true,
        default: DEFAULT_DESCRIPTORS,
        description: `RDKit descriptors, one output column each, in this order. Available: ${DESCRIPTOR_NAMES.join(', ')}. hbd/hba are RDKit's NumHBD/NumHBA; lipinski_hbd/lipinski_hba the rule-of-five NHOH/NO counts.`,
      },
      fingerprint: {
        anyOf: [
          { const: false },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              radius: { type: 'integer', minimum: 0, maximum: 6, description: 'Morgan radius (2 is ECFP4-like); default 2.' },
              bits: { type: 'integer', minimum: 8, maximum: 2048, description: 'Fingerprint length; default 256.' },
              prefix: { type: 'string', minLength: 1, description: 'Bit columns are named <prefix>0 … <prefix>(bits-1); default fp_.' },
            },
          },
        ],
        default: FINGERPRINT_DEFAULTS,
        description: 'Morgan fingerprint bits as 0/1 columns: { radius, bits, prefix } (defaults 2, 256, fp_), or false for descriptors only.',
      },
      invalid: {
        enum: ['fail', 'drop'],
        default: 'fail',
        description: 'A SMILES RDKit cannot read (or a missing one): fail names its row; drop leaves the row out and counts it.',
      },
      keep: {
        type: ['array', 'null'],
        items: { type: 'string' },
        uniqueItems: true,
        default: null,
        description: 'Input columns carried to the output (ids, target); null = every column except the SMILES column.',
      },
      standardize: {
        type: 'boolean',
        default: true,
        description:
          'Standardise each molecule first: keep the largest organic fragment (salts, solvents stripped), neutralise charges where a hydrogen can be added or removed, drop (and count) molecules with a metal or without carbon. Tautomers are left as written (MinimalLib has no canonicaliser). false featurizes the SMILES as written.',
      },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { getColumn, makeDataset, takeRows, summariseDataset } = await import('../data/dataset.js');
    const { didYouMean } = await import('../suggest.js');
    const { loadRDKit } = await import('../chem/rdkit.js');
    const { smilesOf, invalidSmilesText } = await import('../chem/smiles-column.js');
    const { featurizeSmilesCancellable } = await import('../chem/featurize.js');
    const { unpackColumns } = await import('../chem/bits.js');
    const { standardizationSettings } = await import('../chem/standardize.js');
    type Column = import('../data/dataset.js').Column;

    const ds = await readDatasetFile(ctx.input('data')!);
    const names = ds.columns.map((c) => c.name);
    const smiles = smilesOf(ds, params.smiles);

    const fp = params.fingerprint === false ? null : { ...FINGERPRINT_DEFAULTS, ...params.fingerprint };
    const keep = params.keep ?? names.filter((n) => n !== params.smiles);
    for (const k of keep) if (!getColumn(ds, k)) throw new StepInputError(`keep names column "${k}", which is not in the dataset${didYouMean(k, names)}`);
    const produced = [
      'canonical_smiles',
      ...(params.standardize ? [STANDARDIZATION_COLUMN] : []),
      ...params.descriptors,
      ...(fp ? Array.from({ length: fp.bits }, (_, b) => `${fp.prefix}${b}`) : []),
    ];
    const producedSet = new Set(produced);
    const clash = keep.find((k) => producedSet.has(k));
    if (clash)
      throw new StepInputError(
        `input column "${clash}" has the name of an output column of this step (already featurized?): leave it out with keep: [...]${fp ? ', or change fingerprint.prefix' : ''}`,
      );

    const rdkit = await loadRDKit();
    ctx.log(
      `RDKit ${rdkit.version()}: ${ds.rowCount} molecules, ${params.descriptors.length} descriptors${fp ? `, Morgan radius ${fp.radius} ${fp.bits} bits` : ''}`,
    );
    const result = await featurizeSmilesCancellable(
      rdkit,
      smiles,
      {
        descriptors: params.descriptors,
        fingerprint: fp ? { radius: fp.radius, bits: fp.bits } : null,
        onInvalid: params.invalid === 'fail' ? 'stop' : 'skip',
        standardize: params.standardize,
        onProgress: (done, total) => ctx.progress(`${done}/${total} molecules`, done / total),
      },
      ctx.signal,
    );

    if (params.invalid === 'fail' && result.invalid.length) {
      const i = result.invalid[0];
      const what = invalidSmilesText(smiles[i]);
      throw new StepInputError(
        `column "${params.smiles}", row ${fileRow(i)} (row 1 is the header, as load.csv counts): ${what}; correct it, or set invalid: drop to leave invalid molecules out`,
      );
    }
    const shownRows = result.invalid.slice(0, ROWS_SHOWN).map(fileRow);
    if (result.invalid.length) {
      ctx.log(
        `dropped ${result.invalid.length} invalid SMILES, rows ${shownRows.join(', ')}${result.invalid.length > ROWS_SHOWN ? ', …' : ''} (row 1 is the header)`,
      );
    }
    const droppedRows = result.dropped.slice(0, ROWS_SHOWN).map((d) => fileRow(d.row));
    const droppedBy = (reason: string): number => result.dropped.filter((d) => d.reason === reason).length;
    if (result.dropped.length) {
      ctx.log(
        `standardisation dropped ${result.dropped.length} molecules (${droppedBy('metal')} with a metal, ${droppedBy('no_carbon')} without carbon), rows ${droppedRows.join(', ')}${result.dropped.length > ROWS_SHOWN ? ', …' : ''} (row 1 is the header)`,
      );
    }
    if (ds.rowCount > 0 && result.rows.length === 0 && result.dropped.length > 0)
      throw new StepInputError(
        `standardisation dropped every molecule of column "${params.smiles}" (metal complexes or inorganics): set standardize: false to featurize them as written`,
      );
    if (ds.rowCount > 0 && result.rows.length === 0) throw new StepInputError(`no SMILES in column "${params.smiles}" could be read: is it the right column?`);

    const kept = takeRows(makeDataset(keep.map((k) => getColumn(ds, k)!)), result.rows);
    const columns: Column[] = [
      { name: 'canonical_smiles', kind: 'id', data: { type: 'text', values: result.canonical } },
      ...kept.columns,
      ...(result.standardization
        ? [{ name: STANDARDIZATION_COLUMN, kind: 'text', data: { type: 'text', values: result.standardization } } satisfies Column]
        : []),
      ...params.descriptors.map((name, j): Column => ({ name, kind: 'numeric', data: { type: 'numeric', values: result.descriptors[j] } })),
      ...(fp
        ? unpackColumns(result.fingerprints, result.rows.length, fp.bits).map(
            (values, b): Column => ({ name: `${fp.prefix}${b}`, kind: 'numeric', data: { type: 'numeric', values } }),
          )
        : []),
    ];
    const target = ds.target && keep.includes(ds.target.column) ? ds.target : undefined;
    const out = makeDataset(columns, target);
    await writeDatasetFile(ctx.output('data'), out);
    ctx.log(
      `featurized ${out.rowCount} of ${ds.rowCount} molecules: ${params.descriptors.length} descriptors (${params.descriptors.map((d) => `${d}=${DESCRIPTOR_KEYS[d]}`).join(', ')})${fp ? ` + ${fp.bits} fingerprint bits` : ''}`,
    );
    if (result.standardization) {
      const s = standardizationSummary(result.standardization);
      ctx.log(`standardised: ${s.salts_stripped} salts/solvates stripped, ${s.neutralised} molecules neutralised; tautomers ${s.tautomer}`);
    }
    return {
      ...summariseDataset(out),
      rdkit: rdkit.version(),
      molecules: ds.rowCount,
      featurized: out.rowCount,
      invalid: result.invalid.length,
      ...(result.invalid.length ? { invalid_rows: shownRows } : {}),
      ...(result.standardization ? { standardization: standardizationSummary(result.standardization) } : {}),
    };

    /** The settings and what they did, counts only (rows by number, at most ROWS_SHOWN). */
    function standardizationSummary(changes: readonly string[]) {
      return {
        ...standardizationSettings(rdkit.version()),
        changed: changes.filter((c) => c !== '').length,
        salts_stripped: changes.filter((c) => c.includes('stripped')).length,
        neutralised: changes.filter((c) => c.includes('neutralised')).length,
        dropped_metal: droppedBy('metal'),
        dropped_no_carbon: droppedBy('no_carbon'),
        ...(result.dropped.length ? { dropped_rows: droppedRows } : {}),
      };
    }
  },
});
