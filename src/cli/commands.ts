/**
 * The CLI's commands: each takes its positional arguments and the parsed options, returns an exit code.
 * A command's own modules are imported when it runs: every command pays for loading what it
 * imports here, and `run` (a cached re-run above all) should load only what a run needs.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ignoreStoreInGit } from './gitignore.js';
import { runSummaryLines } from './run-summary.js';
import { runPipeline, type RunResult } from '../engine/execute.js';
import { loadPipeline, openStore } from '../engine/open.js';
import { parseOverride } from '../engine/params.js';
import { plan } from '../engine/plan.js';
import { decisionText, remoteLookupText, statusState } from './plan-reasons.js';
import { resolveStepNames } from '../engine/sweep.js';
import { PipelineError, UsageError } from '../errors.js';
import { renderDiagnostics } from './diagnostics.js';
import { catalogue } from '../steps/index.js';
import type { CliIO, ParsedArgs } from './cli.js';
import { interruptOnCtrlC, INTERRUPTED_EXIT_CODE } from './interrupt.js';
import { chooseRemote, openRemoteFromOptions } from './remote-option.js';
import { chooseQueue } from './queue-option.js';
import type { StepQueue } from '../engine/executor.js';
import type { Pipeline } from '../engine/pipeline.js';
import type { Store } from '../engine/store.js';
import type { RemoteCache } from '../remote/remote-cache.js';
import { table } from './table.js';
import { formatDuration, type Reporter } from './reporters/types.js';

type Command = (rest: string[], args: ParsedArgs, io: CliIO) => Promise<number>;

/** Refuses words after a command that takes none (or fewer): ignoring them would run something else than what was asked. */
function noMoreThan(rest: readonly string[], count: number, command: string, shape: string): void {
  if (rest.length > count) throw new UsageError(`${command} takes ${shape} (got "${rest.join(' ')}")`);
}

function pipelineArg(rest: string[], command: string): string {
  if (rest.length !== 1) throw new UsageError(`${command} takes one pipeline file, e.g. medpipe ${command} pipelines/breast-cancer.yaml`);
  return rest[0];
}

/** The pipeline a command names, and the store its commands use (located once, from the pipeline file's folder). */
async function load(rest: string[], args: ParsedArgs, command: string, cwd: string): Promise<{ pipeline: Pipeline; store: Store }> {
  const file = pipelineArg(rest, command);
  const store = openStore(dirname(resolve(cwd, file)), args.values.store, cwd);
  // The store keeps what spares a re-run parsing and compiling again.
  const pipeline = await loadPipeline(file, {
    catalogue,
    overrides: (args.values.set ?? []).map(parseOverride),
    paramsFiles: args.values.params,
    cwd,
    storeDir: store.root,
  });
  return { pipeline, store };
}

/** The queue a run sends its steps to (queue-option.ts), opened; it needs the run's remote. */
async function openQueue(values: ParsedArgs['values'], cwd: string, remote: RemoteCache | undefined): Promise<StepQueue | undefined> {
  const chosen = chooseQueue(values, cwd);
  if (!chosen) return undefined;
  if (!remote)
    throw new UsageError(
      `${chosen.from}: the queue's workers read inputs and return outputs through a remote: give --remote NAME|URL, set MEDPIPE_REMOTE, or make one the default`,
    );
  if (remote.readOnly) throw new UsageError(`${chosen.from}: the queue's workers push their outputs to the remote, so it cannot be --remote-read-only`);
  const { QueueCoordinator } = await import('../queue/coordinator.js');
  // MEDPIPE_QUEUE_LOST_MS: how long Redis may be unreachable before the waiting steps fail (default 60 s).
  const lost = Number(process.env.MEDPIPE_QUEUE_LOST_MS);
  return new QueueCoordinator(chosen.url, remote.location, Number.isInteger(lost) && lost > 0 ? { lostAfterMs: lost } : {});
}

