/**
 * Outputs of particular step types that the report draws beyond metrics: a GAN's training losses
 * (train.gan `curves`), a regression's observed and predicted values (evaluate `predictions`, only
 * written when the pipeline asks), and a ranked table of molecules (predict `table`).
 *
 * A predict step's table is shown only when its rows are molecules, i.e. its data descends from a
 * featurize.molecules step: the same step on patient rows would be a table of patients, which the
 * report never shows.
 */
import { PREDICTIONS_FORMAT } from '../report-formats.js';
import { isRecord, readArtifactJson, readArtifactText } from './artifacts.js';
import { ancestorsOf, stepTypeOf, type CollectContext } from './collect-context.js';
import { parseCsv } from './csv-text.js';
import type { CandidateTable, GanCurves, ObservedPredicted } from './report-data.js';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The steps of a type that ran or were cached in this run, with the digest of one of their outputs. */
function outputsOf(ctx: CollectContext, type: string, port: string): { step: string; digest: string }[] {
  return ctx.steps
    .filter((s) => (s.status === 'done' || s.status === 'cached') && stepTypeOf(ctx, s.id) === type)
    .map((s) => ({ step: s.id, digest: ctx.record.steps[s.id]?.outputs?.[port] }))
    .filter((x): x is { step: string; digest: string } => typeof x.digest === 'string');
}

const asCurves = (v: unknown): Omit<GanCurves, 'step'> | undefined => {
  if (!isRecord(v) || v.kind !== 'gan-curves' || !Array.isArray(v.points)) return undefined;
  const points = v.points.filter((p): p is GanCurves['points'][number] => isRecord(p) && finite(p.step) && finite(p.critic_loss) && finite(p.generator_loss));
  return { loss: typeof v.loss === 'string' ? v.loss : 'unknown', points };
};

export function ganCurves(ctx: CollectContext): GanCurves[] {
  return outputsOf(ctx, 'train.gan', 'curves').flatMap(({ step, digest }): GanCurves[] => {
    const read = readArtifactJson(ctx.store, digest, { what: 'its loss curves artifact', content: 'its losses' }, asCurves);
    if ('missing' in read) return [{ step, loss: 'unknown', points: [], missing: read.missing }];
    return read.value.points.length ? [{ step, ...read.value }] : [];
  });
}

const asPredictions = (v: unknown): Omit<ObservedPredicted, 'step'> | undefined => {
  if (!isRecord(v) || v.format !== PREDICTIONS_FORMAT) return undefined;
  // observed: null is the evaluate step saying the pipeline did not ask for them.
  if (v.observed === null) return { observed: [], predicted: [] };
  if (!Array.isArray(v.observed) || !Array.isArray(v.predicted)) return undefined;
  if (v.observed.length !== v.predicted.length || !v.observed.every(finite) || !v.predicted.every(finite)) return undefined;
  return { observed: v.observed, predicted: v.predicted, ...(typeof v.target === 'string' ? { target: v.target } : {}) };
};

export function observedPredicted(ctx: CollectContext): ObservedPredicted[] {
  return outputsOf(ctx, 'evaluate', 'predictions').flatMap(({ step, digest }): ObservedPredicted[] => {
    const read = readArtifactJson(ctx.store, digest, { what: 'its predictions artifact', content: 'its points' }, asPredictions);
    if ('missing' in read) return [{ step, observed: [], predicted: [], missing: read.missing }];
    return read.value.observed.length ? [{ step, ...read.value }] : [];
  });
}

export function candidateTables(ctx: CollectContext): CandidateTable[] {
  // A ranking (predict) or a short list picked from one (select.diverse), in pipeline order.
  const tables = [...outputsOf(ctx, 'predict', 'table'), ...outputsOf(ctx, 'select.diverse', 'table')];
  const order = new Map(ctx.steps.map((s, i) => [s.id, i]));
  tables.sort((a, b) => (order.get(a.step) ?? 0) - (order.get(b.step) ?? 0));
  return tables.flatMap(({ step, digest }): CandidateTable[] => {
    const molecules = [...ancestorsOf(ctx, step)].some((a) => stepTypeOf(ctx, a) === 'featurize.molecules');
    if (!molecules) return [];
    const read = readArtifactText(ctx.store, digest, { what: 'its table', content: 'its rows' });
    if ('missing' in read) return [{ step, columns: [], rows: [], total: 0, missing: read.missing }];
    const [columns, ...rows] = parseCsv(read.value).filter((r) => r.length > 1 || r[0] !== '');
    if (!columns) return [];
    const file = ctx.pipeline?.steps.get(step)?.params.table_file;
    return [{ step, columns, rows, total: rows.length, ...(typeof file === 'string' ? { file } : {}) }];
  });
}
