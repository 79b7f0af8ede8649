/**
 * `medpipe recommend NAME@ALIAS --patient ID [--k 5] [--feature col=value ...] [--include-seen] [--json]`: the top-k
 * treatments for one patient from a registered recommender, with scores and why.
 */
import { UsageError } from '../errors.js';
import { readRegisteredBundle } from './registered-bundle.js';

export interface RecommendArgs {
  ref: string;
  patient?: string;
  k: number;
  features: readonly string[];
  /** Also rank treatments the patient already had (by default they are left out). */
  includeSeen: boolean;
  json: boolean;
  storeDir: string;
}

/** `col=value` pairs; numbers stay text here, the model's feature scaling reads them by column kind. */
function parseFeatures(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--feature ${p}: write column=value, e.g. --feature age=67`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

export async function recommendCommand(a: RecommendArgs, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  if (!Number.isInteger(a.k) || a.k < 1) throw new UsageError(`--k must be a positive integer, got ${a.k}`);
  const features = parseFeatures(a.features);
  if (a.patient === undefined && !Object.keys(features).length)
    throw new UsageError('usage: medpipe recommend NAME@ALIAS --patient ID [--k 5] [--feature col=value ...] [--json]');
  const found = await readRegisteredBundle(a.ref, a.storeDir);
  if ('problem' in found) {
    io.err(`medpipe: ${found.problem}`);
    return 1;
  }
  const { bundle, label } = found;
  const { loadRecommender, RECOMMENDER_FORMAT } = await import('../ml/recommender/artifact.js');
  const { modelKindOf, usageOf } = await import('../bundle/model-kind.js');
  if (bundle.model.format !== RECOMMENDER_FORMAT) throw new UsageError(`${label} cannot recommend: ${usageOf(modelKindOf(bundle.model))}`);
  const model = loadRecommender(bundle.model);
  const known = a.patient !== undefined && model.patientIndex(a.patient) >= 0;
  if (!known && !Object.keys(features).length && !(model.method === 'popularity' && !model.hybrid)) {
    const specs = model.artifact.hybrid?.scaling.specs;
    throw new UsageError(
      specs
        ? `patient "${a.patient}" is not in ${label}'s training data: pass their features, e.g. ${specs.map((s) => `--feature ${s.name}=${s.kind === 'categorical' ? (s.categories?.[0] ?? 'VALUE') : 'NUMBER'}`).join(' ')}`
        : `patient "${a.patient}" is not in ${label}'s training data, and the model was trained without patient features (hybrid: false), so it cannot recommend for new patients`,
    );
  }
  const result = model.recommend({ ...(a.patient !== undefined ? { patient: a.patient } : {}), ...(!known ? { features } : {}) }, a.k, !a.includeSeen);
  if (a.json) {
    io.out(JSON.stringify({ model: label, method: model.method, ...result }));
    return 0;
  }
  const who = a.patient ?? 'new patient';
  const how =
    result.basis === 'history'
      ? 'from their treatment history'
      : result.basis === 'features'
        ? `from their features${result.imputed.length ? ` (imputed: ${result.imputed.join(', ')})` : ''}`
        : 'by popularity';
  io.out(`${label} (${model.method}): top ${result.recommendations.length} for ${who}, ${how}`);
  io.out(`score: ${result.score_meaning}`);
  const width = Math.max(9, ...result.recommendations.map((r) => r.treatment.length));
  result.recommendations.forEach((r, j) =>
    io.out(`${String(j + 1).padStart(3)}  ${r.treatment.padEnd(width)}  ${r.score.toFixed(3).padStart(8)}  ${r.explanation.text}`),
  );
  return 0;
}
