/**
 * The public shapes of medpipe's support vector machine: the options a caller passes to
 * `fitSvm` and the fitted model (libsvm's layout, so results line up with scikit-learn's SVC/SVR).
 */

export type SvmType = 'c-svc' | 'epsilon-svr';
export type SvmKernel = 'linear' | 'rbf' | 'poly' | 'sigmoid';

export interface SvmOptions {
  type?: SvmType;
  kernel?: SvmKernel;
  /** Penalty C > 0 (default 1). */
  C?: number;
  /** 'scale' = 1 / (nCols * variance of all of X) as scikit-learn; 'auto' = 1 / nCols; or a number > 0. */
  gamma?: 'scale' | 'auto' | number;
  /** Polynomial degree (default 3). */
  degree?: number;
  /** Independent term of the poly and sigmoid kernels (default 0). */
  coef0?: number;
  /** Width of the insensitive tube for epsilon-SVR (default 0.1). */
  epsilon?: number;
  /** Stopping tolerance on the KKT violation, libsvm's eps (default 1e-3). */
  tol?: number;
  /** Kernel row cache in MB (default 200, as scikit-learn). */
  cacheMb?: number;
  /** 'balanced' = n_samples / (n_classes * count) per class, or weights keyed by class label. */
  classWeight?: 'balanced' | Record<number, number>;
  /** Fit Platt scaling (5-fold internal cross-validation, as libsvm) so predictProba works. */
  probability?: boolean;
  /** Seed for the cross-validation folds of probability fitting (default 0). */
  seed?: number;
  /** Upper bound on solver iterations per binary problem (default: libsvm's max(1e7, 100 n)). */
  maxIter?: number;
  /** Shrinking heuristic (default true, as libsvm). */
  shrinking?: boolean;
  /** Called every 1000 solver iterations with the total iterations so far. */
  onProgress?: (iterations: number) => void;
  /**
   * 'auto' (default): the solver compiled to WebAssembly when it is available, else the
   * TypeScript one; 'typescript' forces the latter. Both give bit-identical results (tests and
   * benchmarks compare them).
   */
  solver?: 'auto' | 'typescript';
  /**
   * Aborting it stops the fit between binary problems (one-vs-one pairs, probability folds); one
   * problem's solver runs to its end. The fit rejects with the signal's reason.
   */
  signal?: AbortSignal;
}

/** The resolved kernel: what prediction needs. */
export interface KernelParams {
  kernel: SvmKernel;
  gamma: number;
  degree: number;
  coef0: number;
}

export interface SvmModel extends KernelParams {
  type: SvmType;
  nFeatures: number;
  /** Class labels in increasing order (c-svc only); predictions are these values. */
  labels: number[];
  /** Support vectors per class, in `labels` order (c-svc); [total] for SVR. */
  nSupportPerClass: number[];
  nSupport: number;
  /** Support vectors, row-major nSupport x nFeatures, grouped by class as libsvm stores them. */
  supportVectors: Float64Array;
  /** Training-row index of each support vector. */
  supportIndices: Int32Array;
  /** Dual coefficients y_i alpha_i, (nClasses - 1) x nSupport, libsvm's layout (1 x nSupport for SVR). */
  svCoef: Float64Array;
  /** One intercept per one-vs-one pair (i < j), libsvm's rho: decision = sum coef K - rho. */
  rho: Float64Array;
  /** Platt sigmoid parameters per pair, when fitted with probability. */
  probA?: Float64Array;
  probB?: Float64Array;
  /** Solver iterations summed over all binary problems. */
  iterations: number;
  /** False when maxIter stopped a problem before the tolerance was met (libsvm warns then). */
  converged: boolean;
}
