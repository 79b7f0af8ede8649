/** The recommender library: fit functions, the shared model interface and the metrics. */
export { type Interactions, type SparseRows, type InteractionMatrix, buildInteractionMatrix } from './interactions.js';
export type { Recommender, Ranked, TopKOptions } from './top-k.js';
export { fitAls, fitAlsParallel, type AlsModel, type AlsOptions } from './als.js';
export { fitImplicitAls, fitImplicitAlsCancellable, type ImplicitAlsModel, type ImplicitAlsOptions } from './implicit-als.js';
export { fitItemKnn, type ItemKnnModel, type ItemKnnOptions } from './item-knn.js';
export { fitPopularity, type PopularityModel } from './popularity.js';
export { rmse, mae, rankingMetrics, type RankingMetrics } from './metrics.js';
