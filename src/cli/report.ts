/**
 * `medpipe report [RUN]`: writes the run's self-contained HTML report (src/report). Without RUN,
 * the latest complete run in the store (every step selected, finished ok or failed): an `--only`
 * run leaves most of the pipeline out, so it is reported only when named, or when no complete run
 * exists. RUN may be a run id or an unambiguous prefix of one.
 */
import { existsSync } from 'node:fs';
import { findRunById, latestCompleteRun, latestFinishedRun, onlySteps, type RunRecord } from '../engine/record.js';
import { openStore } from '../engine/open.js';
import type { Store } from '../engine/store.js';
import type { RemoteCache } from '../remote/remote-cache.js';
import { fetchMissing } from '../remote/transfer.js';
import { collectReport } from '../report/collect.js';
import { renderReport } from '../report/render.js';
import { diffTargets } from '../metrics/compare.js';
import { readPipelineMetrics } from '../metrics/pipeline-metrics.js';
import { writeOutputFile } from './output-file.js';
import { compareRuns, runsByIds } from './runs-compare.js';
import { fmtNumber } from '../report/format.js';

export interface ReportOptions {
  /** Where artifacts of the run missing from the store are downloaded from (a run that took steps from it). */
  remote?: RemoteCache;
  /** The store's root folder (.medpipe/). */
  store: string;
  /** Where to write the HTML; default `medpipe-report-<runId>.html` in the current folder. */
  output?: string;
  /** Compare the metrics with this git ref or file instead of the pipeline's regression.baseline. */
  baseline?: string;
  /** Other runs (ids or prefixes) to show side by side with this one. */
  compare?: readonly string[];
  /** The folder the command runs in: --output and --baseline paths are relative to it. */
  cwd: string;
}

export interface ReportIO {
  out(text: string): void;
  err(text: string): void;
}

/** The run to report when none is named, and a note when it is not a complete run. */
function defaultRun(store: Store): { record: RunRecord; note?: string } | string {
  const complete = latestCompleteRun(store);
  if (complete) return { record: complete };
  const partial = latestFinishedRun(store);
  if (!partial) return `no finished runs in ${store.root}: run a pipeline first (medpipe run FILE)`;
  return {
    record: partial,
    note: `no complete run in ${store.root}: reporting the latest run, an --only run of ${onlySteps(partial).join(', ')}; run the whole pipeline for a full report`,
  };
}

/** The run named by an id or an unambiguous prefix of one. */
function findRun(store: Store, wanted: string): { record: RunRecord } | string {
  const found = findRunById(store, wanted);
  return typeof found === 'string' ? found : { record: found };
}

export async function reportCommand(args: string[], opts: ReportOptions, io: ReportIO): Promise<number> {
  if (args.length > 1) {
    io.err('medpipe report takes at most one run id, e.g. medpipe report 20260101T120000Z-1a2b3c');
    return 2;
  }
  const store = openStore(opts.cwd, opts.store, opts.cwd);
  const chosen = args[0] === undefined ? defaultRun(store) : findRun(store, args[0]);
  if (typeof chosen === 'string') {
    io.err(`medpipe: ${chosen}`);
    return 1;
  }
  const found = chosen.record;
  if ('note' in chosen && chosen.note) io.err(`medpipe: ${chosen.note}`);
  if (opts.remote) {
    // A run that took steps from the remote downloaded only what it read: the report reads more.
    const records = [found, ...(opts.compare?.length ? runsByIds(store, opts.compare) : [])];
    const digests = records.flatMap((r) => Object.values(r.steps).flatMap((s) => Object.values(s.outputs ?? {})));
    const { fetched } = await fetchMissing(store, opts.remote, digests);
    if (fetched) io.err(`medpipe: downloaded ${fetched} artifact${fetched === 1 ? '' : 's'} of the run from ${opts.remote.location}`);
  }
  const data = await collectReport(found, store);
  // The diff against the pipeline's regression baseline (or --baseline), when it has one.
  const readable = existsSync(found.pipeline.path) ? readPipelineMetrics(found.pipeline.path) : undefined;
  const baseline = opts.baseline ?? readable?.regression.baseline;
  if (baseline && readable?.metricsFiles.length) {
    try {
      data.baselineDiff = await diffTargets([found.pipeline.path], { baseline, cwd: opts.cwd });
    } catch (e) {
      data.baselineProblem = `no comparison with ${baseline}: ${(e as Error).message}`;
    }
  }
  if (opts.compare?.length) {
    const others = runsByIds(store, opts.compare);
    data.comparison = await compareRuns(store, runsByIds(store, [found.runId, ...others.map((r) => r.runId)]), { cwd: opts.cwd, format: (x) => fmtNumber(x) });
  }
  const html = renderReport(data);
  const output = writeOutputFile(opts.output ?? `medpipe-report-${found.runId}.html`, html, opts.cwd);
  io.out(`report of run ${found.runId} (${found.pipeline.name}, ${found.status}) written to ${output}`);
  return 0;
}
