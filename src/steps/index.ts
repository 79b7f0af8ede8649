/**
 * The built-in step types, by the name used in `uses:`. Adding a step type touches its own file
 * and this list, nothing else. The CLI and the public API hand `catalogue` to the engine, and the
 * engine's worker threads import it from this module by URL.
 */
import { stepCatalogue } from '../engine/step-catalogue.js';
import type { StepType } from '../engine/step-type.js';
import annotateNearest from './annotate.nearest.js';
import checkData from './check.data.js';
import combine from './combine.js';
import evaluate from './evaluate.js';
import evaluateRecommender from './evaluate.recommender.js';
import evaluateGenerative from './evaluate.generative.js';
import evaluateScreening from './evaluate.screening.js';
import featurizeMolecules from './featurize.molecules.js';
import filter from './filter.js';
import filterMolecules from './filter.molecules.js';
import generate from './generate.js';
import loadBuiltin from './load.builtin.js';
import loadCsv from './load.csv.js';
import monitor from './monitor.js';
import predict from './predict.js';
import preprocess from './preprocess.js';
import recommend from './recommend.js';
import register from './register.js';
import retrieveNearest from './retrieve.nearest.js';
import selectBest from './select-best.js';
import selectDiverse from './select.diverse.js';
import selectFeatures from './select-features.js';
import split from './split.js';
import splitInteractions from './split.interactions.js';
import trainGan from './train.gan.js';
import trainRandomForest from './train.random-forest.js';
import trainRecommender from './train.recommender.js';
import trainSvm from './train.svm.js';

const builtins: readonly StepType[] = [
  loadCsv,
  loadBuiltin,
  checkData,
  split,
  preprocess,
  selectFeatures,
  trainSvm,
  trainRandomForest,
  evaluate,
  evaluateGenerative,
  selectBest,
  register,
  monitor,
  predict,
  filter,
  combine,
  splitInteractions,
  trainRecommender,
  evaluateRecommender,
  recommend,
  featurizeMolecules,
  filterMolecules,
  retrieveNearest,
  annotateNearest,
  selectDiverse,
  trainGan,
  generate,
  evaluateScreening,
];

export const builtinSteps: ReadonlyMap<string, StepType> = new Map(builtins.map((s) => [s.id, s]));

/** The built-in step types as the engine takes them. */
export const catalogue = stepCatalogue(import.meta.url, builtins);
