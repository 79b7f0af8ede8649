/**
 * How explanation features are named and what the output says about preprocessing: contributions
 * are to the model's input features, which may be standardised numbers or one-hot columns, so each
 * feature is named by its source column and what was done to it ("radius_mean (standardised)",
 * "sex=female"), and the output carries one sentence on scaling and selection.
 */
import type { ModelBundle } from '../bundle/bundle.js';
import type { CategoricalColumnTransform, NumericColumnTransform } from '../data/preprocess.js';

const SCALED: Record<NonNullable<NumericColumnTransform['scale']>['method'], string> = {
  standard: 'standardised',
  minmax: 'min-max scaled',
  robust: 'robust-scaled',
};

function encodedName(c: CategoricalColumnTransform, feature: string): string {
  if (c.encode === 'one-hot') return feature;
  return `${feature} (${c.encode} encoded)`;
}

/** The display name of each model feature. */
export function featureLabels(bundle: ModelBundle, features: readonly string[]): string[] {
  const numeric = new Map<string, NumericColumnTransform>();
  const categorical = new Map<string, CategoricalColumnTransform>();
  for (const c of bundle.transform?.columns ?? []) {
    if (c.type === 'numeric') numeric.set(c.name, c);
    if (c.type === 'categorical') for (const o of c.outputs) categorical.set(o, c);
  }
  return features.map((f) => {
    const n = numeric.get(f);
    if (n?.scale) return `${f} (${SCALED[n.scale.method]})`;
    const c = categorical.get(f);
    return c ? encodedName(c, f) : f;
  });
}

/** One paragraph: what the contributions are contributions to. */
export function preprocessingNote(bundle: ModelBundle, features: readonly string[]): string {
  const parts: string[] = [`Contributions are to the model's ${features.length} input features, in the model's units`];
  const cols = bundle.transform?.columns ?? [];
  const scaled = cols.filter((c): c is NumericColumnTransform => c.type === 'numeric' && c.scale !== undefined && features.includes(c.name));
  const methods = [...new Set(scaled.map((c) => SCALED[c.scale!.method]))];
  if (scaled.length)
    parts.push(
      `${scaled.length} numeric feature${scaled.length > 1 ? 's are' : ' is'} ${methods.join(' or ')} with the training set's statistics (a contribution is to the scaled value, not the raw measurement)`,
    );
  const imputed = cols.filter((c) => c.type !== 'pass-through' && c.type !== 'dropped' && c.impute !== undefined).length;
  if (imputed) parts.push('missing values are imputed as in training before explaining');
  if (cols.some((c) => c.type === 'categorical' && c.encode === 'one-hot')) parts.push('one-hot columns are named column=category');
  const sel = bundle.selection;
  if (sel) {
    const all = bundle.transform ? cols.reduce((n, c) => n + (c.type === 'numeric' ? 1 : c.type === 'categorical' ? c.outputs.length : 0), 0) : undefined;
    parts.push(
      `feature selection (${sel.method}) kept ${sel.selected.length}${all ? ` of ${all}` : ''} features; the others are not model inputs, contribute 0 and are not listed`,
    );
  }
  return `${parts.join('; ')}.`;
}
