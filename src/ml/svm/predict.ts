/**
 * Prediction from a fitted model: libsvm's one-vs-one decision values and votes,
 * scikit-learn's sign convention for binary decision values and its 'ovr' aggregate, and
 * probability estimates by Platt scaling and pairwise coupling.
 */
import { StepInputError } from '../../errors.js';
import { kernelFromDot, rowSquaredNorms } from './kernel.js';
import { DotEngine } from './wasm-dot.js';
import { multiclassProbability, sigmoidPredict } from './probability.js';
import type { SvmModel } from './types.js';
import { wasmDecisionValues } from './wasm-solver.js';

function checkWidth(model: SvmModel, X: Float64Array, nRows: number): void {
  if (X.length !== nRows * model.nFeatures) {
    throw new StepInputError(
      `the SVM was fitted on ${model.nFeatures} features, but the rows given have ${X.length / Math.max(1, nRows)} (pass the same columns as in training)`,
    );
  }
}

/** Kernel values between every row of X and every support vector, nRows x nSupport. */
function kernelValues(model: SvmModel, X: Float64Array, nRows: number): Float64Array {
  const n = model.nFeatures,
    nSv = model.nSupport;
  // The support vectors plus one slot for the row being predicted, in one DotEngine.
  const engine = new DotEngine(nSv + 1, n);
  for (let v = 0; v < nSv; v++) engine.setRow(v, model.supportVectors, v * n);
  const sqSv = engine.sq;
  const sqX = rowSquaredNorms(X, nRows, n);
  const out = new Float64Array(nRows * nSv);
  const d = engine.out;
  const rbf = model.kernel === 'rbf',
    g = model.gamma;
  for (let r = 0; r < nRows; r++) {
    engine.P.set(X.subarray(r * n, (r + 1) * n), nSv * n);
    engine.dots(nSv, 0, nSv);
    const o = r * nSv,
      sq = sqX[r];
    if (rbf) for (let v = 0; v < nSv; v++) out[o + v] = Math.exp(-g * (sq + sqSv[v] - 2 * d[v]));
    else for (let v = 0; v < nSv; v++) out[o + v] = kernelFromDot(model, d[v], sq, sqSv[v]);
  }
  return out;
}

/**
 * libsvm's dec_values: nRows x nPairs for C-SVC (positive favours the first class of the pair),
 * nRows for SVR. Computed by the compiled solver module when it is available (same bits), else
 * here; `engine: 'typescript'` forces the JavaScript path (for tests).
 */
export function rawDecisionValues(model: SvmModel, X: Float64Array, nRows: number, engine: 'auto' | 'typescript' = 'auto'): Float64Array {
  checkWidth(model, X, nRows);
  const compiled = engine === 'auto' && nRows > 0 ? wasmDecisionValues(model, X, nRows) : null;
  if (compiled) return compiled;
  const K = kernelValues(model, X, nRows);
  const nSv = model.nSupport,
    coef = model.svCoef;
  if (model.type === 'epsilon-svr') {
    const out = new Float64Array(nRows);
    for (let r = 0; r < nRows; r++) {
      let s = 0;
      for (let v = 0; v < nSv; v++) s += coef[v] * K[r * nSv + v];
      out[r] = s - model.rho[0];
    }
    return out;
  }
  const k = model.labels.length,
    nPairs = (k * (k - 1)) / 2;
  const start = new Int32Array(k);
  for (let i = 1; i < k; i++) start[i] = start[i - 1] + model.nSupportPerClass[i - 1];
  const out = new Float64Array(nRows * nPairs);
  for (let r = 0; r < nRows; r++) {
    const o = r * nSv;
    let p = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        let s = 0;
        const si = start[i],
          sj = start[j],
          c1 = (j - 1) * nSv,
          c2 = i * nSv;
        for (let t = 0; t < model.nSupportPerClass[i]; t++) s += coef[c1 + si + t] * K[o + si + t];
        for (let t = 0; t < model.nSupportPerClass[j]; t++) s += coef[c2 + sj + t] * K[o + sj + t];
        out[r * nPairs + p] = s - model.rho[p];
        p++;
      }
    }
  }
  return out;
}

