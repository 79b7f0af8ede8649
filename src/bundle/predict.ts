/**
 * Predictions from a bundle on raw rows: read the input against the signature (a missing or
 * mistyped column is an error naming it), apply the bundled transform and selection, run the
 * model. Every input row gets a prediction: the transform's row dropping, which is for training
 * data, is not applied; missing values are imputed as the transform says.
 */
import { DataError } from '../errors.js';
import { readCsv } from '../data/csv.js';
import { csvCell, csvQuote } from '../data/csv-write.js';
import type { Dataset } from '../data/dataset.js';
import { featureMatrix } from '../data/matrix.js';
import { transformDataset } from '../data/preprocess.js';
import { applySelection } from '../data/select.js';
import { modelFromJson, type TrainedModel } from '../ml/model.js';
import { didYouMean } from '../suggest.js';
import type { ModelBundle } from './bundle.js';

export interface Predictions {
  readonly rowCount: number;
  /** Predicted class label per row, or predicted value. */
  readonly labels?: readonly string[];
  readonly values?: Float64Array;
  /** Classification with probabilities: row-major rowCount x classes. */
  readonly probabilities?: { readonly classes: readonly string[]; readonly values: Float64Array };
  /** Binary model without probabilities: the decision value per row. */
  readonly decision?: Float64Array;
  /** Asked for (PredictOptions.members) and the model an ensemble regressor: each member's prediction, row-major rowCount x members. */
  readonly members?: { readonly count: number; readonly values: Float64Array };
}

export interface PredictOptions {
  /** Also return each ensemble member's prediction (a regression forest's trees), when the model has members. */
  readonly members?: boolean;
}

