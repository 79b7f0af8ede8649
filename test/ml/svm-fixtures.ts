/**
 * Loads the SVM parity fixtures written by test/fixtures/svm_fixtures.py (scikit-learn's
 * splits and answers) and the small statistics the parity tests compare with.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import type { SvmOptions } from '../../src/ml/svm/index.js';

// dist/test/ml -> repo/test/fixtures/svm
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'svm');

export interface Split {
  Xtr: Float64Array;
  ytr: Float64Array;
  Xte: Float64Array;
  yte: Float64Array;
  nTrain: number;
  nTest: number;
  nCols: number;
}

export interface FixtureConfig {
  name: string;
  data: string;
  type: 'c-svc' | 'epsilon-svr';
  kernel: 'linear' | 'rbf' | 'poly' | 'sigmoid';
  C: number;
  gamma: 'scale' | 'auto' | number;
  degree?: number;
  coef0?: number;
  epsilon?: number;
  classWeight?: 'balanced';
  probability?: boolean;
  predictions: number[];
  accuracy?: number;
  rmse?: number;
  decision?: number[];
  decisionOvo?: number[];
  nSupport: number[];
  gammaUsed: number;
  proba?: number[];
}

const splits = new Map<string, Split>();

export function loadSplit(name: string): Split {
  const cached = splits.get(name);
  if (cached) return cached;
  const lines = readFileSync(join(FIXTURES, name), 'utf8').trim().split('\n').slice(1);
  const tr: number[][] = [],
    te: number[][] = [];
  for (const line of lines) {
    const cells = line.split(',');
    (cells[0] === 'train' ? tr : te).push(cells.slice(1).map(Number));
  }
  const nCols = tr[0].length - 1;
  const pack = (rows: number[][]) => ({ X: Float64Array.from(rows.flatMap((r) => r.slice(1))), y: Float64Array.from(rows.map((r) => r[0])) });
  const a = pack(tr),
    b = pack(te);
  const split = { Xtr: a.X, ytr: a.y, Xte: b.X, yte: b.y, nTrain: tr.length, nTest: te.length, nCols };
  splits.set(name, split);
  return split;
}

export function loadConfigs(): FixtureConfig[] {
  return (JSON.parse(readFileSync(join(FIXTURES, 'results.json'), 'utf8')) as { configs: FixtureConfig[] }).configs;
}

export function optionsOf(c: FixtureConfig): SvmOptions {
  return {
    type: c.type,
    kernel: c.kernel,
    C: c.C,
    gamma: c.gamma,
    degree: c.degree ?? 3,
    coef0: c.coef0 ?? 0,
    epsilon: c.epsilon,
    classWeight: c.classWeight,
    probability: c.probability,
    seed: 0,
  };
}

function ranks(v: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Float64Array(v.length);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && v[idx[e + 1]] === v[idx[s]]) e++;
    for (let t = s; t <= e; t++) r[idx[t]] = (s + e) / 2;
    s = e + 1;
  }
  return r;
}

/** Spearman rank correlation (Pearson on average ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = ranks(a),
    rb = ranks(b);
  const n = ra.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; i++) {
    ma += ra[i];
    mb += rb[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) ** 2;
    sbb += (rb[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function accuracy(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (pred[i] === truth[i]) ok++;
  return ok / truth.length;
}

export function rmse(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (pred[i] - truth[i]) ** 2;
  return Math.sqrt(s / truth.length);
}
