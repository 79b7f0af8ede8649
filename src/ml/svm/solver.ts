/**
 * libsvm's SMO solver (Fan, Chen & Lin 2005) for
 *   min 0.5 a'Qa + p'a  subject to  y'a = 0, 0 <= a_i <= C_i,
 * with second-order working-set selection (WSS3), shrinking with gradient reconstruction, the
 * same stopping rule (max KKT violation < eps) and libsvm's rho. A line-by-line port of
 * Solver in libsvm's svm.cpp (3.2x) on typed arrays, so results match scikit-learn's SVC/SVR.
 */
import type { QMatrix } from './q-matrix.js';

const TAU = 1e-12;
const LOWER = 0,
  UPPER = 1,
  FREE = 2;

export interface SolverInput {
  Q: QMatrix;
  /** Linear term p. */
  p: Float64Array;
  /** Labels +1 / -1. */
  y: Int8Array;
  /** Initial alpha (usually zeros). */
  alpha: Float64Array;
  Cp: number;
  Cn: number;
  eps: number;
  shrinking: boolean;
  maxIter: number;
  /** Called every 1000 iterations with this problem's iteration count. */
  onIterations?: (iterations: number) => void;
}

export interface SolverResult {
  /** Solution in the caller's original order. */
  alpha: Float64Array;
  rho: number;
  objective: number;
  iterations: number;
  /** True when maxIter stopped the solver before convergence. */
  hitMaxIter: boolean;
}

export function solve(input: SolverInput): SolverResult {
  return new Solver(input).run();
}

class Solver {
  private readonly l: number;
  private activeSize: number;
  private readonly y: Int8Array;
  private readonly G: Float64Array;
  private readonly Gbar: Float64Array;
  private readonly status: Uint8Array;
  private readonly alpha: Float64Array;
  private readonly p: Float64Array;
  private readonly activeSet: Int32Array;
  private readonly Q: QMatrix;
  private readonly QD: Float64Array;
  private readonly Cp: number;
  private readonly Cn: number;
  private readonly eps: number;
  private unshrink = false;
  // Working set chosen by selectWorkingSet.
  private wi = -1;
  private wj = -1;

  constructor(private readonly input: SolverInput) {
    const l = input.y.length;
    this.l = l;
    this.activeSize = l;
    this.Q = input.Q;
    this.QD = input.Q.QD;
    this.y = Int8Array.from(input.y);
    this.p = Float64Array.from(input.p);
    this.alpha = Float64Array.from(input.alpha);
    this.Cp = input.Cp;
    this.Cn = input.Cn;
    this.eps = input.eps;
    this.G = new Float64Array(l);
    this.Gbar = new Float64Array(l);
    this.status = new Uint8Array(l);
    this.activeSet = new Int32Array(l);
    for (let i = 0; i < l; i++) {
      this.activeSet[i] = i;
      this.updateStatus(i);
    }
  }

  private C(i: number): number {
    return this.y[i] > 0 ? this.Cp : this.Cn;
  }

  private updateStatus(i: number): void {
    const a = this.alpha[i];
    this.status[i] = a >= this.C(i) ? UPPER : a <= 0 ? LOWER : FREE;
  }

