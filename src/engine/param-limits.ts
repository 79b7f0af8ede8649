/**
 * Upper bounds for the counts several steps' parameters share. Far above any sensible setting,
 * low enough that a slip (`trees: 1e12`, `threads: 100000`) is refused by `medpipe validate`
 * rather than running for days or exhausting memory in the middle of a pipeline.
 */
export const MAX_TREES = 10_000;
export const MAX_THREADS = 256;
export const MAX_FOLDS = 100;
export const MAX_RESAMPLES = 100_000;
/** Rows a step generates. */
export const MAX_ROWS = 10_000_000;
/** Columns a step generates or keeps. */
export const MAX_COLUMNS = 100_000;
/** Items of a ranked list: neighbours, recommendations. */
export const MAX_TOP_K = 10_000;
/** Iterations and latent sizes of iterative fits (ALS factors and sweeps, tree depth, permutation repeats, bins). */
export const MAX_ITERATIONS = 1_000;
/** Penalties and kernel coefficients (SVM's C and gamma). */
export const MAX_COEFFICIENT = 1e6;
