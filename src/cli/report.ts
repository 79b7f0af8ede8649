/**
 * `medpipe report [RUN]`: writes the run's self-contained HTML report (src/report). Without RUN,
 * the latest run in the store; RUN may be a run id or an unambiguous prefix of one.
 */
import { existsSync, readdirSync } from 'node:fs';
import { latestFinishedRun, type RunRecord } from '../engine/record.js';
import { Store } from '../engine/store.js';
import { collectReport } from '../report/collect.js';
import { renderReport } from '../report/render.js';
import { diffTargets } from '../metrics/compare.js';
import { readPipelineMetrics } from '../metrics/pipeline-metrics.js';
import { writeOutputFile } from './output-file.js';

export interface ReportOptions {
  /** The store's root folder (.medpipe/). */
  store: string;
  /** Where to write the HTML; default `medpipe-report-<runId>.html` in the current folder. */
  output?: string;
  /** Compare the metrics with this git ref or file instead of the pipeline's regression.baseline. */
  baseline?: string;
}

export interface ReportIO {
  out(text: string): void;
  err(text: string): void;
}

function findRun(store: Store, wanted: string | undefined): RunRecord | string {
  if (wanted === undefined) return latestFinishedRun(store) ?? `no finished runs in ${store.root}: run a pipeline first (medpipe run FILE)`;
  let names: string[] = [];
  try {
    names = readdirSync(store.path('runs')).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
  } catch {
    // No runs folder: handled as no match below.
  }
  const matches = names.filter((n) => n === wanted || n.startsWith(wanted));
  const exact = matches.includes(wanted) ? [wanted] : matches;
  if (exact.length > 1) return `run "${wanted}" is ambiguous: it could be ${exact.slice(0, 5).join(', ')}; give more of the id`;
  const record = exact.length ? store.readJson<RunRecord>(`runs/${exact[0]}.json`) : undefined;
  return record ?? `no run "${wanted}" in ${store.root}; medpipe runs lists them`;
}

export async function reportCommand(args: string[], opts: ReportOptions, io: ReportIO): Promise<number> {
  if (args.length > 1) {
    io.err('medpipe report takes at most one run id, e.g. medpipe report 20260101T120000Z-1a2b3c');
    return 2;
  }
  const store = new Store(opts.store);
  const found = findRun(store, args[0]);
  if (typeof found === 'string') {
    io.err(`medpipe: ${found}`);
    return 1;
  }
  const data = await collectReport(found, store);
  // The diff against the pipeline's regression baseline (or --baseline), when it has one.
  const readable = existsSync(found.pipeline.path) ? readPipelineMetrics(found.pipeline.path) : undefined;
  const baseline = opts.baseline ?? readable?.regression.baseline;
  if (baseline && readable?.metricsFiles.length) {
    try {
      data.baselineDiff = await diffTargets([found.pipeline.path], { baseline, cwd: process.cwd() });
    } catch (e) {
      data.baselineProblem = `no comparison with ${baseline}: ${(e as Error).message}`;
    }
  }
  const html = renderReport(data);
  const output = writeOutputFile(opts.output ?? `medpipe-report-${found.runId}.html`, html);
  io.out(`report of run ${found.runId} (${found.pipeline.name}, ${found.status}) written to ${output}`);
  return 0;
}
