/**
 * Step `predict`: applies a trained model (after the preprocessing and selection it was trained
 * after) to every row of a dataset, appends the predictions, and optionally ranks the rows by them
 * and writes the table as CSV for people (e.g. drug candidates ranked by predicted pIC50).
 * A random-forest regression can also report how much its trees disagree (their standard
 * deviation and a central interval), and rank by the interval's cautious end instead of the mean.
 *
 * It replays a model the way a registered bundle does (src/bundle/predict.ts), so a pipeline's
 * ranking and `medpipe predict` on the registered model agree.
 */
import { defineStep } from '../engine/step-type.js';
import { TABLE_OUTPUT, TABLE_PARAMS, TABLE_PUBLISH, type TableParams, writeResultTable } from '../data/result-table.js';
import { StepInputError } from '../errors.js';

interface Params extends TableParams {
  column: string;
  sort: 'none' | 'descending' | 'ascending';
  top: number | null;
  uncertainty: boolean;
  interval: number | null;
  sort_by: 'prediction' | 'lower' | 'upper';
}

export default defineStep<Params>({
  id: 'predict',
  version: '2',
  description: 'Predict every row of a dataset with a trained model, optionally rank the rows by the prediction, and write the table as CSV.',
  inputs: {
    model: { kind: 'model', description: 'A trained model (train.random-forest, train.svm).' },
    data: {
      kind: 'dataset',
      description: 'Rows to predict, with the raw columns the model (and its preprocessing) was trained on; other columns are carried through.',
    },
    transform: { kind: 'transform', description: 'The fitted preprocessing the model was trained after, if any.', optional: true },
    selection: { kind: 'selection', description: 'The fitted feature selection the model was trained after, if any.', optional: true },
  },
  outputs: {
    data: { kind: 'dataset', description: 'The input rows (ranked and cut to `top` if asked) with the prediction columns appended.' },
    table: TABLE_OUTPUT,
  },
  defaultOutput: 'data',
  publish: TABLE_PUBLISH,
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      column: {
        type: 'string',
        pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$',
        default: 'predicted',
        description: 'Name of the prediction column; classification with scores also gets <column>_score (P(positive) or the decision value).',
      },
      sort: {
        enum: ['none', 'descending', 'ascending'],
        default: 'none',
        description: 'Order the rows by the prediction (regression) or the score (classification); ties keep input order. Adds a rank column (1 = first).',
      },
      top: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Keep only the first `top` rows after sorting.' },
      ...TABLE_PARAMS,
      uncertainty: {
        type: 'boolean',
        default: false,
        description:
          "Regression with a random forest: add <column>_sd, the standard deviation of the trees' predictions, and (with interval) <column>_low and <column>_high. Other models have no trees to ask: an error.",
      },
      interval: {
        type: ['number', 'null'],
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        default: 0.9,
        description:
          "With uncertainty: the share of the trees' predictions between <column>_low and <column>_high (0.9: their 5th and 95th percentiles); null adds only <column>_sd.",
      },
      sort_by: {
        enum: ['prediction', 'lower', 'upper'],
        default: 'prediction',
        description:
          'What sort orders by: the prediction, or the low (lower) or high (upper) end of its interval, e.g. lower with sort: descending ranks molecules by a potency the trees are fairly sure of. lower and upper need uncertainty: true and an interval.',
      },
    },
  },
  async run(ctx, params) {
    const { readFile } = await import('node:fs/promises');
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { buildBundle } = await import('../bundle/bundle.js');
    const { predictBundle } = await import('../bundle/predict.js');
    const { takeRows, makeDataset } = await import('../data/dataset.js');
    const { didYouMean } = await import('../suggest.js');
    type Column = import('../data/dataset.js').Column;

    const readJson = async <T>(port: string): Promise<T | null> => {
      const path = ctx.input(port);
      return path === undefined ? null : (JSON.parse(await readFile(path, 'utf8')) as T);
    };
    const { modelKindOf, usageOf } = await import('../bundle/model-kind.js');
    const model = (await readJson<Record<string, unknown>>('model'))!;
    const kind = modelKindOf(model);
    if (kind !== 'predictor') throw new StepInputError(`in.model cannot predict rows: ${usageOf(kind)}`);
    const bundle = buildBundle(model, await readJson('transform'), await readJson('selection'));
    const dataFile = ctx.input('data')!;
    const ds = await readDatasetFile(dataFile);
    const present = new Set(ds.columns.map((c) => c.name));
    const missing = bundle.signature.columns.filter((c) => !present.has(c.name)).map((c) => c.name);
    if (missing.length) {
      throw new StepInputError(
        `in.data lacks column${missing.length > 1 ? 's' : ''} ${missing
          .slice(0, 5)
          .map((n) => `"${n}"${didYouMean(n, present)}`)
          .join(
            ', ',
          )}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''} that the model was trained on: wire a dataset with the same features (e.g. featurized with the same settings)`,
      );
    }
    if (params.sort_by !== 'prediction' && params.sort === 'none')
      throw new StepInputError(`sort_by: ${params.sort_by} chooses what sort ranks by, and sort is none: set sort: descending (or ascending)`);
    if (params.sort_by !== 'prediction' && (!params.uncertainty || params.interval === null))
      throw new StepInputError(
        `sort_by: ${params.sort_by} ranks by <column>_${params.sort_by === 'lower' ? 'low' : 'high'}: set uncertainty: true and an interval (e.g. interval: 0.9)`,
      );
    const spreadNames = params.uncertainty
      ? [`${params.column}_sd`, ...(params.interval !== null ? [`${params.column}_low`, `${params.column}_high`] : [])]
      : [];
    for (const name of [params.column, `${params.column}_score`, ...spreadNames, 'rank']) {
      if (present.has(name)) throw new StepInputError(`in.data already has a column "${name}": set with.column to another name`);
    }

    const p = await predictBundle(bundle, ds, dataFile, { members: params.uncertainty });
    const added: Column[] = [];
    const numeric = (name: string, values: Float64Array): Column => ({ name, kind: 'numeric', data: { type: 'numeric', values } });
    let key: Float64Array | undefined;
    let spreadSummary: Record<string, number | null> = {};
    if (params.uncertainty && !p.members)
      throw new StepInputError(
        `uncertainty needs a model made of trees that each predict a value (train.random-forest on a numeric target); this one is ${p.values ? 'a regression without members (e.g. an SVM)' : 'a classifier'}: set uncertainty: false`,
      );
    if (p.values) {
      added.push(numeric(params.column, p.values));
      key = p.values;
      if (p.members) {
        const { ensembleSpread } = await import('../ml/ensemble-spread.js');
        const { percentile } = await import('../ml/metrics/bootstrap.js');
        const spread = ensembleSpread(p.members.values, p.rowCount, p.members.count, params.interval ?? undefined);
        added.push(numeric(`${params.column}_sd`, spread.sd));
        if (spread.low && spread.high) added.push(numeric(`${params.column}_low`, spread.low), numeric(`${params.column}_high`, spread.high));
        if (params.sort_by === 'lower') key = spread.low;
        if (params.sort_by === 'upper') key = spread.high;
        const sds = Float64Array.from(spread.sd).sort();
        spreadSummary = { trees: p.members.count, sd_median: sds.length ? percentile(sds, 0.5) : null, interval: params.interval };
      }
    } else if (p.labels) {
      const categories = [...new Set(p.labels)].sort();
      const index = new Map(categories.map((c, i) => [c, i]));
      added.push({
        name: params.column,
        kind: 'categorical',
        data: { type: 'categorical', codes: Int32Array.from(p.labels, (l) => index.get(l)!), categories },
      });
      const probs = p.probabilities;
      // Binary: rank by P(positive class) or by the decision value.
      const positive = probs && probs.classes.length === 2 ? Math.max(0, probs.classes.indexOf(bundle.signature.target.positive ?? probs.classes[1])) : -1;
      const score = p.decision ?? (probs && positive >= 0 ? Float64Array.from({ length: p.rowCount }, (_, r) => probs.values[r * 2 + positive]) : undefined);
      if (score) {
        added.push({ name: `${params.column}_score`, kind: 'numeric', data: { type: 'numeric', values: score } });
        key = score;
      }
    }
    // Ids and target stay what they were; the prediction columns are outputs, not features to reuse.
    let out = makeDataset([...ds.columns, ...added.map((c) => ({ ...c, kind: 'id' as const }))], ds.target);

    if (params.sort !== 'none') {
      if (!key) throw new StepInputError('sort needs a numeric prediction or a binary score; this model gives neither: set sort: none');
      const k = key;
      const sign = params.sort === 'descending' ? -1 : 1;
      // Rows the model could not score (NaN) go last, whichever the direction; ties keep input order.
      const order = Int32Array.from({ length: out.rowCount }, (_, i) => i).sort((a, b) => {
        const na = Number.isNaN(k[a]),
          nb = Number.isNaN(k[b]);
        if (na || nb) return na === nb ? a - b : na ? 1 : -1;
        return sign * (k[a] - k[b]) || a - b;
      });
      const cut = params.top === null ? order : order.subarray(0, params.top);
      out = takeRows(out, cut);
      out = makeDataset(
        [...out.columns, { name: 'rank', kind: 'id', data: { type: 'numeric', values: Float64Array.from({ length: out.rowCount }, (_, i) => i + 1) } }],
        out.target,
      );
    } else if (params.top !== null) {
      out = takeRows(
        out,
        Int32Array.from({ length: Math.min(params.top, out.rowCount) }, (_, i) => i),
      );
    }

    await writeDatasetFile(ctx.output('data'), out);
    await writeResultTable(ctx.output('table'), out, params);
    ctx.log(
      `${out.rowCount} of ${ds.rowCount} rows predicted${params.sort !== 'none' ? `, ranked ${params.sort}${params.sort_by !== 'prediction' ? ` by the ${params.sort_by} end of the interval` : ''}` : ''}`,
    );
    return {
      rows: out.rowCount,
      predicted: ds.rowCount,
      task: p.values ? 'regression' : 'classification',
      ...(params.sort !== 'none' ? { sorted_by: params.sort_by } : {}),
      ...(params.uncertainty ? { uncertainty: spreadSummary } : {}),
    };
  },
});