/**
 * Decision values as scikit-learn's decision_function: binary C-SVC one value per row, positive
 * for the second class (labels[1]); multi-class nRows x nPairs one-vs-one values (pairs (0,1),
 * (0,2), ..., positive for the first class of the pair); SVR the predictions.
 */
export function decisionFunction(model: SvmModel, X: Float64Array, nRows: number): Float64Array {
  const raw = rawDecisionValues(model, X, nRows);
  if (model.type === 'c-svc' && model.labels.length === 2) for (let r = 0; r < nRows; r++) raw[r] = -raw[r];
  return raw;
}

/** scikit-learn's decision_function_shape='ovr' aggregate of one-vs-one values: nRows x nClasses. */
export function decisionFunctionOvr(model: SvmModel, X: Float64Array, nRows: number): Float64Array {
  if (model.type !== 'c-svc') throw new StepInputError('one-vs-rest decision values exist only for classification (c-svc)');
  const raw = rawDecisionValues(model, X, nRows);
  const k = model.labels.length,
    nPairs = (k * (k - 1)) / 2;
  const out = new Float64Array(nRows * k);
  const conf = new Float64Array(k);
  for (let r = 0; r < nRows; r++) {
    conf.fill(0);
    let p = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const d = raw[r * nPairs + p++];
        conf[i] += d;
        conf[j] -= d;
        out[r * k + (d < 0 ? j : i)] += 1;
      }
    }
    for (let c = 0; c < k; c++) out[r * k + c] += conf[c] / (3 * (Math.abs(conf[c]) + 1));
  }
  return out;
}

/** Class labels (C-SVC, by one-vs-one vote as libsvm) or predicted values (SVR). */
export function predictSvm(model: SvmModel, X: Float64Array, nRows: number): Int32Array | Float64Array {
  const raw = rawDecisionValues(model, X, nRows);
  if (model.type === 'epsilon-svr') return raw;
  const k = model.labels.length,
    nPairs = (k * (k - 1)) / 2;
  const out = new Int32Array(nRows);
  const votes = new Int32Array(k);
  for (let r = 0; r < nRows; r++) {
    votes.fill(0);
    let p = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) votes[raw[r * nPairs + p++] > 0 ? i : j]++;
    let best = 0;
    for (let c = 1; c < k; c++) if (votes[c] > votes[best]) best = c;
    out[r] = model.labels[best];
  }
  return out;
}

/** Class probabilities, nRows x nClasses in `labels` order (needs a model fitted with probability). */
export function predictProba(model: SvmModel, X: Float64Array, nRows: number): Float64Array {
  const { probA, probB } = model;
  if (model.type !== 'c-svc' || !probA || !probB) {
    throw new StepInputError('this SVM was fitted without probability estimates; fit it with probability: true');
  }
  const raw = rawDecisionValues(model, X, nRows);
  const k = model.labels.length,
    nPairs = (k * (k - 1)) / 2,
    minProb = 1e-7;
  const out = new Float64Array(nRows * k);
  const pairwise = new Float64Array(k * k);
  const p = new Float64Array(k);
  for (let r = 0; r < nRows; r++) {
    let q = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const v = Math.min(Math.max(sigmoidPredict(raw[r * nPairs + q], probA[q], probB[q]), minProb), 1 - minProb);
        pairwise[i * k + j] = v;
        pairwise[j * k + i] = 1 - v;
        q++;
      }
    }
    if (k === 2) {
      out[r * 2] = pairwise[1];
      out[r * 2 + 1] = pairwise[2];
    } else {
      multiclassProbability(k, pairwise, p);
      out.set(p, r * k);
    }
  }
  return out;
}
