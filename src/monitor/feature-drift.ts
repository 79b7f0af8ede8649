/**
 * Drift of new rows against a bundle's training summary: per input column the PSI over the
 * training bins, the KS test against the training quantiles (numeric columns), the change in the
 * missing-value rate; the PSI and KS of the model's scores; and Benjamini–Hochberg over the
 * columns' KS p-values, so that with 30 columns a few small p-values by chance are not called drift.
 */
import type { Dataset } from '../data/dataset.js';
import { benjaminiHochberg, binProportions, ksPValue, ksStatistic, psi } from './drift.js';
import type { ColumnSummary, NumericSummary, TrainingSummary } from './training-summary.js';

/** New levels of a categorical column are pooled into this bin for the PSI. */
export const UNSEEN_LEVEL = '(unseen)';

export interface KsResult {
  statistic: number;
  p: number;
  /** Benjamini–Hochberg over the numeric columns (the prediction's test is not in the family). */
  p_adjusted?: number;
  drifted?: boolean;
}

export interface ColumnDrift {
  column: string;
  kind: 'numeric' | 'categorical';
  /** Rows with a value, new data. */
  n: number;
  psi: number | null;
  ks?: KsResult;
  missing: { training: number; current: number; change: number };
}

export interface PredictionDrift {
  score: string;
  n: number;
  psi: number | null;
  ks: KsResult;
}

export interface DriftReport {
  correction: 'benjamini-hochberg';
  /** Adjusted p-value below which a column's distribution is called drifted. */
  alpha: number;
  columns: ColumnDrift[];
  prediction?: PredictionDrift;
}

const r6 = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : x);

function numericDrift(s: NumericSummary, values: ArrayLike<number>, trainingRows: number): { psi: number | null; ks: KsResult; n: number } {
  const present = Float64Array.from(Array.from(values).filter((v) => !Number.isNaN(v))).sort();
  const current = binProportions(present, s.edges);
  const statistic = ksStatistic(Float64Array.from(s.quantiles), present);
  return {
    n: present.length,
    psi: present.length && s.n ? r6(psi(s.proportions, current)) : null,
    // The p-value uses the real training size: the quantiles stand for s.n values, not for 100.
    ks: { statistic: r6(statistic), p: r6(ksPValue(statistic, s.n || trainingRows, present.length)) },
  };
}

function categoricalDrift(
  s: Extract<ColumnSummary, { kind: 'categorical' }>,
  codes: ArrayLike<number>,
  categories: readonly string[],
): { psi: number | null; n: number } {
  const levels = Object.keys(s.levels);
  const slot = categories.map((c) => {
    const k = levels.indexOf(c);
    return k >= 0 ? k : levels.length;
  });
  const counts = new Array<number>(levels.length + 1).fill(0);
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) counts[slot[codes[i]]]++, n++;
  const train = [...levels.map((l) => s.levels[l]), 0];
  return {
    n,
    psi:
      n && s.n
        ? r6(
            psi(
              train,
              counts.map((c) => c / n),
            ),
          )
        : null,
  };
}

function missingRate(ds: Dataset, name: string): number {
  const d = ds.columns.find((c) => c.name === name)?.data;
  if (!d || !ds.rowCount) return 0;
  let m = 0;
  for (let i = 0; i < ds.rowCount; i++)
    if (d.type === 'numeric' ? Number.isNaN(d.values[i]) : d.type === 'categorical' ? d.codes[i] < 0 : d.values[i] === null) m++;
  return m / ds.rowCount;
}

/** Categorical codes of a column read as numeric or text in the new rows (a CSV with other levels). */
function asCategorical(d: Dataset['columns'][number]['data']): { codes: Int32Array; categories: string[] } {
  if (d.type === 'categorical') return { codes: Int32Array.from(d.codes), categories: [...d.categories] };
  const text = d.type === 'numeric' ? Array.from(d.values, (v) => (Number.isNaN(v) ? null : String(v))) : d.values;
  const categories = [...new Set(text.filter((t): t is string => t !== null))];
  return { codes: Int32Array.from(text, (t) => (t === null ? -1 : categories.indexOf(t))), categories };
}

export function featureDrift(summary: TrainingSummary, ds: Dataset, scores: Float64Array | undefined, alpha: number): DriftReport {
  const columns: ColumnDrift[] = summary.columns.map((s) => {
    const col = ds.columns.find((c) => c.name === s.name);
    if (!col) throw new Error(`internal: column "${s.name}" was checked against the signature`);
    const current = missingRate(ds, s.name);
    const missing = { training: s.missing_rate, current: r6(current), change: r6(current - s.missing_rate) };
    if (s.kind === 'numeric') {
      const values = col.data.type === 'numeric' ? col.data.values : new Float64Array(ds.rowCount).fill(NaN);
      const d = numericDrift(s, values, summary.rows);
      return { column: s.name, kind: 'numeric', n: d.n, psi: d.psi, ks: d.ks, missing };
    }
    const { codes, categories } = asCategorical(col.data);
    const d = categoricalDrift(s, codes, categories);
    return { column: s.name, kind: 'categorical', n: d.n, psi: d.psi, missing };
  });
  const tested = columns.filter((c) => c.ks && Number.isFinite(c.ks.p));
  const adjusted = benjaminiHochberg(tested.map((c) => (c.ks as KsResult).p));
  tested.forEach((c, i) => {
    const ks = c.ks as KsResult;
    ks.p_adjusted = r6(adjusted[i]);
    ks.drifted = adjusted[i] < alpha;
  });
  const report: DriftReport = { correction: 'benjamini-hochberg', alpha, columns };
  if (summary.prediction && scores) {
    const d = numericDrift(summary.prediction.summary, scores, summary.rows);
    report.prediction = { score: summary.prediction.score, n: d.n, psi: d.psi, ks: { ...d.ks, drifted: d.ks.p < alpha } };
  }
  return report;
}
