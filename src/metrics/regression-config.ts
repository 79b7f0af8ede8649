/**
 * The `regression:` block of a pipeline file: which baseline to compare against, and how far each
 * metric may move before it counts as a regression. Also the direction of each metric (higher or
 * lower is better), with defaults for the metrics medpipe's evaluate step writes.
 */
import { DataError } from '../errors.js';

export type Direction = 'higher' | 'lower';

/** How much worse a metric may get. Unset fields mean 0 / off. */
export interface Tolerance {
  /** Absolute: the new value may be this much worse than the old. */
  readonly atol?: number;
  /** Relative to the old value: worse by at most rtol * |old|. Added to atol when both are set. */
  readonly rtol?: number;
  /** Regressed only when the new value falls outside the baseline's confidence interval (past ci_low for higher-better). */
  readonly ci?: boolean;
}

export interface MetricRule extends Tolerance {
  readonly direction?: Direction;
}

export interface RegressionConfig {
  /** A git ref (`main`, `origin/main`, a tag or commit) or a metrics file or folder. */
  readonly baseline?: string;
  readonly default?: MetricRule;
  readonly metrics?: Readonly<Record<string, MetricRule>>;
}

// The second lines: evaluate.generative's metrics. detection_auc is lower-better: a detector
// beats chance (0.5) from above. novelty is higher-better: closer to the training rows means more
// copying. diversity_ratio is in neither list: its ideal is 1, so a pipeline must say what it wants.
const HIGHER = [
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'sensitivity',
  'specificity',
  'f1',
  'roc_auc',
  'pr_auc',
  'r2',
  'novelty_mean',
  'novelty_median',
];
const LOWER = [
  'log_loss',
  'brier',
  'rmse',
  'mae',
  'ks_mean',
  'ks_max',
  'wasserstein_mean',
  'correlation_distance',
  'detection_auc',
  'bit_frequency_mad',
  'exact_copy_share',
];
/** evaluate.recommender's ranking metrics, named with their cut-off (ndcg@10). */
const HIGHER_AT_K = ['precision', 'recall', 'ndcg', 'map', 'hit_rate', 'coverage'];

/** evaluate.screening's metrics, named `<method>.<metric>`: enrichment factors (ef@1%), bedroc, roc_auc. */
const SCREENING = /^[A-Za-z][A-Za-z0-9_-]*\.(ef@[\d.]+%|bedroc|roc_auc)$/;

/** Where the metric's own name says which way is better; `lift.` and `baseline.` keep the base metric's direction. */
export function knownDirection(metric: string): Direction | undefined {
  if (SCREENING.test(metric)) return 'higher';
  const base = metric.replace(/^(lift|baseline)\./, '');
  if (HIGHER.includes(base)) return 'higher';
  if (LOWER.includes(base)) return 'lower';
  const at = /^([a-z_]+)@\d+$/.exec(base);
  if (at && HIGHER_AT_K.includes(at[1])) return 'higher';
  return undefined;
}

/** The direction a metric improves in, and a note when it was not known but assumed. */
export function directionOf(metric: string, config: RegressionConfig): { direction: Direction; note?: string } {
  const set = config.metrics?.[metric]?.direction;
  if (set) return { direction: set };
  const known = knownDirection(metric);
  if (known) return { direction: known };
  return { direction: 'higher', note: `${metric}: direction unknown, assumed higher is better (set regression.metrics.${metric}.direction: lower if not)` };
}

/**
 * The tolerance for one metric. Most specific wins: the command line (--atol/--rtol) over the
 * metric's own entry over `default:`. A command-line tolerance replaces the file's entirely
 * (including `ci`), so `--atol 0.01` means exactly that for every metric.
 */
export function toleranceOf(metric: string, config: RegressionConfig, commandLine: Tolerance = {}): Tolerance {
  if (commandLine.atol !== undefined || commandLine.rtol !== undefined || commandLine.ci) return pick(commandLine);
  const own = config.metrics?.[metric];
  if (own && (own.atol !== undefined || own.rtol !== undefined || own.ci !== undefined)) return pick(own);
  return pick(config.default ?? {});
}

function pick(t: Tolerance): Tolerance {
  return { ...(t.atol !== undefined ? { atol: t.atol } : {}), ...(t.rtol !== undefined ? { rtol: t.rtol } : {}), ...(t.ci ? { ci: true } : {}) };
}

