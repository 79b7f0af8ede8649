/**
 * Table <-> GAN matrix: picks the generated columns, standardises numeric ones, detects binary
 * 0/1 columns (fingerprint bits: generated through a sigmoid, sampled at generation), and turns
 * the condition (a categorical label, or bins of a numeric property) into a class index per row.
 * Column order inside the GAN is numeric columns first, then binary ones; the metadata keeps
 * each column's table position so generated tables come out in the training table's order.
 *
 * Whole-number columns are dequantised: each training value gets seeded uniform noise in
 * [-0.5, 0.5) and generated values are rounded back. A GAN fed the raw counts collapses each onto
 * its commonest value (rotatable bonds generated with sd 0.02 against 0.70 in the data); spread
 * over unit intervals the distribution is continuous and learnable, and rounding restores it.
 */
import { createRng } from '../../rng.js';
import { getColumn, type ColumnKind, type Dataset } from '../../data/dataset.js';
import { StepInputError } from '../../errors.js';
import { quantileKnots, toNormalScores } from './quantile.js';

export interface GanColumn {
  name: string;
  kind: ColumnKind;
  type: 'numeric' | 'binary';
  /** Standardisation (binary columns: mean 0, std 1, i.e. untouched). */
  mean: number;
  std: number;
  /**
   * A numeric column whose training values are all whole numbers (H-bond donors, ring counts):
   * trained dequantised and generated rounded into the training range.
   */
  integer?: { min: number; max: number };
  /**
   * Quantile transform (quantile.ts): the column's training distribution as sorted knots; the
   * generator works on normal scores and generated values are knots. mean 0, std 1 then.
   */
  quantiles?: number[];
}

/** How numeric columns are fed to the GAN: standardised (whole numbers dequantised), or normal scores of their ranks. */
export type NumericTransform = 'standard' | 'quantile';

export interface GanCondition {
  column: string;
  kind: ColumnKind;
  /** categorical: the column's labels; bins: intervals of a numeric column. */
  type: 'categorical' | 'bins';
  labels: string[];
  /** bins: ascending edges; bin i is [edges[i-1], edges[i]). */
  edges?: number[];
  /** Share of training rows per label (conditions are drawn with these when none is asked for). */
  frequencies: number[];
}

export interface ConditionParam {
  column: string;
  bins?: number[];
  labels?: string[];
}

export interface EncodedTable {
  /** In GAN order: numeric columns, then binary. */
  columns: GanColumn[];
  numericColumns: number;
  /** Column names in the training table's order (generated tables keep it). */
  tableOrder: string[];
  X: Float32Array;
  nRows: number;
  condition: GanCondition | null;
  cond?: Int32Array;
}

function binLabels(edges: readonly number[]): string[] {
  const out = [`< ${edges[0]}`];
  for (let i = 1; i < edges.length; i++) out.push(`[${edges[i - 1]}, ${edges[i]})`);
  out.push(`>= ${edges[edges.length - 1]}`);
  return out;
}

function encodeCondition(ds: Dataset, p: ConditionParam): { condition: GanCondition; cond: Int32Array } {
  const col = getColumn(ds, p.column);
  if (!col) throw new StepInputError(`condition.column "${p.column}" is not a column of the training data`);
  const n = ds.rowCount;
  const cond = new Int32Array(n);
  let labels: string[];
  let edges: number[] | undefined;
  if (col.data.type === 'categorical') {
    if (p.bins) throw new StepInputError(`condition.bins applies to a numeric column; "${p.column}" is categorical: remove bins to condition on its labels`);
    labels = [...col.data.categories];
    if (p.labels) throw new StepInputError(`condition.labels renames bins; "${p.column}" is categorical and keeps its own labels: remove condition.labels`);
    for (let r = 0; r < n; r++) {
      if (col.data.codes[r] < 0)
        throw new StepInputError(`condition column "${p.column}" has a missing value at data row ${r + 1}: drop or impute those rows first`);
      cond[r] = col.data.codes[r];
    }
  } else if (col.data.type === 'numeric') {
    if (!p.bins || p.bins.length === 0)
      throw new StepInputError(`condition column "${p.column}" is numeric: give condition.bins (edges, e.g. [7] for "< 7" and ">= 7")`);
    edges = [...p.bins];
    for (let i = 1; i < edges.length; i++) if (!(edges[i] > edges[i - 1])) throw new StepInputError('condition.bins must be strictly ascending');
    labels = p.labels ? [...p.labels] : binLabels(edges);
    if (labels.length !== edges.length + 1)
      throw new StepInputError(`condition.labels needs ${edges.length + 1} labels for ${edges.length} bin edge(s), got ${labels.length}`);
    if (new Set(labels).size !== labels.length) throw new StepInputError('condition.labels must be distinct');
    for (let r = 0; r < n; r++) {
      const v = col.data.values[r];
      if (Number.isNaN(v)) throw new StepInputError(`condition column "${p.column}" has a missing value at data row ${r + 1}: drop or impute those rows first`);
      let b = 0;
      while (b < edges.length && v >= edges[b]) b++;
      cond[r] = b;
    }
  } else {
    throw new StepInputError(`condition column "${p.column}" is text: condition on a categorical or a numeric column`);
  }
  const counts = new Array<number>(labels.length).fill(0);
  for (let r = 0; r < n; r++) counts[cond[r]]++;
  const empty = labels.filter((_, i) => counts[i] === 0);
  if (empty.length)
    throw new StepInputError(
      `condition "${p.column}": no training rows fall in ${empty.map((l) => `"${l}"`).join(', ')}: change condition.bins (or drop unused categories)`,
    );
  return {
    condition: {
      column: p.column,
      kind: col.kind,
      type: edges ? 'bins' : 'categorical',
      labels,
      ...(edges ? { edges } : {}),
      frequencies: counts.map((c) => c / n),
    },
    cond,
  };
}

