/**
 * The built-in step types, by the name used in `uses:`. Adding a step type touches its own file
 * and this list, nothing else.
 */
import type { StepType } from '../engine/step-type.js';
import evaluate from './evaluate.js';
import loadBuiltin from './load.builtin.js';
import loadCsv from './load.csv.js';
import preprocess from './preprocess.js';
import register from './register.js';
import selectBest from './select-best.js';
import selectFeatures from './select-features.js';
import split from './split.js';
import trainRandomForest from './train.random-forest.js';
import trainSvm from './train.svm.js';

const builtins: readonly StepType[] = [loadCsv, loadBuiltin, split, preprocess, selectFeatures, trainSvm, trainRandomForest, evaluate, selectBest, register];

export const builtinSteps: ReadonlyMap<string, StepType> = new Map(builtins.map((s) => [s.id, s]));