const run: Command = async (rest, args, io) => {
  const { pipeline, store } = await load(rest, args, 'run', io.cwd);
  const concurrency = args.values.concurrency === undefined ? undefined : Number(args.values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0))
    throw new UsageError(`--concurrency must be a whole number above 0, got "${args.values.concurrency}"`);
  // A swept step's name selects all of its combinations.
  const select = (names: readonly string[] | undefined): string[] | undefined => {
    if (!names) return undefined;
    const { ids, unknown } = resolveStepNames(pipeline.steps, names);
    if (unknown.length) throw new UsageError(`there is no step "${unknown[0]}" in ${pipeline.file}; its steps are: ${[...pipeline.steps.keys()].join(', ')}`);
    return ids;
  };
  const forceSteps = select(args.values['force-steps']?.flatMap((s) => s.split(',')));
  const only = select(args.values.only);
  const from = select(args.values.from ? [args.values.from] : undefined);

  if (args.values['dry-run']) {
    // The plan a real run starts from: the same selection, the same decisions.
    const planned = await plan(pipeline, store, { only, force: args.values.force ? true : forceSteps, from });
    // Which remote a run would use, without contacting it: a dry run reads nothing remote.
    const remoteUrl = chooseRemote(args.values, io.cwd)?.url;
    const steps = planned.steps
      .filter((s) => planned.selected.has(s.step))
      .map(({ step, decision }) => {
        // A forced step (--force, --from) is computed, also when the plan does not know its key yet.
        const lookup = remoteUrl && !planned.forced.has(step) ? remoteLookupText(decision, remoteUrl) : undefined;
        return {
          step,
          would: decision.action === 'cached' ? 'skip' : decision.action,
          why: decision.action === 'cached' ? 'cached' : `${decisionText(decision)}${lookup ? `; ${lookup}` : ''}`,
          decision,
        };
      });
    if (args.values.json) io.out(JSON.stringify({ pipeline: pipeline.name, steps }));
    else io.out(table([['STEP', 'WOULD', 'WHY'], ...steps.map((s) => [s.step, s.would, s.why])]));
    return 0;
  }
  // Only the reporter this run uses is loaded.
  const reporter: Reporter = args.values.json
    ? new (await import('./reporters/json.js')).JsonReporter(io.out)
    : io.stdout.isTTY && !args.values.plain && !process.env.CI
      ? new (await import('./reporters/tty.js')).TtyReporter(io.stdout)
      : new (await import('./reporters/plain.js')).PlainReporter(io.out);
  // The run that creates the store keeps it out of git; later runs spawn no git for it.
  const ignored = existsSync(store.root) ? undefined : await ignoreStoreInGit(store.root, io.cwd);
  if (ignored) io.err(`medpipe: ${ignored}`);
  if (args.values.publish && (pipeline.overrides.length || pipeline.paramsOverrides.length))
    throw new UsageError(
      '--publish makes a run of a changed pipeline file the record; --set and --params values are in no committed file, so such a run stays an experiment: write the values into the pipeline (or its params_file) instead',
    );
  let started = false;
  // The remote's warnings during the run are engine events (run:warning), shown by the reporter;
  // outside it (opening the remote), a line on stderr.
  let inRun = false;
  const remote = await openRemoteFromOptions(args.values, io.cwd, (m) => {
    if (!inRun) io.err(`medpipe: warning: ${m}`);
  });
  if (args.values.materialize && !remote)
    throw new UsageError('--materialize downloads from the remote: give --remote NAME|URL, set MEDPIPE_REMOTE, or make one the default');
  const queue = await openQueue(args.values, io.cwd, remote);
  const interrupt = interruptOnCtrlC(() => {
    // Still waiting for another run's lock on this checkout: nothing has run or been recorded, so nothing to stop.
    if (!started) process.exit(INTERRUPTED_EXIT_CODE);
    io.err('medpipe: interrupted: stopping the running steps (Ctrl-C again to quit at once)');
  });
  let result: RunResult;
  try {
    result = await runPipeline(pipeline, store, {
      concurrency,
      failFast: args.values['fail-fast'],
      force: args.values.force ? true : forceSteps,
      only,
      from,
      publish: args.values.publish,
      register: args.values.register,
      signal: interrupt.signal,
      remote,
      materialize: args.values.materialize,
      ...(queue ? { queue } : {}),
      onEvent: (e) => {
        if (e.type === 'run:start') started = inRun = true;
        if (e.type === 'run:done') inRun = false;
        reporter.onEvent(e);
      },
    });
  } catch (e) {
    // A remote required by --remote-required failed: the run is recorded, and the error is the last line.
    reporter.close();
    throw e;
  } finally {
    interrupt.dispose();
    await queue?.close();
    remote?.close();
  }
  reporter.close();
  const summary = runSummaryLines(pipeline, result, io.cwd);
  if (args.values.json) io.out(JSON.stringify({ type: 'run:summary', lines: summary.slice(1).map((l) => l.trim()) }));
  else if (summary.length) io.out(summary.join('\n'));
  if (result.status === 'interrupted') return INTERRUPTED_EXIT_CODE;
  if (result.status !== 'ok') return 1;
  // --ci: the run is followed by the regression check against the baseline, in one command, on
  // the metrics this run computed (an experiment leaves the committed files as they are).
  return args.values.ci
    ? (await import('./metrics.js')).metricsCommand(['diff', pipelineArg(rest, 'run')], { ...args.values, cwd: io.cwd, current: result.published }, io)
    : 0;
};