/** RNG stream of the dequantisation noise (the training loop forks its own streams from the same seed). */
const DEQUANTISE_STREAM = 0x7ffffffe;

export function encodeTable(
  ds: Dataset,
  options: { columns: readonly string[] | null; exclude: readonly string[]; condition: ConditionParam | null; seed: number; transform?: NumericTransform },
): EncodedTable {
  for (const name of [...options.exclude, ...(options.columns ?? [])]) {
    if (!getColumn(ds, name)) throw new StepInputError(`column "${name}" is not in the training data`);
  }
  const conditioned = options.condition ? encodeCondition(ds, options.condition) : null;
  const categoricalCondition = conditioned?.condition.type === 'categorical' ? conditioned.condition.column : undefined;
  const picked = options.columns
    ? options.columns.map((name) => getColumn(ds, name)!)
    : ds.columns.filter((c) => c.data.type === 'numeric' && c.kind !== 'id' && !options.exclude.includes(c.name));
  for (const c of picked) {
    if (c.data.type !== 'numeric')
      throw new StepInputError(
        `column "${c.name}" is ${c.data.type}: train.gan generates numeric and 0/1 columns; remove it from columns (a label can be the condition)`,
      );
    if (c.name === categoricalCondition) throw new StepInputError(`column "${c.name}" is the condition: remove it from columns`);
  }
  if (picked.length === 0) throw new StepInputError('no numeric columns to generate: list them in columns, or check exclude');
  const n = ds.rowCount;
  if (n === 0) throw new StepInputError('the training data has no rows');

  const dequantise = createRng(options.seed).fork(DEQUANTISE_STREAM);
  const meta = picked.map((c): GanColumn & { values: Float64Array } => {
    const raw = (c.data as { values: Float64Array }).values;
    let binary = true;
    let whole = true;
    let min = Infinity,
      max = -Infinity;
    for (let r = 0; r < n; r++) {
      const v = raw[r];
      if (Number.isNaN(v)) throw new StepInputError(`column "${c.name}" has a missing value at data row ${r + 1}: impute it first (preprocess with impute)`);
      if (v !== 0 && v !== 1) binary = false;
      if (!Number.isInteger(v)) whole = false;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (binary) return { name: c.name, kind: c.kind, type: 'binary', mean: 0, std: 1, values: raw };
    if (options.transform === 'quantile') {
      return { name: c.name, kind: c.kind, type: 'numeric', mean: 0, std: 1, quantiles: quantileKnots(raw), values: toNormalScores(raw, dequantise) };
    }
    const integer = whole && max > min;
    const values = integer ? Float64Array.from(raw, (v) => v + dequantise.next() - 0.5) : raw;
    let sum = 0;
    for (let r = 0; r < n; r++) sum += values[r];
    const mean = sum / n;
    let ss = 0;
    for (let r = 0; r < n; r++) ss += (values[r] - mean) ** 2;
    const std = Math.sqrt(ss / n);
    return { name: c.name, kind: c.kind, type: 'numeric', mean, std: std > 0 ? std : 1, ...(integer ? { integer: { min, max } } : {}), values };
  });
  const ordered = [...meta.filter((m) => m.type === 'numeric'), ...meta.filter((m) => m.type === 'binary')];
  const d = ordered.length;
  const X = new Float32Array(n * d);
  ordered.forEach((m, j) => {
    for (let r = 0; r < n; r++) X[r * d + j] = (m.values[r] - m.mean) / m.std;
  });
  return {
    columns: ordered.map(({ values: _values, ...c }) => c),
    numericColumns: meta.filter((m) => m.type === 'numeric').length,
    tableOrder: [...picked.map((c) => c.name), ...(categoricalCondition ? [categoricalCondition] : [])].sort(
      (a, b) => ds.columns.findIndex((c) => c.name === a) - ds.columns.findIndex((c) => c.name === b),
    ),
    X,
    nRows: n,
    condition: conditioned?.condition ?? null,
    ...(conditioned ? { cond: conditioned.cond } : {}),
  };
}
