/**
 * A model bundle: everything needed to go from raw rows to predictions — the input signature,
 * the fitted preprocessing transform, the fitted feature selection and the model — in one JSON
 * file. The register step writes it; `medpipe predict` reads it, so predictions on new rows
 * are computed exactly as the pipeline computed them on its test set.
 */
import type { FeatureSelection } from '../data/select.js';
import type { PreprocessTransform } from '../data/preprocess.js';
import type { ExplanationData } from '../explain/explanation-data.js';
import type { TrainingSummary } from '../monitor/training-summary.js';

export const BUNDLE_FORMAT = 'medpipe.bundle/1';

/** One column the raw input must have. */
export interface InputColumn {
  readonly name: string;
  /** A date column is read as a date (ISO 8601 or an unambiguous day/month order); preprocessing derives its features. */
  readonly kind: 'numeric' | 'categorical' | 'date';
  /** Categories seen in training (others follow the transform's unseen-category policy). */
  readonly categories?: readonly string[];
  /** Numeric: the smallest and largest value seen in training (see NumericColumnTransform.range). */
  readonly range?: { readonly min: number; readonly max: number };
}

export interface InputSignature {
  readonly columns: readonly InputColumn[];
  /** What is predicted: the target column, and for classification its classes. */
  readonly target: {
    readonly column: string | null;
    readonly task: 'classification' | 'regression' | 'recommendation' | 'generation';
    readonly classes?: readonly string[];
    readonly positive?: string;
  };
}

export interface ModelBundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly signature: InputSignature;
  readonly transform: PreprocessTransform | null;
  readonly selection: FeatureSelection | null;
  /** The model artifact as the training step wrote it (medpipe.forest/1, medpipe.svm/1, …). */
  readonly model: Record<string, unknown>;
  /** Background sample and forest covers for explanations; only when register was given the training rows (older bundles lack it). */
  readonly explain?: ExplanationData;
  /** Summary of the training rows for drift monitoring (src/monitor), when register was given in.train; absent in older bundles. */
  readonly training?: TrainingSummary;
}

interface ModelHead {
  features?: unknown;
  classes?: unknown;
  positiveIndex?: unknown;
  target?: unknown;
  task?: unknown;
  type?: unknown;
}

/** The raw columns a model needs: from the transform when there is one, else the model's own features. */
export function inputSignature(model: Record<string, unknown>, transform: PreprocessTransform | null): InputSignature {
  const head = model as ModelHead;
  const features = Array.isArray(head.features) ? head.features.map(String) : [];
  // Features derived from a date are computed from it, so the input has the date, not them.
  const dates = new Set(transform?.dates?.map((d) => d.column));
  const derived = new Set(transform?.dates?.flatMap((d) => d.outputs));
  const columns: InputColumn[] = transform
    ? transform.columns.flatMap((c): InputColumn[] =>
        derived.has(c.name)
          ? []
          : c.type === 'numeric'
            ? [{ name: c.name, kind: 'numeric', ...(c.range ? { range: c.range } : {}) }]
            : c.type === 'categorical'
              ? [{ name: c.name, kind: 'categorical', categories: c.categories }]
              : dates.has(c.name)
                ? [{ name: c.name, kind: 'date' }]
                : [],
      )
    : features.map((name) => ({ name, kind: 'numeric' as const }));
  const classes = Array.isArray(head.classes) ? head.classes.map(String) : undefined;
  const positive = classes && typeof head.positiveIndex === 'number' ? classes[head.positiveIndex] : undefined;
  return {
    columns,
    target: {
      column: typeof head.target === 'string' ? head.target : null,
      task: classes ? 'classification' : 'regression',
      ...(classes ? { classes } : {}),
      ...(positive !== undefined ? { positive } : {}),
    },
  };
}

export function buildBundle(model: Record<string, unknown>, transform: PreprocessTransform | null, selection: FeatureSelection | null): ModelBundle {
  return { format: BUNDLE_FORMAT, signature: inputSignature(model, transform), transform, selection, model };
}
