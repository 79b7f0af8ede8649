/**
 * What `medpipe --help` and `medpipe COMMAND --help` print: one entry per command, from which
 * both the list of commands and each command's own usage are made, so they cannot disagree.
 */
import { DATA_USAGE, EXPORT_USAGE, METRICS_USAGE, MODELS_USAGE, REMOTE_USAGE } from './usage.js';

interface CommandHelp {
  /** What follows the command's name in its usage line: `FILE [options]`. */
  args: string;
  /** One line, for the list of commands. */
  summary: string;
  /** Each option and what it does. */
  options?: readonly (readonly [flag: string, text: string])[];
  /** Anything else worth knowing: exit codes, what happens on Ctrl-C. */
  notes?: string;
  /** The full usage, for commands with subcommands that keep their own (models, metrics). */
  text?: string;
}

const STORE: readonly [string, string] = ['--store DIR', 'the store (default: .medpipe/ at the project root, or $MEDPIPE_STORE)'];
const REMOTE: readonly [string, string] = [
  '--remote NAME|URL',
  'the remote cache: a name from medpipe.config.yaml, file:///path or s3://bucket/prefix (default: $MEDPIPE_REMOTE, else default_remote)',
];

const HELP: Readonly<Record<string, CommandHelp>> = {
  run: {
    args: 'FILE [options]',
    summary: 'run the pipeline (stale steps only, in parallel)',
    options: [
      ['--set KEY=VALUE', "override a parameter (seed=7) or a step's value (svm.C=10); repeatable; makes the run an experiment"],
      ['--params FILE', "take parameter values from a YAML file (after the pipeline's params_file; --set wins); makes the run an experiment"],
      ['--register', 'let an experiment register its models, as versions without aliases'],
      ['--publish', 'make a run of a changed (not yet committed) pipeline file the record; not with --set or --params'],
      ['--concurrency N', 'steps at once (default: number of cores)'],
      ['--fail-fast', 'stop everything at the first failure'],
      ['--force[=S1,S2]', 'recompute all steps, or the named ones, even when cached'],
      ['--only STEP', 'run STEP and what it needs (repeatable)'],
      ['--from STEP', 'recompute STEP and everything downstream of it'],
      ['--dry-run', 'show what would run, run nothing'],
      ['--json', 'engine events as JSON lines, for machines'],
      ['--plain', 'one plain line per event (the default when not on a terminal; on one: a live table)'],
      ['--ci', 'then diff the metrics against the baseline; exit 1 on a regression'],
      ['--baseline REF', "with --ci: a git ref, file or folder to compare with (default: the pipeline's regression.baseline)"],
      ['--junit FILE', 'with --ci: also write the diff as JUnit XML'],
      ['--markdown FILE', 'with --ci: also write the diff as Markdown'],
      STORE,
      REMOTE,
      ['--remote-read-only', 'take cached steps from the remote, push nothing (CI for pull requests from forks)'],
      ['--remote-required', 'fail when the remote cannot be used, instead of warning and computing locally'],
      ['--materialize', 'download every output of the selected steps from the remote, not only what this run reads'],
      [
        '--queue URL',
        'compute the steps on `medpipe worker` processes through Redis: redis://HOST:PORT[/DB] or rediss:// (default: $MEDPIPE_QUEUE, else queue: in medpipe.config.yaml); needs --remote',
      ],
    ],
    notes:
      'A run with --set or --params, or of a pipeline file (or its params_file) changed since its last commit, is an experiment: cached and recorded, but it writes no metrics, table or lock file and moves no alias.\nCtrl-C stops the running steps and records the run as interrupted (exit 130); finished steps stay cached.\nexit: 0 ok, 1 a step or gate failed (or --ci found a regression), 2 invalid pipeline or usage',
  },
  worker: {
    args: '--queue redis://HOST:PORT[/DB] --remote NAME|URL [--concurrency N] [--labels gpu,highmem]',
    summary: 'run the steps that `medpipe run --queue` sends, on this machine, until Ctrl-C or SIGTERM',
    options: [
      [
        '--queue URL',
        'the Redis the coordinators use: redis://[:PASSWORD@]HOST:PORT[/DB] or rediss:// for TLS (default: $MEDPIPE_QUEUE, else queue: in medpipe.config.yaml)',
      ],
      REMOTE,
      ['--concurrency N', 'steps at once (default: number of cores)'],
      ['--labels L1,L2', 'take steps whose labels: (and resources: gpu) need these labels too; without, only steps that need none'],
      ['--name NAME', 'how run records name this worker (default: host:pid)'],
      [
        '--project DIR',
        'its copy of the project: custom steps are loaded from here, only when their code is what the coordinator planned (default: the project of the current folder)',
      ],
      STORE,
    ],
    notes:
      'Inputs and data files come from the remote, verified; outputs and the cache entry go back to it. Ctrl-C or SIGTERM lets running steps finish (a second one stops them). docs/distributed.md\nexit: 0 stopped, 2 usage',
  },
  validate: {
    args: 'FILE [--set KEY=VALUE] [--params FILE] [--json]',
    summary: 'check the pipeline file and exit (1 on any problem); --json prints the problems with their source ranges',
  },
  status: { args: 'FILE [--set KEY=VALUE] [--params FILE] [--json]', summary: 'each step: cached, or stale and why', options: [STORE, REMOTE] },
  dag: { args: 'FILE [--format ascii|mermaid|dot]', summary: 'the step graph, for a terminal (ascii, the default), a README (mermaid) or Graphviz (dot)' },
  metrics: {
    args: 'show|diff [FILE...]',
    summary: 'metrics files of the pipelines; diff compares them with a baseline (exit 1 on a regression)',
    text: METRICS_USAGE,
  },
  report: {
    args: '[RUN] [--output FILE] [--baseline REF|FILE] [--compare RUN ...]',
    summary: 'self-contained HTML report of a run (default: the latest; RUN may be an id prefix)',
    options: [
      ['--output FILE', 'where to write it (default: medpipe-report-<run>.html)'],
      ['--baseline REF', "add the metrics diff against this git ref or file (default: the pipeline's regression.baseline)"],
      ['--compare RUN', 'add a section with this run (id or prefix) side by side with the reported one; repeatable'],
      STORE,
      ['--remote NAME|URL', "download the run's artifacts this store lacks (a run that took steps from the remote fetched only what it read)"],
    ],
  },
  runs: {
    args: '[--limit N] [--json] | compare RUN RUN... [--baseline REF]',
    summary: 'recent runs, with their status, git commit and experiment overrides; compare: runs side by side',
    options: [['--limit N', 'how many (default 20)'], ['--baseline REF', 'compare: add the committed metrics at a git ref (or a file or folder)'], STORE],
    notes: "runs compare RUN RUN...: the parameters that differ and every evaluation's metrics with their intervals, side by side",
  },
  remote: {
    args: 'add|list|remove|gc',
    summary: 'the remote caches named in medpipe.config.yaml (file:///path, s3://bucket/prefix), and removing what no recent run uses',
    text: REMOTE_USAGE,
  },
  push: {
    args: '[FILE...] [--remote NAME|URL]',
    summary: "send the pipelines' latest outputs (cache entries and artifacts) to the remote",
    options: [REMOTE, STORE],
    notes: 'FILE: pipeline files (default: every pipeline in ./pipelines). exit: 0 ok, 1 something could not be pushed, 2 usage',
  },
  pull: {
    args: '[FILE...] [--remote NAME|URL]',
    summary: "bring the pipelines' latest outputs pushed to the remote into the local store, verified",
    options: [REMOTE, STORE],
    notes: 'FILE: pipeline files (default: every pipeline in ./pipelines). exit: 0 ok, 1 something could not be pulled, 2 usage',
  },
  export: {
    args: 'argo FILE --image IMAGE --remote NAME|URL',
    summary: 'the pipeline as an Argo Workflows manifest: one Kubernetes pod per step, artifacts through the remote',
    text: EXPORT_USAGE,
  },
  data: {
    args: 'add PATH | pull [PATH...] [--force]',
    summary: 'data files kept out of git: add stores one and writes its committed pointer PATH.medpipe; pull restores them',
    text: DATA_USAGE,
  },
  cache: {
    args: 'info|verify|gc',
    summary: 'the store: what it holds, whether it is intact, and dropping what no run refers to',
    notes:
      "commands (one at a time):\n  info     what the store holds\n  verify   hash every artifact and check every cache entry; set damaged ones aside (exit 1 if any)\n  gc       remove artifacts no pipeline's latest run refers to",
    options: [['--json', 'info and verify as JSON'], STORE],
  },
  models: { args: '<command> ...', summary: 'the model registry: list, show, promote, tag, compare, audit, log, export', text: MODELS_USAGE },
  predict: {
    args: 'NAME[@VERSION|@ALIAS] --input rows.csv [--output out.csv] [--strict] [--explain]',
    summary: 'predictions from a registered model; rows far outside the training range are named',
    options: [
      ['--input FILE', "the rows to predict (CSV with the model's input columns)"],
      ['--output FILE', 'write the predictions there (default: print them)'],
      ['--strict', 'refuse rows far outside the training range instead of warning'],
      ['--explain', "also write each prediction's explanation to OUT.explanations.json (needs --output; see medpipe explain)"],
      STORE,
    ],
  },
  explain: {
    args: 'NAME[@VERSION|@ALIAS] --input rows.csv [--output file.json|file.csv] [--top 5] [--json]',
    summary: "each feature's contribution to each prediction of a registered model (TreeSHAP for forests, KernelSHAP otherwise)",
    options: [
      ['--input FILE', "the rows to explain (CSV with the model's input columns)"],
      ['--output FILE', 'write every contribution there: CSV for a .csv name, else JSON (default: print the largest ones)'],
      ['--top K', 'contributions shown per row when printing (default 5)'],
      ['--json', 'print the JSON instead of the summary'],
      ['--seed N', 'seed of sampled KernelSHAP (models with more than 12 features; default 0)'],
      ['--samples N', 'coalitions per row in sampled KernelSHAP (default 2048 + 2 x features)'],
      STORE,
    ],
    notes: "the model must have been registered with its training rows (register's in.train). exit: 0 ok, 1 unknown model or no explanation data, 2 usage",
  },
  monitor: {
    args: "NAME[@VERSION|@ALIAS] --input new.csv [--labels COLUMN] [--gate 'psi.max<0.2' ...] [--json]",
    summary: 'drift of new rows against what a registered model was trained on, and its metrics on them; recorded in its monitoring history',
    options: [
      ['--input FILE', "the new rows (CSV with the model's input columns)"],
      ['--labels COLUMN', 'the column with the true outcome: the registered metrics recomputed on the new rows, with bootstrap intervals'],
      ['--gate COND', "a condition the check must meet (repeatable), e.g. 'psi.max<0.2', 'ks.drifted<=3', 'prediction.psi<0.25', 'roc_auc.ci_low>=0.9'"],
      ['--json', 'the full report as JSON'],
      STORE,
    ],
    notes: 'exit: 0 every gate passed, 1 a gate failed (the check is recorded either way), 2 usage. docs/monitoring.md explains the figures',
  },
  recommend: {
    args: 'NAME[@VERSION|@ALIAS] --patient ID [--k 5] [--feature col=value ...] [--include-seen] [--json]',
    summary: 'top treatments for a patient from a registered recommender',
    options: [
      ['--patient ID', 'a patient of the training data'],
      ['--feature COL=VALUE', "a new patient's features (repeatable), for hybrid models"],
      ['--k N', 'how many treatments (default 5)'],
      ['--include-seen', 'also rank treatments the patient already had'],
      ['--json', 'JSON output'],
      STORE,
    ],
  },
  serve: {
    args: '[NAME@ALIAS|NAME@VERSION ...] [--port 8080] [--host 127.0.0.1] [--token-file FILE] [--log FILE] [--log-inputs]',
    summary: 'registered models over HTTP: POST /v1/models/NAME@ALIAS/predict, following alias moves (docs/serving.md)',
    options: [
      ['NAME@ALIAS', 'serve only these (default: every registered model, any version or alias)'],
      ['--port N', 'the port (default 8080; 0: any free port, printed)'],
      ['--host H', 'the address to listen on (default 127.0.0.1: this machine only)'],
      ['--token-file FILE', 'require "Authorization: Bearer TOKEN" with the token in FILE (not for /health, /ready)'],
      ['--log FILE', 'the prediction log (default: <store>/predictions/YYYY-MM-DD.jsonl)'],
      ['--log-inputs', 'also log the rows themselves (patient data; off by default: only their sha256)'],
      ['--max-rows N', 'most rows per request (default 1000)'],
      ['--max-body BYTES', 'largest request body (default 1048576)'],
      ['--verify-log FILE|DIR', "check a prediction log's hash chain and head, serve nothing (exit 1 if broken)"],
      STORE,
    ],
    notes:
      'Each answered prediction is logged (time, model, version, input digest, output), on disk before its response is sent.\nAn alias moved by medpipe models promote is served within about a second, without failing a request.\nSIGTERM or Ctrl-C: stop accepting, finish the requests in flight, flush the log, exit 0.',
  },
  steps: {
    args: '[NAME] [--json] [--markdown FILE]',
    summary: 'the step types; with NAME, its ports and every parameter (type, default, allowed values)',
    options: [
      ['NAME', 'a built-in step type (train.svm) or a custom one (./steps/my-step.js)'],
      ['--json', 'the step types (or NAME) with their schemas, as JSON'],
      ['--markdown FILE', 'write the reference of every built-in step type as Markdown (docs/steps.md)'],
    ],
  },
  schema: { args: '[FILE]', summary: 'the pipeline JSON Schema, for editors (printed, or written to FILE)' },
};

function optionLines(options: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...options.map(([flag]) => flag.length));
  return options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`);
}

export function isCommandWithHelp(name: string): boolean {
  return Object.hasOwn(HELP, name);
}

export function commandUsage(name: string): string {
  const h: CommandHelp | undefined = HELP[name];
  if (!h) return `usage: medpipe ${name}`;
  if (h.text) return h.text;
  return [
    `usage: medpipe ${name} ${h.args}`,
    '',
    `${h.summary[0].toUpperCase()}${h.summary.slice(1)}.`,
    ...(h.options ? ['', 'options:', ...optionLines(h.options)] : []),
    ...(h.notes ? ['', h.notes] : []),
  ].join('\n');
}

export function globalUsage(): string {
  const names = Object.keys(HELP);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: medpipe <command> [options]',
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${HELP[n].summary}`),
    '',
    'options:',
    ...optionLines([
      STORE,
      ['--json', 'JSON output'],
      ['-h, --help', "this help; medpipe COMMAND --help (or medpipe help COMMAND): a command's usage and options"],
      ['--version', "medpipe's version"],
    ]),
  ].join('\n');
}
