/**
 * The model card's explanation section: which method explains the model, what the bundle keeps
 * for it (training patients' rows: the card says so), and a global summary, the mean absolute
 * contribution of each feature over rows of the background sample.
 *
 * The summary is over the background sample because the register step has the training rows and
 * not the test rows; it says how much each feature moves this model's output on patients like
 * those it was trained on.
 */
import type { ModelBundle } from '../bundle/bundle.js';
import { explainModelRows } from './index.js';
import type { BundleExplanation } from './index.js';

/**
 * Background rows the card's summary is computed over: all of them for TreeSHAP (milliseconds);
 * the first 10 for KernelSHAP, whose exact mode evaluates the model 2^M x background times per
 * row (about 0.2 s a row for the flagship SVM), so register stays fast.
 */
export const KERNEL_SUMMARY_ROWS = 10;
/** Features listed in the card's table. */
const TOP = 15;

export interface GlobalSummaryRow {
  feature: string;
  meanAbs: number;
}

/** The output the summary describes: the positive class of a binary model, else every output averaged. */
function outputWeights(bundle: ModelBundle, e: BundleExplanation): { weights: number[]; label: string } {
  const positive = bundle.signature.target.positive;
  const at = positive === undefined ? -1 : e.outputs.indexOf(positive);
  if (e.outputs.length === 2 && at >= 0) return { weights: e.outputs.map((_, i) => (i === at ? 1 : 0)), label: `P(${positive})` };
  if (e.outputs.length === 1) return { weights: [1], label: e.outputs[0] === 'value' ? 'the predicted value' : 'the decision value' };
  return { weights: e.outputs.map(() => 1 / e.outputs.length), label: 'each class probability (averaged over classes)' };
}

/** Mean |contribution| per feature, largest first (ties in feature order). */
export function globalSummary(bundle: ModelBundle, e: BundleExplanation): { rows: GlobalSummaryRow[]; label: string } {
  const { weights, label } = outputWeights(bundle, e);
  const sums = e.features.map((_, i) => e.rows.reduce((s, row) => s + weights.reduce((t, w, o) => t + w * Math.abs(row.contributions[o][i]), 0), 0));
  const rows = e.features.map((feature, i) => ({ feature, meanAbs: sums[i] / Math.max(1, e.rows.length) }));
  return { rows: rows.sort((a, b) => b.meanAbs - a.meanAbs), label };
}

const METHOD: Record<BundleExplanation['method'], string> = {
  'tree-shap': 'exact path-dependent TreeSHAP (node covers counted on the training rows)',
  'kernel-shap-exact': 'KernelSHAP over every coalition of features (exact Shapley values) against the background sample',
  'kernel-shap-sampled': 'KernelSHAP with sampled coalitions against the background sample (each explanation reports its error)',
};

/** The "## Explanations" section of the card; empty when the bundle has no explanation data. */
export async function explanationCardLines(bundle: ModelBundle): Promise<string[]> {
  const data = bundle.explain;
  if (!data) return [];
  const bg = data.background;
  const n = data.covers !== undefined ? bg.rows.length : Math.min(KERNEL_SUMMARY_ROWS, bg.rows.length);
  const X = Float64Array.from(bg.rows.slice(0, n).flat());
  const e = await explainModelRows(bundle, X, n);
  const { rows, label } = globalSummary(bundle, e);
  const fmt = (v: number): string => (v === 0 ? '0' : Math.abs(v) >= 0.001 ? v.toFixed(4) : v.toExponential(2));
  return [
    '## Explanations',
    '',
    `- Method: ${METHOD[e.method]}; \`medpipe explain\` gives each feature's contribution to each prediction.`,
    `- Background: ${bg.rows.length} training rows sampled with seed ${bg.seed} from ${bg.trainingRows}, stored in the bundle in the model's feature space. These are training patients' data: protect the bundle as you protect the training data.`,
    `- Features: ${e.preprocessing}`,
    '',
    `Mean |contribution| to ${label} over ${n} background rows${rows.length > TOP ? ` (top ${TOP} of ${rows.length})` : ''}:`,
    '',
    '| feature | mean abs contribution |',
    '|---|---|',
    ...rows.slice(0, TOP).map((r) => `| ${r.feature} | ${fmt(r.meanAbs)} |`),
    '',
  ];
}
