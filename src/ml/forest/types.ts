/**
 * The shapes shared by the random forest's modules: the options a caller gives, the options after
 * defaults are resolved (what a worker needs to grow a tree), and the fitted model.
 *
 * A tree is a set of flat typed arrays indexed by node id. Children of a split are allocated next
 * to each other, so only the left child id is stored (right = left + 1); a leaf has feature -1.
 */

export type ForestTask = 'classification' | 'regression';

/** How many features each split may look at: sklearn's max_features. */
export type MaxFeatures = 'sqrt' | 'log2' | number;

export interface ForestOptions {
  task: ForestTask;
  /** Classification only: labels are 0 … nClasses-1. Defaults to max(y) + 1. */
  nClasses?: number;
  /** Number of trees (100). */
  trees?: number;
  /** Depth limit; undefined grows until leaves are pure or too small (sklearn's None). */
  maxDepth?: number;
  /** A node with fewer (distinct in-bag) samples is not split (2). */
  minSamplesSplit?: number;
  /** Each child must keep at least this many (distinct in-bag) samples (1). */
  minSamplesLeaf?: number;
  /**
   * 'sqrt' (classification default), 'log2', a fraction in (0, 1] (regression default 1.0, as in
   * sklearn 1.2), or an integer count > 1.
   */
  maxFeatures?: MaxFeatures;
  /** Each tree sees a bootstrap sample (true); enables the out-of-bag score. */
  bootstrap?: boolean;
  /** Classification: 'balanced' (n / (k * count_c) over the training set), 'balanced_subsample' (the same per bootstrap sample) or one weight per class. */
  classWeight?: 'balanced' | 'balanced_subsample' | readonly number[];
  seed?: number;
  /**
   * Threads growing trees: the calling thread plus threads - 1 pooled workers (tree-workers.ts);
   * 1 grows every tree on the calling thread. Default: available cores, or 1 for small forests
   * (rows x features x trees < 1e7) where handing trees to a worker outweighs the gain.
   */
  threads?: number;
  /** Called with the number of trees built so far, in completion order. */
  onProgress?: (treesBuilt: number, trees: number) => void;
  /** Aborting it stops the fit after the calling thread's current tree (its busy workers are terminated); the fit rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Everything a tree builder needs besides the data; plain data so it can be posted to a worker. */
export interface TreeSettings {
  task: ForestTask;
  nClasses: number;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Resolved count of features tried per split, 1 … nCols. */
  maxFeatures: number;
  bootstrap: boolean;
  seed: number;
}

/** One fitted tree. `value` holds nOutputs numbers per node (class probabilities or the mean). */
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  value: Float64Array;
}

export interface ForestModel {
  task: ForestTask;
  nFeatures: number;
  /** 1 for regression. */
  nClasses: number;
  trees: Tree[];
  /** Impurity-based importances, normalised like sklearn's feature_importances_ (sum 1). */
  featureImportances: Float64Array;
  /** Out-of-bag accuracy (classification) or R² (regression); undefined without bootstrap. */
  oobScore?: number;
  /** The options the forest was grown with, defaults resolved (for model cards and summaries). */
  settings: TreeSettings & { trees: number; classWeight?: 'balanced' | 'balanced_subsample' | number[] };
}

/** The shared, read-only training data every tree is grown from. */
export interface TrainingData {
  /** Bin codes, column-major nCols * nRows. */
  codes: Uint8Array;
  /** Cut points per feature (threshold of a split at bin b is edges[f][b]). */
  edges: Float64Array[];
  nRows: number;
  nCols: number;
  /** Class index per row (classification) or target value (regression). */
  y: Int32Array | Float64Array;
  /** Per-row weight from class weights ('balanced' or given); undefined means 1. */
  rowWeight?: Float64Array;
  /** Reweight each tree's bootstrap sample to balanced classes (sklearn's 'balanced_subsample'). */
  balancedSubsample?: boolean;
}

/** One grown tree with what the forest combines across trees. */
export interface GrownTree {
  tree: Tree;
  /** Impurity importances of this tree, summing to 1; undefined for a single-leaf tree. */
  importances?: Float64Array;
  /** Rows left out of the bootstrap and the leaf each one lands in (for the out-of-bag score). */
  oobRows: Int32Array;
  oobLeaves: Int32Array;
  /** Time spent finding oobLeaves (for FitTimings). */
  oobWalkMs: number;
}

/** Number of values stored per node. */
export function outputsPerNode(task: ForestTask, nClasses: number): number {
  return task === 'classification' ? nClasses : 1;
}