const validate: Command = async (rest, args, io) => {
  try {
    const { pipeline } = await load(rest, args, 'validate', io.cwd);
    if (args.values.json) io.out(JSON.stringify({ ok: true, file: pipeline.file, steps: pipeline.steps.size, diagnostics: [] }));
    else io.out(`${pipeline.file}: ok (${pipeline.steps.size} steps)`);
    return 0;
  } catch (e) {
    // For validate, an invalid pipeline is the answer to the question asked, not a usage error: exit 1.
    if (!(e instanceof PipelineError)) throw e;
    // --json: for editors and CI annotations, each diagnostic with its ranges and related locations.
    if (args.values.json) io.out(JSON.stringify({ ok: false, diagnostics: e.diagnostics }));
    else io.err(renderDiagnostics(e.diagnostics, true, io.cwd));
    return 1;
  }
};

const status: Command = async (rest, args, io) => {
  const { pipeline, store } = await load(rest, args, 'status', io.cwd);
  const planned = await plan(pipeline, store, { verify: true });
  const dataFiles = await (await import('./data.js')).dataStatus(pipeline, store, io.cwd);
  // Like run --dry-run: which remote a run would look stale steps up on, without contacting it.
  const remoteUrl = chooseRemote(args.values, io.cwd)?.url;
  const statuses = planned.steps.map(({ step, decision }) => {
    const lookup = remoteUrl ? remoteLookupText(decision, remoteUrl) : undefined;
    return {
      step,
      state: statusState(decision),
      ...('key' in decision && decision.key ? { key: decision.key } : {}),
      lock: decision.lock,
      ...(decision.action === 'cached' && !decision.damage ? {} : { reason: `${decisionText(decision)}${lookup ? `; ${lookup}` : ''}` }),
      decision,
    };
  });
  if (args.values.json)
    io.out(JSON.stringify({ pipeline: pipeline.name, steps: statuses, ...(dataFiles.files.length ? { data: dataFiles.files } : {}) }, null, 2));
  else io.out(table([['STEP', 'STATE', 'LOCK FILE', 'WHY'], ...statuses.map((s) => [s.step, s.state, s.lock, s.reason ?? ''])]));
  if (!args.values.json) for (const line of dataFiles.lines) io.out(line);
  return 0;
};

const runs: Command = async (rest, args, io) => {
  const store = openStore(io.cwd, args.values.store, io.cwd);
  if (rest[0] === 'compare')
    return (await import('./runs-compare.js')).runsCompare(
      rest.slice(1),
      { store, baseline: args.values.baseline, json: args.values.json, cwd: io.cwd },
      io.out,
    );
  noMoreThan(rest, 0, 'runs', 'no arguments (or: compare RUN RUN...)');
  const limit = args.values.limit ? Number(args.values.limit) : 20;
  const records = (await import('../engine/record.js')).listRunRecords(store, limit);
  if (args.values.json) {
    io.out(JSON.stringify(records, null, 2));
    return 0;
  }
  if (!records.length) {
    io.out(`no runs in ${store.root}`);
    return 0;
  }
  const count = (r: (typeof records)[number], s: string): number => Object.values(r.steps).filter((x) => x.status === s).length;
  io.out(
    table([
      ['RUN', 'PIPELINE', 'STATUS', 'STARTED', 'DURATION', 'RAN', 'CACHED', 'FAILED', 'CANCELLED', 'COMMIT', 'EXPERIMENT'],
      ...records.map((r) => [
        r.runId,
        r.pipeline.name,
        r.status,
        r.startedAt,
        r.durationMs === undefined ? '-' : formatDuration(r.durationMs),
        String(count(r, 'done')),
        String(count(r, 'cached')),
        String(count(r, 'failed')),
        String(count(r, 'cancelled')),
        r.git ? `${r.git.commit.slice(0, 8)}${r.git.dirty ? '+dirty' : ''}` : '-',
        r.experiment ?? '',
      ]),
    ]),
  );
  return 0;
};

