/**
 * Step `select-features`: fits a feature selection on the training set (src/data/select.ts) and
 * keeps the same columns in the training and test sets. id and target columns always stay. The
 * fitted selection (kept columns and the scores behind them) is an output, for the registry.
 */
import { writeFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import type { SelectionMethod } from '../data/select.js';
import { MAX_COLUMNS, MAX_TOP_K, MAX_TREES } from '../engine/param-limits.js';

interface Params {
  method: SelectionMethod;
  k: number;
  threshold: number | null;
  columns: string[];
  seed: number;
  n_neighbors: number;
  trees: number;
}

export default defineStep<Params>({
  id: 'select-features',
  version: '1',
  description:
    'Keeps a subset of feature columns, chosen on the training set only (explicit list, variance, correlation, ANOVA F, chi2, mutual information or forest importance).',
  inputs: {
    train: { kind: 'dataset', description: 'Rows the selection is fitted on.' },
    test: { kind: 'dataset', description: 'Rows that get the same columns.' },
  },
  outputs: {
    train: { kind: 'dataset', description: 'The training rows with the selected features.' },
    test: { kind: 'dataset', description: 'The test rows with the selected features.' },
    selection: { kind: 'selection', description: 'The fitted selection (JSON): kept columns, scores, p-values.' },
  },
  defaultOutput: 'train',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['method'],
    properties: {
      method: {
        enum: ['columns', 'variance', 'correlation', 'anova-f', 'chi2', 'mutual-info', 'forest-importance'],
        description:
          'columns: the list in `columns`; variance: keep variance > threshold; correlation: drop the later column of each pair with |r| > threshold; anova-f, chi2 (non-negative features), mutual-info, forest-importance: keep the k best (classification targets).',
      },
      k: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_COLUMNS,
        default: 10,
        description: 'Features to keep for anova-f, chi2, mutual-info and forest-importance; at most the number of features.',
      },
      threshold: {
        anyOf: [{ type: 'number', minimum: 0 }, { type: 'null' }],
        default: null,
        description: 'variance: minimum variance to exceed (null = 0); correlation: |Pearson r| above which the later column is dropped (null = 0.95).',
      },
      columns: { type: 'array', items: { type: 'string' }, default: [], description: 'method columns: the feature columns to keep.' },
      seed: { type: 'integer', default: 0, description: 'mutual-info tie-breaking noise and forest-importance bootstrap.' },
      n_neighbors: { type: 'integer', minimum: 1, maximum: MAX_TOP_K, default: 3, description: 'mutual-info: neighbours per point.' },
      trees: { type: 'integer', minimum: 1, maximum: MAX_TREES, default: 100, description: 'forest-importance: number of trees.' },
    },
  },
  async run(ctx, p) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { applySelection, fitSelection } = await import('../data/select.js');
    const train = await readDatasetFile(ctx.input('train') as string);
    const test = await readDatasetFile(ctx.input('test') as string);
    const selection = await fitSelection(train, {
      method: p.method,
      k: p.k,
      ...(p.threshold !== null ? { threshold: p.threshold } : {}),
      columns: p.columns,
      seed: p.seed,
      nNeighbors: p.n_neighbors,
      trees: p.trees,
      signal: ctx.signal,
    });
    await writeDatasetFile(ctx.output('train'), applySelection(selection, train));
    await writeDatasetFile(ctx.output('test'), applySelection(selection, test));
    await writeFile(ctx.output('selection'), JSON.stringify(selection, null, 2) + '\n');
    const { isFeatureKind } = await import('../data/dataset.js');
    const features = train.columns.filter((c) => isFeatureKind(c.kind) && c.name !== train.target?.column).length;
    ctx.log(`kept ${selection.selected.length} of ${features} features (${p.method})`);
    return { method: p.method, featuresIn: features, featuresOut: selection.selected.length, selected: selection.selected };
  },
});
