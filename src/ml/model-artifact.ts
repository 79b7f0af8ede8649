/**
 * What every trained-model artifact carries besides the algorithm's own fields, so evaluate,
 * register and predict can apply any model to a table: the target, the feature columns in order,
 * the classes (with the positive one), and cross-validation scores when they were computed.
 */
import type { TargetVector } from '../data/matrix.js';
import type { CrossValidation } from './cross-validate.js';

export interface ModelArtifactHead {
  target: string;
  features: string[];
  classes?: string[];
  positiveIndex?: number;
  cv?: CrossValidation;
}

export function modelArtifactHead(target: TargetVector, features: string[], cv: CrossValidation | undefined): ModelArtifactHead {
  return {
    target: target.column,
    features,
    ...(target.type === 'classification' ? { classes: target.classes } : {}),
    ...(target.type === 'classification' && target.positiveIndex !== undefined ? { positiveIndex: target.positiveIndex } : {}),
    ...(cv ? { cv } : {}),
  };
}