const cache: Command = async (rest, args, io) => {
  if (rest.length !== 1 || !['info', 'verify', 'gc'].includes(rest[0]))
    throw new UsageError(`cache takes one command: info, verify or gc${rest.length ? ` (got "${rest.join(' ')}")` : ''}`);
  const store = openStore(io.cwd, args.values.store, io.cwd);
  if (rest[0] === 'info') {
    const info = (await import('../engine/gc.js')).storeInfo(store);
    if (args.values.json) io.out(JSON.stringify(info, null, 2));
    else {
      io.out(
        `store: ${info.root}\nartifacts: ${info.objects} (${(info.objectBytes / 1e6).toFixed(1)} MB)\ncache entries: ${info.entries}\nrun records: ${info.runs}`,
      );
      for (const p of info.pipelines) io.out(`pipeline ${p.name}: ${p.steps} steps, last changed by run ${p.lastRunId} (${p.path})`);
    }
    return 0;
  }
  if (rest[0] === 'gc') {
    const result = (await import('../engine/gc.js')).collectGarbage(store);
    if ('busy' in result) {
      io.err(`medpipe: a run is in progress (${result.busy.length} step lock${result.busy.length === 1 ? '' : 's'} held); run cache gc when it has finished`);
      return 1;
    }
    io.out(
      `removed ${result.removedEntries} cache entries and ${result.removedObjects} artifacts (${(result.freedBytes / 1e6).toFixed(1)} MB); kept ${result.keptEntries} entries and ${result.keptObjects} artifacts`,
    );
    if (result.removedLocks || result.removedQuarantined)
      io.out(
        `removed ${result.removedLocks} lock${result.removedLocks === 1 ? '' : 's'} left by runs that were killed, and ${result.removedQuarantined} damaged item${result.removedQuarantined === 1 ? '' : 's'} from quarantine/`,
      );
    return 0;
  }
  // rest[0] is verify
  const report = await (await import('../engine/verify.js')).verifyStore(store);
  if (args.values.json) io.out(JSON.stringify(report, null, 2));
  else {
    io.out(`checked ${report.objects} artifacts (${(report.objectBytes / 1e6).toFixed(1)} MB) and ${report.entries} cache entries in ${store.root}`);
    for (const line of report.damaged) io.err(`damaged: ${line}`);
    io.out(
      report.damaged.length
        ? `${report.damaged.length} damaged item${report.damaged.length === 1 ? '' : 's'} set aside in ${report.quarantine}; the next run recomputes what it needs`
        : 'all intact',
    );
  }
  return report.damaged.length ? 1 : 0;
};

const steps: Command = async (rest, args, io) =>
  (await import('./steps.js')).stepsCommand(rest, { json: args.values.json, markdown: args.values.markdown, cwd: io.cwd }, io);

const dag: Command = async (rest, args, io) => {
  const { pipeline } = await load(rest, args, 'dag', io.cwd);
  const format = args.values.format ?? 'ascii';
  const { renderAscii, renderDot, renderMermaid } = await import('./dag.js');
  if (format === 'mermaid') io.out(renderMermaid(pipeline));
  else if (format === 'dot') io.out(renderDot(pipeline));
  else if (format === 'ascii') io.out(renderAscii(pipeline));
  else throw new UsageError(`--format must be ascii, mermaid or dot, got "${format}"`);
  return 0;
};

const metrics: Command = async (rest, args, io) => (await import('./metrics.js')).metricsCommand(rest, { ...args.values, cwd: io.cwd }, io);

const report: Command = async (rest, args, io) => {
  const remote = await openRemoteFromOptions(args.values, io.cwd, (m) => io.err(`medpipe: ${m}`));
  try {
    return await (await import('./report.js')).reportCommand(
      rest,
      {
        store: openStore(io.cwd, args.values.store, io.cwd).root,
        output: args.values.output,
        baseline: args.values.baseline,
        compare: args.values.compare,
        cwd: io.cwd,
        ...(remote ? { remote } : {}),
      },
      io,
    );
  } finally {
    remote?.close();
  }
};

const models: Command = async (rest, args, io) => {
  const store = openStore(io.cwd, args.values.store, io.cwd);
  return (await import('./models.js')).modelsCommand(rest, { store: store.root, json: args.values.json, expect: args.values.expect, cwd: io.cwd }, io);
};

const predict: Command = async (rest, args, io) => {
  if (rest.length !== 1 || !args.values.input)
    throw new UsageError('usage: medpipe predict NAME[@VERSION|@ALIAS] --input rows.csv [--output predictions.csv] [--strict] [--explain]');
  const store = openStore(io.cwd, args.values.store, io.cwd);
  return (await import('./predict.js')).predictCommand(
    {
      ref: rest[0],
      input: args.values.input,
      output: args.values.output,
      storeDir: store.root,
      strict: args.values.strict,
      explain: args.values.explain,
      cwd: io.cwd,
    },
    io,
  );
};

