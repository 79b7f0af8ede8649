/**
 * The check.data steps of a run for the report: each one's JSON report (counts and row numbers
 * only, never a value), or, for a step that failed its expectations, its error, which names the
 * violations the same way. A failed step's outputs are not in the store, so its error is all there is.
 */
import { CHECK_DATA_FORMAT } from '../report-formats.js';
import { isRecord, readArtifactJson } from './artifacts.js';
import { stepTypeOf, type CollectContext } from './collect-context.js';
import type { DataCheck, DataCheckReport } from './report-data.js';

const asReport = (v: unknown): DataCheckReport | undefined => {
  if (!isRecord(v) || v.format !== CHECK_DATA_FORMAT) return undefined;
  if (!Array.isArray(v.columns) || !isRecord(v.duplicate_rows) || !Array.isArray(v.duplicate_ids) || !isRecord(v.leakage) || !Array.isArray(v.expectations))
    return undefined;
  return v as unknown as DataCheckReport;
};

export function dataChecks(ctx: CollectContext): DataCheck[] {
  return ctx.steps
    .filter((s) => stepTypeOf(ctx, s.id) === 'check.data')
    .flatMap((s): DataCheck[] => {
      if (s.status === 'failed') return [{ step: s.id, error: s.error ?? 'the step failed' }];
      if (s.status !== 'done' && s.status !== 'cached') return [];
      const digest = ctx.record.steps[s.id]?.outputs?.report;
      if (typeof digest !== 'string') return [{ step: s.id, missing: 'no report was recorded' }];
      const read = readArtifactJson(ctx.store, digest, { what: 'its data-check report', content: 'its checks' }, asReport);
      return 'missing' in read ? [{ step: s.id, missing: read.missing }] : [{ step: s.id, report: read.value }];
    });
}