  run(): SolverResult {
    const l = this.l,
      G = this.G,
      Gbar = this.Gbar,
      alpha = this.alpha,
      y = this.y,
      QD = this.QD,
      status = this.status;
    for (let i = 0; i < l; i++) G[i] = this.p[i];
    for (let i = 0; i < l; i++) {
      if (status[i] === LOWER) continue;
      const Qi = this.Q.getQ(i, l);
      const ai = alpha[i];
      for (let j = 0; j < l; j++) G[j] += ai * Qi[j];
      if (status[i] === UPPER) {
        const ci = this.C(i);
        for (let j = 0; j < l; j++) Gbar[j] += ci * Qi[j];
      }
    }

    const maxIter = this.input.maxIter;
    let iter = 0;
    let counter = Math.min(l, 1000) + 1;
    while (iter < maxIter) {
      if (--counter === 0) {
        counter = Math.min(l, 1000);
        if (this.input.shrinking) this.doShrinking();
      }
      if (this.selectWorkingSet()) {
        this.reconstructGradient();
        this.activeSize = l;
        if (this.selectWorkingSet()) break;
        counter = 1; // shrink again at the next iteration
      }
      iter++;
      if (this.input.onIterations && iter % 1000 === 0) this.input.onIterations(iter);

      const i = this.wi,
        j = this.wj;
      const active = this.activeSize;
      const Qi = this.Q.getQ(i, active);
      const Qj = this.Q.getQ(j, active);
      const Ci = this.C(i),
        Cj = this.C(j);
      const oldAi = alpha[i],
        oldAj = alpha[j];

      if (y[i] !== y[j]) {
        let quad = QD[i] + QD[j] + 2 * Qi[j];
        if (quad <= 0) quad = TAU;
        const delta = (-G[i] - G[j]) / quad;
        const diff = alpha[i] - alpha[j];
        alpha[i] += delta;
        alpha[j] += delta;
        if (diff > 0) {
          if (alpha[j] < 0) {
            alpha[j] = 0;
            alpha[i] = diff;
          }
        } else if (alpha[i] < 0) {
          alpha[i] = 0;
          alpha[j] = -diff;
        }
        if (diff > Ci - Cj) {
          if (alpha[i] > Ci) {
            alpha[i] = Ci;
            alpha[j] = Ci - diff;
          }
        } else if (alpha[j] > Cj) {
          alpha[j] = Cj;
          alpha[i] = Cj + diff;
        }
      } else {
        let quad = QD[i] + QD[j] - 2 * Qi[j];
        if (quad <= 0) quad = TAU;
        const delta = (G[i] - G[j]) / quad;
        const sum = alpha[i] + alpha[j];
        alpha[i] -= delta;
        alpha[j] += delta;
        if (sum > Ci) {
          if (alpha[i] > Ci) {
            alpha[i] = Ci;
            alpha[j] = sum - Ci;
          }
        } else if (alpha[j] < 0) {
          alpha[j] = 0;
          alpha[i] = sum;
        }
        if (sum > Cj) {
          if (alpha[j] > Cj) {
            alpha[j] = Cj;
            alpha[i] = sum - Cj;
          }
        } else if (alpha[i] < 0) {
          alpha[i] = 0;
          alpha[j] = sum;
        }
      }

      const dAi = alpha[i] - oldAi,
        dAj = alpha[j] - oldAj;
      for (let k = 0; k < active; k++) G[k] += Qi[k] * dAi + Qj[k] * dAj;

      const wasUpperI = status[i] === UPPER,
        wasUpperJ = status[j] === UPPER;
      this.updateStatus(i);
      this.updateStatus(j);
      if (wasUpperI !== (status[i] === UPPER)) {
        const row = this.Q.getQ(i, l);
        const c = wasUpperI ? -Ci : Ci;
        for (let k = 0; k < l; k++) Gbar[k] += c * row[k];
      }
      if (wasUpperJ !== (status[j] === UPPER)) {
        const row = this.Q.getQ(j, l);
        const c = wasUpperJ ? -Cj : Cj;
        for (let k = 0; k < l; k++) Gbar[k] += c * row[k];
      }
    }

    const hitMaxIter = iter >= maxIter;
    if (hitMaxIter && this.activeSize < l) {
      this.reconstructGradient();
      this.activeSize = l;
    }
    const rho = this.calculateRho();
    let v = 0;
    for (let i = 0; i < l; i++) v += alpha[i] * (G[i] + this.p[i]);
    const out = new Float64Array(l);
    for (let i = 0; i < l; i++) out[this.activeSet[i]] = alpha[i];
    return { alpha: out, rho, objective: v / 2, iterations: iter, hitMaxIter };
  }

