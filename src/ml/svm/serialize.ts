/**
 * A fitted SVM as plain JSON and back. Numbers are written with JavaScript's shortest
 * round-trip representation, so a loaded model predicts exactly what the saved one did.
 */
import { StepInputError } from '../../errors.js';
import type { SvmKernel, SvmModel, SvmType } from './types.js';

export interface SvmModelJSON {
  type: SvmType;
  kernel: SvmKernel;
  gamma: number;
  degree: number;
  coef0: number;
  nFeatures: number;
  labels: number[];
  nSupportPerClass: number[];
  nSupport: number;
  supportVectors: number[];
  supportIndices: number[];
  svCoef: number[];
  rho: number[];
  probA?: number[];
  probB?: number[];
  iterations: number;
  converged: boolean;
}

export function svmToJSON(m: SvmModel): SvmModelJSON {
  const json: SvmModelJSON = {
    type: m.type,
    kernel: m.kernel,
    gamma: m.gamma,
    degree: m.degree,
    coef0: m.coef0,
    nFeatures: m.nFeatures,
    labels: [...m.labels],
    nSupportPerClass: [...m.nSupportPerClass],
    nSupport: m.nSupport,
    supportVectors: Array.from(m.supportVectors),
    supportIndices: Array.from(m.supportIndices),
    svCoef: Array.from(m.svCoef),
    rho: Array.from(m.rho),
    iterations: m.iterations,
    converged: m.converged,
  };
  if (m.probA && m.probB) {
    json.probA = Array.from(m.probA);
    json.probB = Array.from(m.probB);
  }
  return json;
}

export function svmFromJSON(j: SvmModelJSON): SvmModel {
  const k = j.labels.length;
  const coefRows = j.type === 'c-svc' ? k - 1 : 1;
  if (
    j.supportVectors.length !== j.nSupport * j.nFeatures ||
    j.svCoef.length !== Math.max(1, coefRows) * j.nSupport ||
    j.nSupportPerClass.reduce((a, b) => a + b, 0) !== j.nSupport
  ) {
    throw new StepInputError('the SVM model file is inconsistent (array sizes do not match nSupport and nFeatures); re-run the training step');
  }
  return {
    type: j.type,
    kernel: j.kernel,
    gamma: j.gamma,
    degree: j.degree,
    coef0: j.coef0,
    nFeatures: j.nFeatures,
    labels: [...j.labels],
    nSupportPerClass: [...j.nSupportPerClass],
    nSupport: j.nSupport,
    supportVectors: Float64Array.from(j.supportVectors),
    supportIndices: Int32Array.from(j.supportIndices),
    svCoef: Float64Array.from(j.svCoef),
    rho: Float64Array.from(j.rho),
    probA: j.probA ? Float64Array.from(j.probA) : undefined,
    probB: j.probB ? Float64Array.from(j.probB) : undefined,
    iterations: j.iterations,
    converged: j.converged !== false,
  };
}
