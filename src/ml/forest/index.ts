/**
 * The random forest library: histogram-based, multi-threaded, sklearn-compatible defaults.
 * Other code imports from here only.
 */
export { fitForest, prestartForestWorkers, resolveMaxFeatures } from './fit.js';
export type { FitOptions, FitTimings } from './fit.js';
export { predictForest, predictClasses, predictTrees } from './predict.js';
export { forestToJSON, forestFromJSON, FOREST_FORMAT } from './serialize.js';
export type { ForestJSON } from './serialize.js';
export type { ForestModel, ForestOptions, ForestTask, MaxFeatures, Tree } from './types.js';