const explain: Command = async (rest, args, io) => {
  if (rest.length !== 1 || !args.values.input)
    throw new UsageError('usage: medpipe explain NAME[@VERSION|@ALIAS] --input rows.csv [--output file.json|file.csv] [--top 5] [--json]');
  const store = openStore(io.cwd, args.values.store, io.cwd);
  const v = args.values;
  return (await import('./explain.js')).explainCommand(
    { ref: rest[0], input: v.input as string, output: v.output, top: v.top, seed: v.seed, samples: v.samples, json: v.json, storeDir: store.root, cwd: io.cwd },
    io,
  );
};

const monitor: Command = async (rest, args, io) => {
  if (rest.length !== 1 || !args.values.input)
    throw new UsageError("usage: medpipe monitor NAME[@VERSION|@ALIAS] --input new.csv [--labels COLUMN] [--gate 'psi.max<0.2' ...] [--json]");
  const store = openStore(io.cwd, args.values.store, io.cwd);
  return (await import('./monitor.js')).monitorCommand(
    {
      ref: rest[0],
      input: args.values.input,
      ...(args.values.labels ? { labels: args.values.labels } : {}),
      gates: args.values.gate ?? [],
      json: args.values.json ?? false,
      storeDir: store.root,
      cwd: io.cwd,
    },
    io,
  );
};

const recommend: Command = async (rest, args, io) => {
  if (rest.length !== 1)
    throw new UsageError('usage: medpipe recommend NAME[@VERSION|@ALIAS] --patient ID [--k 5] [--feature col=value ...] [--include-seen] [--json]');
  const store = openStore(io.cwd, args.values.store, io.cwd);
  return (await import('./recommend.js')).recommendCommand(
    {
      ref: rest[0],
      patient: args.values.patient,
      k: args.values.k === undefined ? 5 : Number(args.values.k),
      features: args.values.feature ?? [],
      includeSeen: args.values['include-seen'] ?? false,
      json: args.values.json ?? false,
      storeDir: store.root,
    },
    io,
  );
};

const serve: Command = async (rest, args, io) => {
  const v = args.values;
  if (v['verify-log'] !== undefined && rest.length) throw new UsageError('--verify-log checks a log and serves nothing: give no model with it');
  const { serveCommand } = await import('./serve.js');
  return serveCommand(
    {
      refs: rest,
      storeDir: openStore(io.cwd, v.store, io.cwd).root,
      cwd: io.cwd,
      port: v.port,
      host: v.host,
      tokenFile: v['token-file'],
      log: v.log,
      logInputs: v['log-inputs'] ?? false,
      maxRows: v['max-rows'],
      maxBody: v['max-body'],
      verifyLog: v['verify-log'],
      explainer: async (bundle, rows) => (await import('../explain/index.js')).explainBundle(bundle, rows),
    },
    io,
  );
};

const schema: Command = async (rest, _args, io) => {
  noMoreThan(rest, 1, 'schema', 'at most one file to write, e.g. medpipe schema schemas/pipeline.schema.json');
  const { pipelineEditorSchema } = await import('../engine/schema.js');
  const { builtinSteps } = await import('../builtin-steps.js');
  const text = JSON.stringify(pipelineEditorSchema([...builtinSteps.values()]), null, 2) + '\n';
  if (rest[0]) (await import('./output-file.js')).writeOutputFile(rest[0], text, io.cwd);
  else io.out(text.trimEnd());
  return 0;
};

const remote: Command = async (rest, args, io) => (await import('./remote-commands.js')).remoteCommand(rest, args, io);
const data: Command = async (rest, args, io) => (await import('./data.js')).dataCommand(rest, args, io);
const push: Command = async (rest, args, io) => (await import('./remote-commands.js')).transferCommand('push', rest, args, io);
const pull: Command = async (rest, args, io) => (await import('./remote-commands.js')).transferCommand('pull', rest, args, io);
const exportPipeline: Command = async (rest, args, io) => (await import('./export.js')).exportCommand(rest, args, io);

export const commands: Record<string, Command> = {
  run,
  worker: async (rest, args, io) => (await import('./worker.js')).workerCommand(rest, args, io),
  validate,
  status,
  dag,
  metrics,
  report,
  runs,
  cache,
  remote,
  push,
  pull,
  export: exportPipeline,
  data,
  models,
  predict,
  explain,
  monitor,
  recommend,
  serve,
  steps,
  schema,
};