/** Reads a CSV of raw rows with the column kinds the bundle was trained on; errors name the file `displayName` (default its path). */
export async function readRowsForBundle(path: string, bundle: ModelBundle, displayName = path): Promise<Dataset> {
  const columns = Object.fromEntries(bundle.signature.columns.map((c) => [c.name, c.kind]));
  let ds: Dataset;
  try {
    ds = await readCsv(path, { columns, displayName });
  } catch (e) {
    // readCsv checks declared columns against the header; name what the model needs instead.
    if (e instanceof DataError && /not in the file|no column/i.test(e.message)) throw missingColumnError(displayName, e, bundle);
    throw e;
  }
  const present = new Set(ds.columns.map((c) => c.name));
  const missing = bundle.signature.columns.filter((c) => !present.has(c.name));
  if (missing.length) {
    throw new DataError(
      `the input lacks column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c.name}"${didYouMean(c.name, present)}`).join(', ')} that the model needs`,
      {
        file: displayName,
        hint: `the model was trained on: ${bundle.signature.columns.map((c) => c.name).join(', ')}`,
      },
    );
  }
  return ds;
}

function missingColumnError(path: string, e: DataError, bundle: ModelBundle): DataError {
  const name = e.column ?? '?';
  return new DataError(`the input has no column "${name}", which the model needs`, {
    file: path,
    hint: `${e.hint ?? ''}; the model was trained on: ${bundle.signature.columns.map((c) => c.name).join(', ')}`,
  });
}

/**
 * Predicts every row of `ds` (raw columns, as in the signature; other columns are ignored). A
 * prediction that is not a finite number is an error naming its row, never an output.
 */
export async function predictBundle(bundle: ModelBundle, ds: Dataset, source?: string, options: PredictOptions = {}): Promise<Predictions> {
  const predictions = await predictRows(bundle, ds, source, options);
  const bad = firstNonFiniteRow(predictions);
  if (bad !== undefined) {
    const missing = bundle.signature.columns.filter((c) => {
      const d = ds.columns.find((x) => x.name === c.name)?.data;
      return d?.type === 'numeric' ? !Number.isFinite(d.values[bad]) : d?.type === 'categorical' ? d.codes[bad] < 0 : false;
    });
    throw new DataError(
      `the model gives no finite prediction for row ${bad + 1} (line ${bad + 2})${missing.length ? `, whose ${missing.map((c) => c.name).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing and not imputed by the model's preprocessing` : ''}`,
      {
        file: source,
        hint: "fill in the row's missing values, or register a model whose preprocessing imputes them (preprocess impute:)",
      },
    );
  }
  return predictions;
}

/** The first row whose label, value, probability or decision value is not usable, if any. */
function firstNonFiniteRow(p: Predictions): number | undefined {
  const width = p.probabilities?.classes.length ?? 0;
  for (let r = 0; r < p.rowCount; r++) {
    if (p.labels && p.labels[r] === undefined) return r;
    if (p.values && !Number.isFinite(p.values[r])) return r;
    if (p.decision && !Number.isFinite(p.decision[r])) return r;
    for (let k = 0; k < width; k++) if (!Number.isFinite((p.probabilities as NonNullable<Predictions['probabilities']>).values[r * width + k])) return r;
  }
  return undefined;
}

/**
 * Each bundle's model, built once per bundle object: building one compiles and instantiates its
 * WebAssembly (the SVM's decision values), which costs more than predicting a few rows, and a
 * server predicts from the same bundle object for every request. Keyed weakly: a bundle no longer
 * used is collected with its model.
 */
const builtModels = new WeakMap<object, Promise<TrainedModel>>();

function modelOf(bundle: ModelBundle): Promise<TrainedModel> {
  let model = builtModels.get(bundle.model);
  if (!model) {
    model = modelFromJson(bundle.model, 'the registered model');
    builtModels.set(bundle.model, model);
    model.catch(() => builtModels.delete(bundle.model));
  }
  return model;
}

async function predictRows(bundle: ModelBundle, ds: Dataset, source: string | undefined, options: PredictOptions): Promise<Predictions> {
  const needed = new Set(bundle.signature.columns.map((c) => c.name));
  const inputs: Dataset = { columns: ds.columns.filter((c) => needed.has(c.name)), rowCount: ds.rowCount };
  let table = inputs;
  if (bundle.transform) table = transformDataset({ ...bundle.transform, dropRowsMissingAbove: null }, inputs, { source }).dataset;
  if (bundle.selection) table = applySelection(bundle.selection, table);
  const model = await modelOf(bundle);
  const { X, nRows } = featureMatrix(table, model.features);
  const predicted = model.predict(X, nRows);
  if (model.task === 'regression') {
    const members = options.members ? model.memberPredictions?.(X, nRows) : undefined;
    return { rowCount: nRows, values: Float64Array.from(predicted), ...(members ? { members: { count: members.members, values: members.values } } : {}) };
  }
  const classes = model.classes ?? [];
  const labels = Array.from(predicted as Int32Array, (k) => classes[k]);
  const scores = model.scores?.(X, nRows);
  if (!scores) return { rowCount: nRows, labels };
  if (model.scoreKind === 'decision') return { rowCount: nRows, labels, ...(classes.length === 2 ? { decision: scores } : {}) };
  if (classes.length === 2) {
    // Binary scores are P(positive); spell out both columns.
    const pos = model.positiveIndex ?? 1;
    const values = new Float64Array(nRows * 2);
    for (let r = 0; r < nRows; r++) {
      values[r * 2 + pos] = scores[r];
      values[r * 2 + (1 - pos)] = 1 - scores[r];
    }
    return { rowCount: nRows, labels, probabilities: { classes, values } };
  }
  return { rowCount: nRows, labels, probabilities: { classes, values: scores } };
}

/** The predictions as CSV text: id columns of the input first, then prediction and probabilities. */
export function predictionsCsv(ds: Dataset, p: Predictions): string {
  const ids = ds.columns.filter((c) => c.kind === 'id');
  const header = [
    ...ids.map((c) => c.name),
    'prediction',
    ...(p.probabilities ? p.probabilities.classes.map((k) => `p_${k}`) : []),
    ...(p.decision ? ['decision'] : []),
  ];
  const lines = [header.map(csvQuote).join(',')];
  for (let r = 0; r < p.rowCount; r++) {
    const cells = ids.map((c) => csvCell(c, r));
    cells.push(p.labels ? csvQuote(p.labels[r]) : String(p.values?.[r]));
    if (p.probabilities)
      for (let k = 0; k < p.probabilities.classes.length; k++) cells.push(String(p.probabilities.values[r * p.probabilities.classes.length + k]));
    if (p.decision) cells.push(String(p.decision[r]));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}