/** A short human description of a tolerance: "atol 0.005", "ci", "exact". */
export function describeTolerance(t: Tolerance): string {
  const parts: string[] = [];
  if (t.ci) parts.push('ci');
  if (t.atol !== undefined) parts.push(`atol ${t.atol}`);
  if (t.rtol !== undefined) parts.push(`rtol ${t.rtol}`);
  return parts.join(', ') || 'exact';
}

const RULE_KEYS = ['atol', 'rtol', 'ci', 'direction'];

/**
 * JSON Schema of the `regression:` block, for the pipeline schema (src/engine/schema.ts adds it
 * under `properties.regression`). Self-contained: no $ref, so it drops in anywhere.
 */
export function regressionSchema(): Record<string, unknown> {
  const rule = {
    type: 'object',
    additionalProperties: false,
    properties: {
      atol: { type: 'number', minimum: 0, description: 'Absolute tolerance: the metric may get this much worse.' },
      rtol: { type: 'number', minimum: 0, description: 'Relative tolerance: worse by at most rtol x |baseline| (added to atol when both are set).' },
      ci: {
        type: 'boolean',
        description: "Regressed only when the new value falls outside the baseline's confidence interval (below ci_low when higher is better).",
      },
      direction: { enum: ['higher', 'lower'], description: 'Which way is better; known metrics have defaults, unknown ones default to higher.' },
    },
  };
  return {
    type: 'object',
    additionalProperties: false,
    description: 'How `medpipe metrics diff` and `medpipe run --ci` decide that a metric regressed.',
    properties: {
      baseline: { type: 'string', minLength: 1, description: 'Default baseline: a git ref (main, origin/main, a tag) or a metrics file or folder.' },
      default: { ...rule, description: 'Tolerance for every metric without its own entry.' },
      metrics: { type: 'object', additionalProperties: rule, description: 'Per metric name (roc_auc, rmse, ...): its tolerance and direction.' },
    },
  };
}

/** Checks a parsed `regression:` value; DataError naming the pipeline file and the bad key. */
export function parseRegressionConfig(value: unknown, file: string): RegressionConfig {
  if (value === undefined || value === null) return {};
  const where = (path: string, what: string): DataError =>
    new DataError(`regression${path}: ${what}`, { file, hint: 'see docs/ci.md for the regression: block' });
  if (!isObject(value)) throw where('', 'must be a mapping');
  for (const key of Object.keys(value))
    if (!['baseline', 'default', 'metrics'].includes(key)) throw where(`.${key}`, 'unknown key (expected baseline, default, metrics)');
  if (value.baseline !== undefined && (typeof value.baseline !== 'string' || value.baseline === '')) throw where('.baseline', 'must be a git ref or a path');
  const rule = (v: unknown, path: string): MetricRule => {
    if (!isObject(v)) throw where(path, 'must be a mapping like { atol: 0.005 }');
    for (const key of Object.keys(v)) if (!RULE_KEYS.includes(key)) throw where(`${path}.${key}`, `unknown key (expected ${RULE_KEYS.join(', ')})`);
    for (const key of ['atol', 'rtol'] as const) {
      const n = v[key];
      if (n !== undefined && !(typeof n === 'number' && Number.isFinite(n) && n >= 0)) throw where(`${path}.${key}`, 'must be a number >= 0');
    }
    if (v.ci !== undefined && typeof v.ci !== 'boolean') throw where(`${path}.ci`, 'must be true or false');
    if (v.direction !== undefined && v.direction !== 'higher' && v.direction !== 'lower') throw where(`${path}.direction`, 'must be higher or lower');
    return v as MetricRule;
  };
  const metrics: Record<string, MetricRule> = {};
  if (value.metrics !== undefined) {
    if (!isObject(value.metrics)) throw where('.metrics', 'must be a mapping from metric name to a tolerance');
    for (const [name, v] of Object.entries(value.metrics)) metrics[name] = rule(v, `.metrics.${name}`);
  }
  return {
    ...(value.baseline !== undefined ? { baseline: value.baseline as string } : {}),
    ...(value.default !== undefined ? { default: rule(value.default, '.default') } : {}),
    metrics,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