  /** WSS3: i maximises the violation, j the second-order decrease of the objective. True when optimal. */
  private selectWorkingSet(): boolean {
    const G = this.G,
      y = this.y,
      status = this.status,
      QD = this.QD,
      active = this.activeSize;
    let Gmax = -Infinity,
      Gmax2 = -Infinity,
      GmaxIdx = -1,
      GminIdx = -1,
      objDiffMin = Infinity;
    for (let t = 0; t < active; t++) {
      if (y[t] > 0) {
        if (status[t] !== UPPER && -G[t] >= Gmax) {
          Gmax = -G[t];
          GmaxIdx = t;
        }
      } else if (status[t] !== LOWER && G[t] >= Gmax) {
        Gmax = G[t];
        GmaxIdx = t;
      }
    }
    const i = GmaxIdx;
    if (i !== -1) {
      const Qi = this.Q.getQ(i, active);
      const yi = y[i],
        QDi = QD[i];
      for (let j = 0; j < active; j++) {
        if (y[j] > 0) {
          if (status[j] !== LOWER) {
            const gradDiff = Gmax + G[j];
            if (G[j] >= Gmax2) Gmax2 = G[j];
            if (gradDiff > 0) {
              const quad = QDi + QD[j] - 2 * yi * Qi[j];
              const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
              if (objDiff <= objDiffMin) {
                GminIdx = j;
                objDiffMin = objDiff;
              }
            }
          }
        } else if (status[j] !== UPPER) {
          const gradDiff = Gmax - G[j];
          if (-G[j] >= Gmax2) Gmax2 = -G[j];
          if (gradDiff > 0) {
            const quad = QDi + QD[j] + 2 * yi * Qi[j];
            const objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : TAU);
            if (objDiff <= objDiffMin) {
              GminIdx = j;
              objDiffMin = objDiff;
            }
          }
        }
      }
    }
    if (Gmax + Gmax2 < this.eps || GminIdx === -1) return true;
    this.wi = GmaxIdx;
    this.wj = GminIdx;
    return false;
  }

  private beShrunk(i: number, Gmax1: number, Gmax2: number): boolean {
    const s = this.status[i];
    if (s === UPPER) return this.y[i] > 0 ? -this.G[i] > Gmax1 : -this.G[i] > Gmax2;
    if (s === LOWER) return this.y[i] > 0 ? this.G[i] > Gmax2 : this.G[i] > Gmax1;
    return false;
  }

  private doShrinking(): void {
    const G = this.G,
      y = this.y,
      status = this.status;
    let Gmax1 = -Infinity,
      Gmax2 = -Infinity;
    for (let i = 0; i < this.activeSize; i++) {
      if (y[i] > 0) {
        if (status[i] !== UPPER && -G[i] >= Gmax1) Gmax1 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax2) Gmax2 = G[i];
      } else {
        if (status[i] !== UPPER && -G[i] >= Gmax2) Gmax2 = -G[i];
        if (status[i] !== LOWER && G[i] >= Gmax1) Gmax1 = G[i];
      }
    }
    if (!this.unshrink && Gmax1 + Gmax2 <= this.eps * 10) {
      this.unshrink = true;
      this.reconstructGradient();
      this.activeSize = this.l;
    }
    for (let i = 0; i < this.activeSize; i++) {
      if (!this.beShrunk(i, Gmax1, Gmax2)) continue;
      this.activeSize--;
      while (this.activeSize > i) {
        if (!this.beShrunk(this.activeSize, Gmax1, Gmax2)) {
          this.swapIndex(i, this.activeSize);
          break;
        }
        this.activeSize--;
      }
    }
  }

  private swapIndex(i: number, j: number): void {
    this.Q.swapIndex(i, j);
    swapI8(this.y, i, j);
    swapF64(this.G, i, j);
    const s = this.status[i];
    this.status[i] = this.status[j];
    this.status[j] = s;
    swapF64(this.alpha, i, j);
    swapF64(this.p, i, j);
    const a = this.activeSet[i];
    this.activeSet[i] = this.activeSet[j];
    this.activeSet[j] = a;
    swapF64(this.Gbar, i, j);
  }

  /** Rebuilds the gradient of shrunk variables from G_bar and the free variables. */
  private reconstructGradient(): void {
    const l = this.l,
      active = this.activeSize;
    if (active === l) return;
    const G = this.G,
      alpha = this.alpha,
      status = this.status;
    for (let j = active; j < l; j++) G[j] = this.Gbar[j] + this.p[j];
    let nrFree = 0;
    for (let j = 0; j < active; j++) if (status[j] === FREE) nrFree++;
    if (nrFree * l > 2 * active * (l - active)) {
      for (let i = active; i < l; i++) {
        const Qi = this.Q.getQ(i, active);
        let g = G[i];
        for (let j = 0; j < active; j++) if (status[j] === FREE) g += alpha[j] * Qi[j];
        G[i] = g;
      }
    } else {
      for (let i = 0; i < active; i++) {
        if (status[i] !== FREE) continue;
        const Qi = this.Q.getQ(i, l);
        const ai = alpha[i];
        for (let j = active; j < l; j++) G[j] += ai * Qi[j];
      }
    }
  }

  private calculateRho(): number {
    const G = this.G,
      y = this.y,
      status = this.status;
    let nrFree = 0,
      ub = Infinity,
      lb = -Infinity,
      sumFree = 0;
    for (let i = 0; i < this.activeSize; i++) {
      const yG = y[i] * G[i];
      if (status[i] === UPPER) {
        if (y[i] < 0) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else if (status[i] === LOWER) {
        if (y[i] > 0) ub = Math.min(ub, yG);
        else lb = Math.max(lb, yG);
      } else {
        nrFree++;
        sumFree += yG;
      }
    }
    return nrFree > 0 ? sumFree / nrFree : (ub + lb) / 2;
  }
}

function swapF64(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function swapI8(a: Int8Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
