/**
 * Step `evaluate.screening`: a retrospective virtual-screening benchmark. One pool of molecules
 * (known actives hidden among inactives and decoys, e.g. a `combine` of held-out series molecules
 * and a screening library) is ranked by each method, and every ranking is judged by the enrichment
 * factors, BEDROC and ROC AUC, each with a bootstrap interval that resamples actives and decoys
 * separately, all methods on the same resamples. Writes a `medpipe.metrics/1` report (task
 * "screening", metrics `<method>.<metric>`), so metrics files, `medpipe metrics diff`, gates and
 * the HTML report's side-by-side table work as for the other evaluate steps. The metrics are in
 * src/ml/metrics/screening.ts; this file reads the pool and turns methods into scores.
 */
import { writeFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { GateError, StepInputError } from '../errors.js';
import { METRICS_FORMAT, metricsReportText } from '../metrics/metrics-file.js';
import { bootstrapParam } from './evaluate.js';
import { CONDITION_SCHEMA, type Condition } from './filter.js';
import type { Dataset } from '../data/dataset.js';

/** A sort key as written: ajv fills no defaults inside anyOf, so order and missing may be absent (descending, error). */
interface SortKeyParam {
  column: string;
  order?: 'descending' | 'ascending';
  missing?: 'error' | 'last';
}

/** A presence key: rows with a value in the column (e.g. retrieve.nearest's query_hits) first, whatever the value. */
interface PresenceKeyParam {
  has: string;
}

type MethodParam = { by: (SortKeyParam | PresenceKeyParam)[] } | { random: true; seed?: number };

interface Params {
  active: Condition;
  methods: Record<string, MethodParam>;
  compare: { method: string; against: string }[];
  ef: number[];
  bedroc_alpha: number;
  bootstrap: { resamples: number; seed: number | null; confidence: number };
  gates: Record<string, string>;
  metrics_file: string | null;
  seed: number;
}

/** A method's name is the first part of its metric names (qsar.bedroc), so it must not hold a dot. */
export const METHOD_NAME = '^[A-Za-z][A-Za-z0-9_-]*$';

/** Up to this many row numbers named in an error about missing values. */
const ROWS_NAMED = 5;

/** The rows the `active:` rule picks (1) and the others (0: inactives, and decoys whose column is missing). */
async function activeRows(ds: Dataset, rule: Condition): Promise<Uint8Array> {
  const { rowTest } = await import('./filter.js');
  const { didYouMean } = await import('../suggest.js');
  const column = ds.columns.find((c) => c.name === rule.column);
  if (!column)
    throw new StepInputError(
      `active: no column "${rule.column}"${didYouMean(
        rule.column,
        ds.columns.map((c) => c.name),
      )} in in.pool`,
    );
  let test: (r: number) => boolean;
  try {
    test = rowTest(rule, column);
  } catch (e) {
    if (e instanceof StepInputError) throw new StepInputError(e.message.replace(/^where: /, 'active: '));
    throw e;
  }
  return Uint8Array.from({ length: ds.rowCount }, (_, r) => (test(r) ? 1 : 0));
}

/** A sort key's values; a missing value is an error naming the rows, or (missing: last) placed after every value. */
async function keyValues(ds: Dataset, method: string, k: number, key: SortKeyParam | PresenceKeyParam): Promise<Float64Array> {
  const { didYouMean } = await import('../suggest.js');
  const { missingMask } = await import('../data/dataset.js');
  const where = `methods.${method}.by[${k}]`;
  if ('has' in key) {
    const column = ds.columns.find((c) => c.name === key.has);
    if (!column)
      throw new StepInputError(
        `${where}: no column "${key.has}"${didYouMean(
          key.has,
          ds.columns.map((c) => c.name),
        )} in in.pool`,
      );
    return Float64Array.from(missingMask(column.data), (missing) => 1 - missing);
  }
  const column = ds.columns.find((c) => c.name === key.column);
  if (!column)
    throw new StepInputError(
      `${where}: no column "${key.column}"${didYouMean(
        key.column,
        ds.columns.map((c) => c.name),
      )} in in.pool`,
    );
  if (column.data.type !== 'numeric')
    throw new StepInputError(`${where}: column "${key.column}" is ${column.data.type}; a method ranks by numeric columns (scores, similarities, 0/1 flags)`);
  const values = Float64Array.from(column.data.values);
  const missing: number[] = [];
  for (let r = 0; r < values.length; r++) {
    if (Number.isNaN(values[r])) {
      if (key.missing === 'last') values[r] = (key.order ?? 'descending') === 'descending' ? -Infinity : Infinity;
      else missing.push(r);
    } else if (!Number.isFinite(values[r]))
      throw new StepInputError(`${where}: column "${key.column}" is ${values[r]} at row ${r + 1}: a score must be a finite number`);
  }
  if (missing.length) {
    const named = missing
      .slice(0, ROWS_NAMED)
      .map((r) => r + 1)
      .join(', ');
    const more = missing.length > ROWS_NAMED ? ` and ${missing.length - ROWS_NAMED} more` : '';
    throw new StepInputError(
      `${where}: column "${key.column}" has no value at row${missing.length === 1 ? '' : 's'} ${named}${more} of in.pool: fill it (every row needs a score), or set missing: last to rank rows without a value after all others`,
    );
  }
  return values;
}

/** The method's ranking in words, for the report. */
function describeMethod(m: MethodParam, seed: number): string {
  if ('random' in m) return `random order (seed ${m.seed ?? seed})`;
  return m.by
    .map(
      (k, i) =>
        `${i ? 'then ' : ''}${'has' in k ? `rows with ${k.has} first` : `${k.column} ${k.order ?? 'descending'}${k.missing === 'last' ? ' (missing last)' : ''}`}`,
    )
    .join(', ');
}

/** Rows that share their score with another row: the ties whose order the metrics average over. */
function tiedRows(score: Float64Array): number {
  const counts = new Map<number, number>();
  for (const s of score) counts.set(s, (counts.get(s) ?? 0) + 1);
  let tied = 0;
  for (const c of counts.values()) if (c > 1) tied += c;
  return tied;
}

const ci = (e: { value: number | null; ci_low: number | null; ci_high: number | null }): string =>
  e.value === null
    ? 'n/a'
    : `${e.value.toPrecision(3)}${e.ci_low !== null && e.ci_high !== null ? ` (${e.ci_low.toPrecision(3)}–${e.ci_high.toPrecision(3)})` : ''}`;

export default defineStep<Params>({
  id: 'evaluate.screening',
  version: '1',
  description:
    'Retrospective virtual screening: enrichment factors, BEDROC and ROC AUC of several rankings of one pool of actives and decoys, side by side, with bootstrap intervals.',
  inputs: {
    pool: {
      kind: 'dataset',
      description:
        'One row per molecule: the column the active rule reads (missing for library decoys) and the columns the methods rank by (e.g. a combine of held-out series molecules and library molecules, scored by predict).',
    },
  },
  outputs: { metrics: { kind: 'metrics', description: `The benchmark as JSON (${METRICS_FORMAT}, task "screening", metrics <method>.<metric>).` } },
  defaultOutput: 'metrics',
  publish: { param: 'metrics_file', port: 'metrics' },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['active', 'methods'],
    properties: {
      active: {
        ...CONDITION_SCHEMA,
        examples: [{ column: 'pic50', op: '>=', value: 7 }],
        description:
          'Which rows are actives, as a filter condition, e.g. { column: pic50, op: ">=", value: 7 }. Every other row is a decoy, including rows whose column is missing (library molecules).',
      },
      methods: {
        type: 'object',
        minProperties: 1,
        propertyNames: { pattern: METHOD_NAME },
        additionalProperties: {
          anyOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['by'],
              properties: {
                by: {
                  type: 'array',
                  minItems: 1,
                  items: {
                    anyOf: [
                      {
                        type: 'object',
                        additionalProperties: false,
                        required: ['column'],
                        properties: {
                          column: { type: 'string', description: 'A numeric column of the pool.' },
                          order: { enum: ['descending', 'ascending'], default: 'descending', description: 'descending: higher values first.' },
                          missing: {
                            enum: ['error', 'last'],
                            default: 'error',
                            description: 'A row without a value: error, or ranked after every row with one (e.g. a similarity only retrieved rows have).',
                          },
                        },
                      },
                      {
                        type: 'object',
                        additionalProperties: false,
                        required: ['has'],
                        properties: {
                          has: {
                            type: 'string',
                            description: 'A column of the pool: rows with a value in it first, whatever the value (e.g. query_hits: retrieved first).',
                          },
                        },
                      },
                    ],
                  },
                  description:
                    'Sort keys, the first deciding and each next one breaking its ties (lexicographic); rows equal on every key stay tied. A key is { column, order, missing } or { has: column }.',
                },
              },
            },
            {
              type: 'object',
              additionalProperties: false,
              required: ['random'],
              properties: {
                random: { const: true, description: 'A seeded random order: the baseline any method must beat.' },
                seed: { type: 'integer', description: "Seed of the order; default the step's seed." },
              },
            },
          ],
        },
        examples: [
          {
            guided: { by: [{ has: 'query_hits' }, { column: 'predicted_pic50' }] },
            qsar: { by: [{ column: 'predicted_pic50' }] },
            random: { random: true },
          },
        ],
        description:
          'The rankings compared, by name (letters, digits, _ and -; the name starts each metric name, e.g. qsar.bedroc): { by: [sort keys] } or { random: true }.',
      },
      compare: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['method', 'against'],
          properties: { method: { type: 'string' }, against: { type: 'string' } },
        },
        default: [],
        examples: [[{ method: 'guided', against: 'qsar' }]],
        description:
          'Paired differences: method minus against on every metric (guided-vs-qsar.bedroc), with an interval from the same resamples; the fair test of whether one method beats another, since two overlapping intervals may still differ.',
      },
      ef: {
        type: 'array',
        items: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        minItems: 1,
        uniqueItems: true,
        default: [0.01, 0.05],
        description: 'Fractions of the list for the enrichment factors (metrics ef@1%, ef@5%): ceil(fraction x rows) rows, as RDKit counts them.',
      },
      bedroc_alpha: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1000,
        default: 20,
        description: "BEDROC's early-recognition parameter (Truchon & Bayly 2007): 20 puts 80% of the weight on the first 8% of the list.",
      },
      bootstrap: bootstrapParam(
        'Bootstrap resamples for the confidence intervals (0: no intervals).',
        'Percentile bootstrap intervals: actives and decoys resampled separately (each resample keeps their counts), every method on the same resamples.',
      ),
      gates: {
        type: 'object',
        additionalProperties: { type: 'string' },
        default: {},
        description:
          'Conditions the step must meet, e.g. { "guided.bedroc.ci_low": ">= 0.3", "qsar.ef@1%": ">= 5", "guided-vs-qsar.bedroc.ci_low": "> 0" }; operators >=, >, <=, <, ==.',
      },
      metrics_file: {
        type: ['string', 'null'],
        default: null,
        description: 'Also write the report to this file (relative to the pipeline file), for git and `medpipe metrics diff`.',
      },
      seed: { type: 'integer', default: 0, description: 'Seed of the bootstrap and of random methods, unless they set their own.' },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile } = await import('../data/arrow.js');
    const { createRng } = await import('../rng.js');
    const { didYouMean } = await import('../suggest.js');
    const m = await import('../ml/metrics/index.js');

    const options = { fractions: params.ef, alpha: params.bedroc_alpha };
    const metricNames = m.screeningMetricNames(options);
    if (new Set(metricNames).size < metricNames.length)
      throw new StepInputError(`ef: two fractions give the same metric name (${metricNames.join(', ')}): list each fraction once`);
    const methodNames = Object.keys(params.methods);
    for (const [k, d] of params.compare.entries()) {
      for (const side of ['method', 'against'] as const)
        if (!methodNames.includes(d[side]))
          throw new StepInputError(`compare[${k}].${side}: no method "${d[side]}"${didYouMean(d[side], methodNames)} (methods: ${methodNames.join(', ')})`);
      if (d.method === d.against) throw new StepInputError(`compare[${k}]: a method compared with itself (${d.method})`);
      if (methodNames.includes(m.differenceName(d)))
        throw new StepInputError(`compare[${k}]: a method is already named "${m.differenceName(d)}", the name of this comparison's metrics: rename the method`);
    }
    const groups = [...methodNames, ...params.compare.map(m.differenceName)];
    // Gate names are checked before the work, so a typo fails fast.
    const gates = m.parseGates(params.gates);
    const known = groups.flatMap((n) => metricNames.map((x) => `${n}.${x}`));
    for (const g of gates)
      if (!known.includes(g.metric))
        throw new StepInputError(
          `gate "${g.key}": unknown metric "${g.metric}"${didYouMean(g.metric, known)} (metrics are <method>.<metric>: ${known.join(', ')})`,
        );

    const pool = await readDatasetFile(ctx.input('pool')!);
    const y = await activeRows(pool, params.active);
    const actives = y.reduce((a, b) => a + b, 0);
    const rule = `${params.active.column} ${params.active.op} ${JSON.stringify(params.active.value)}`;
    if (actives === 0) throw new StepInputError(`no row of in.pool is active (${rule}) among ${pool.rowCount}: check the active rule and the pool`);
    if (actives === pool.rowCount) throw new StepInputError(`every row of in.pool is active (${rule}): a screen needs decoys; add library molecules (combine)`);

    const methods: { name: string; score: Float64Array }[] = [];
    for (const [k, name] of methodNames.entries()) {
      const spec = params.methods[name];
      if ('random' in spec) {
        const order = createRng(spec.seed ?? params.seed).shuffle(Int32Array.from({ length: pool.rowCount }, (_, i) => i));
        const score = new Float64Array(pool.rowCount);
        order.forEach((row, i) => (score[row] = pool.rowCount - i));
        methods.push({ name, score });
        continue;
      }
      const keys = [];
      for (const [j, key] of spec.by.entries())
        keys.push({ values: await keyValues(pool, name, j, key), order: ('has' in key ? undefined : key.order) ?? 'descending' });
      methods.push({ name, score: m.lexicographicScore(keys, pool.rowCount) });
      ctx.progress(`ranked ${name}`, (k + 1) / (methodNames.length + 1));
    }

    const bootstrap = { resamples: params.bootstrap.resamples, seed: params.bootstrap.seed ?? params.seed, confidence: params.bootstrap.confidence };
    const scorer = m.withDifferences(m.makeScreeningScorer(y, methods, options), params.compare, options);
    const { metrics, skipped } = m.bootstrapMetrics(scorer, pool.rowCount, bootstrap, y);
    ctx.progress('metrics computed', 1);
    const gateResults = gates.length ? m.checkGates(gates, metrics, {}, bootstrap.confidence) : undefined;

    const n = pool.rowCount;
    const report = {
      step: ctx.stepId,
      task: 'screening',
      n,
      actives,
      decoys: n - actives,
      active: rule,
      ef_fractions: params.ef,
      bedroc_alpha: params.bedroc_alpha,
      methods: Object.fromEntries(
        methods.map((x) => [
          x.name,
          {
            ranking: describeMethod(params.methods[x.name], params.seed),
            tied_rows: tiedRows(x.score),
            top_rows: Object.fromEntries(params.ef.map((f) => [m.efName(f), m.topCount(f, n)])),
          },
        ]),
      ),
      ...(params.compare.length ? { comparisons: params.compare.map((d) => ({ name: m.differenceName(d), method: d.method, against: d.against })) } : {}),
      metrics,
      unavailable: {},
      bootstrap: { method: 'percentile', ...bootstrap, strata: 'actives and decoys resampled separately', skipped },
      notes: [
        `${actives} actives (${rule}) among ${n} molecules (${((100 * actives) / n).toFixed(1)}%); the maximum EF at a fraction is min(1/fraction, ${n}/${actives})`,
        `EF at x: actives among the first ceil(x N) rows over what a random order puts there; BEDROC alpha ${params.bedroc_alpha}; tied scores count as the mean over every order of the tied rows`,
        `confidence intervals: percentile bootstrap, ${bootstrap.resamples} resamples of the ${actives} actives and ${n - actives} decoys separately, the same resamples for every method`,
      ],
      ...(gateResults ? { gates: gateResults } : {}),
    };
    // Before the gates: the engine publishes it to metrics_file also when a gate fails.
    await writeFile(ctx.output('metrics'), metricsReportText(report));

    ctx.log(`${actives} actives among ${n} molecules (${rule})`);
    for (const x of methods)
      ctx.log(
        `${x.name}: ${metricNames
          .map((k) => `${k} ${ci(metrics[`${x.name}.${k}`])}`)
          .join(', ')}${tiedRows(x.score) ? ` (${tiedRows(x.score)} rows in ties)` : ''}`,
      );
    for (const d of params.compare) {
      const name = m.differenceName(d);
      ctx.log(`${name}: ${metricNames.map((k) => `${k} ${ci(metrics[`${name}.${k}`])}`).join(', ')}`);
    }
    const failed = (gateResults ?? []).filter((g) => !g.passed);
    if (failed.length) throw new GateError(failed.map((g) => g.message ?? `gate failed: ${g.gate}`).join('\n'));
    return {
      task: 'screening',
      n,
      actives,
      metrics,
      confidence: bootstrap.confidence,
      ...(gateResults ? { gates_passed: gateResults.length } : {}),
    };
  },
});
