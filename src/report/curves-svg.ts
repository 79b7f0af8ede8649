/**
 * The binary classifier's curves as SVG: ROC (with the chance diagonal), precision-recall (with
 * the prevalence line) and calibration (with the perfect-calibration diagonal, points sized by
 * how many rows fall in the bin). All on unit axes, same size, so they line up side by side.
 */
import { esc } from './escape.js';
import { fmtNumber, px } from './format.js';
import type { CalibrationBin, MetricsReport } from './report-data.js';
import { axes, linear, linePath, svgChart, type Scale } from './svg.js';

const SIZE = 300;
const M = { left: 50, right: 14, top: 14, bottom: 44 };

function unitAxes(xLabel: string, yLabel: string): { x: Scale; y: Scale; frame: string } {
  const x = linear([0, 1], [M.left, SIZE - M.right]);
  const y = linear([0, 1], [SIZE - M.bottom, M.top]);
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  return { x, y, frame: axes({ x, y, xTicks: ticks, yTicks: ticks, xLabel, yLabel, grid: true }) };
}

function legend(text: string): string {
  return `<text class="legend" x="${SIZE - M.right - 6}" y="${SIZE - M.bottom - 10}" text-anchor="end">${esc(text)}</text>`;
}

export function rocSvg(roc: NonNullable<MetricsReport['roc_curve']>, auc: number | null | undefined): string {
  const { x, y, frame } = unitAxes('false positive rate (1 − specificity)', 'true positive rate');
  const diagonal = `<line class="reference" x1="${px(x(0))}" y1="${px(y(0))}" x2="${px(x(1))}" y2="${px(y(1))}"/>`;
  const d = linePath(roc.fpr.map((f, i) => [x(f), y(roc.tpr[i])] as const));
  const curve = `<path class="curve roc" data-points="${roc.fpr.length}" d="${d}"><title>${esc(`ROC curve, ${roc.fpr.length} points`)}</title></path>`;
  return svgChart('roc', SIZE, SIZE, 'ROC curve', frame + diagonal + curve + legend(`AUC ${fmtNumber(auc ?? null)}`));
}

/**
 * Precision-recall points. A stored PR curve is used as is; otherwise the points are computed at
 * the ROC curve's thresholds: recall = TPR, precision = TP / (TP + FP) with TP = TPR·P and
 * FP = FPR·N. Exact at those thresholds; the ROC curve keeps only its corners, so this is coarser
 * than a full PR curve, and it is drawn as steps between them.
 */
export function precisionRecall(report: MetricsReport): { recall: number[]; precision: number[]; prevalence: number } | undefined {
  const classes = report.classes;
  if (report.task !== 'binary' || !classes || classes.length !== 2) return undefined;
  const positives = report.class_counts?.[classes[1]];
  const negatives = report.class_counts?.[classes[0]];
  if (positives === undefined || negatives === undefined || positives + negatives === 0) return undefined;
  const prevalence = positives / (positives + negatives);
  if (report.pr_curve) return { recall: report.pr_curve.recall, precision: report.pr_curve.precision, prevalence };
  const roc = report.roc_curve;
  if (!roc) return undefined;
  const recall: number[] = [];
  const precision: number[] = [];
  roc.fpr.forEach((fpr, i) => {
    const tp = roc.tpr[i] * positives;
    const fp = fpr * negatives;
    if (tp + fp > 0) {
      recall.push(roc.tpr[i]);
      precision.push(tp / (tp + fp));
    }
  });
  return recall.length ? { recall, precision, prevalence } : undefined;
}

export function prSvg(pr: { recall: number[]; precision: number[]; prevalence: number }, auc: number | null | undefined): string {
  const { x, y, frame } = unitAxes('recall (sensitivity)', 'precision');
  const base = `<line class="reference" x1="${px(x(0))}" y1="${px(y(pr.prevalence))}" x2="${px(x(1))}" y2="${px(y(pr.prevalence))}"><title>${esc(`prevalence ${fmtNumber(pr.prevalence)}`)}</title></line>`;
  // Steps: precision holds until recall reaches the next point (as scikit-learn plots it).
  const points: [number, number][] = [];
  pr.recall.forEach((r, i) => {
    if (i > 0) points.push([x(r), y(pr.precision[i - 1])]);
    points.push([x(r), y(pr.precision[i])]);
  });
  const curve = `<path class="curve pr" data-points="${pr.recall.length}" d="${linePath(points)}"><title>${esc(`precision-recall, ${pr.recall.length} points`)}</title></path>`;
  return svgChart('pr', SIZE, SIZE, 'precision-recall curve', frame + base + curve + legend(`AP ${fmtNumber(auc ?? null)}`));
}

export function calibrationSvg(bins: readonly CalibrationBin[]): string {
  const { x, y, frame } = unitAxes('mean predicted probability', 'observed fraction positive');
  const diagonal = `<line class="reference" x1="${px(x(0))}" y1="${px(y(0))}" x2="${px(x(1))}" y2="${px(y(1))}"><title>perfect calibration</title></line>`;
  const used = bins.filter(
    (b) => b.n > 0 && b.mean_predicted !== null && b.fraction_positive !== null && Number.isFinite(b.mean_predicted) && Number.isFinite(b.fraction_positive),
  );
  const maxN = Math.max(1, ...used.map((b) => b.n));
  const line = `<path class="curve calibration" data-points="${used.length}" d="${linePath(used.map((b) => [x(b.mean_predicted as number), y(b.fraction_positive as number)] as const))}"/>`;
  const dots = used
    .map((b) => {
      const tip = `${fmtNumber(b.lower)}–${fmtNumber(b.upper)}: ${b.n} rows, predicted ${fmtNumber(b.mean_predicted)}, observed ${fmtNumber(b.fraction_positive)}`;
      return `<circle class="bin" cx="${px(x(b.mean_predicted as number))}" cy="${px(y(b.fraction_positive as number))}" r="${px(2.5 + 4.5 * Math.sqrt(b.n / maxN))}"><title>${esc(tip)}</title></circle>`;
    })
    .join('');
  return svgChart('calibration', SIZE, SIZE, 'calibration curve', frame + diagonal + line + dots);
}
