/**
 * Regression metrics (RMSE, MAE, R²) as scikit-learn computes them, over optional row weights
 * (bootstrap multiplicities). R² is NaN when the true values do not vary (sklearn would report
 * 1 or 0 there; neither says anything about the model).
 */

export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

export function regressionMetrics(y: Float64Array, pred: Float64Array, w?: Float64Array): RegressionMetrics {
  let total = 0,
    sq = 0,
    abs = 0,
    mean = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    const d = y[i] - pred[i];
    sq += wi * d * d;
    abs += wi * Math.abs(d);
    mean += wi * y[i];
    total += wi;
  }
  if (total === 0) return { rmse: NaN, mae: NaN, r2: NaN };
  mean /= total;
  let spread = 0;
  for (let i = 0; i < y.length; i++) {
    const wi = w ? w[i] : 1;
    if (wi !== 0) spread += wi * (y[i] - mean) * (y[i] - mean);
  }
  return { rmse: Math.sqrt(sq / total), mae: abs / total, r2: spread > 0 ? 1 - sq / spread : NaN };
}
