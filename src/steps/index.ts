/**
 * The built-in step types, by the name used in `uses:`. Adding a step type touches its own file
 * and this list, nothing else. The CLI and the public API hand `catalogue` to the engine, and the
 * engine's worker threads import it from this module by URL. Each step module is imported when a
 * pipeline first names its type (the module's file name is its id); every type at once, for the
 * step reference and the editor schema, is src/builtin-steps.ts.
 */
import { lazyStepCatalogue } from '../engine/step-catalogue.js';

/** The built-in step types as the engine takes them. */
export const catalogue = lazyStepCatalogue(import.meta.url, {
  'load.csv': () => import('./load.csv.js'),
  'load.builtin': () => import('./load.builtin.js'),
  'check.data': () => import('./check.data.js'),
  split: () => import('./split.js'),
  preprocess: () => import('./preprocess.js'),
  'select-features': () => import('./select-features.js'),
  'train.svm': () => import('./train.svm.js'),
  'train.random-forest': () => import('./train.random-forest.js'),
  evaluate: () => import('./evaluate.js'),
  'evaluate.generative': () => import('./evaluate.generative.js'),
  'select-best': () => import('./select-best.js'),
  register: () => import('./register.js'),
  monitor: () => import('./monitor.js'),
  predict: () => import('./predict.js'),
  filter: () => import('./filter.js'),
  combine: () => import('./combine.js'),
  'split.interactions': () => import('./split.interactions.js'),
  'train.recommender': () => import('./train.recommender.js'),
  'evaluate.recommender': () => import('./evaluate.recommender.js'),
  recommend: () => import('./recommend.js'),
  'featurize.molecules': () => import('./featurize.molecules.js'),
  'filter.molecules': () => import('./filter.molecules.js'),
  'retrieve.nearest': () => import('./retrieve.nearest.js'),
  'annotate.nearest': () => import('./annotate.nearest.js'),
  'select.diverse': () => import('./select.diverse.js'),
  'train.gan': () => import('./train.gan.js'),
  generate: () => import('./generate.js'),
  'evaluate.screening': () => import('./evaluate.screening.js'),
});
