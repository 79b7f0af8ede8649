/**
 * The `medpipe` command. Parses arguments, calls the programmatic API, picks a reporter, and
 * maps outcomes to exit codes in one place: 0 ok, 1 a step or gate failed, 2 invalid pipeline or usage.
 */
import { parseArgs } from 'node:util';
import { isUserError, PipelineError, UsageError } from '../errors.js';
import { renderDiagnostics } from './diagnostics.js';
import { commands } from './commands.js';

export const USAGE = `usage: medpipe <command> [options]

commands:
  run FILE        run the pipeline (stale steps only, in parallel)
                  --set KEY=VALUE   override a parameter (seed=7) or a step's value (svm.C=10); repeatable. A run
                                    with --set, or of a pipeline file changed since its last commit, is an
                                    experiment: cached and recorded, but it writes no metrics, table or lock
                                    file and moves no alias
                  --params FILE     take parameter values from a YAML file (after the pipeline's params_file;
                                    --set wins); like --set, makes the run an experiment
                  --register        let an experiment register its models (as versions without aliases)
                  --publish         make a run of a changed pipeline file the record (not with --set)
                  --concurrency N   steps at once (default: number of cores)
                  --fail-fast       stop everything at the first failure
                  --force[=S1,S2]   recompute all steps, or the named ones, even when cached
                  --only STEP       run STEP and what it needs (repeatable)
                  --from STEP       recompute STEP and everything downstream of it
                  --dry-run         show what would run, run nothing
                  --json | --plain  machine-readable events, or plain lines (default on a terminal: live table)
                  --ci              then diff the metrics against the baseline (--baseline REF or regression.baseline);
                                    --junit FILE, --markdown FILE; exit 1 on a regression
  validate FILE   check the pipeline file and exit (1 on any problem)
  status FILE     each step: cached, or stale and why
  dag FILE        the step graph: --format ascii (default) | mermaid | dot
  metrics show|diff  metrics files of the pipelines: diff [--baseline GIT_REF|FILE] [--atol X] [--rtol X]
                  [--format table|md|json] [--junit FILE] [--markdown FILE]; exit 1 on a regression
  report [RUN]    self-contained HTML report of a run (default: the latest; RUN may be an id prefix):
                  --output FILE (default medpipe-report-<run>.html); --baseline REF|FILE adds the metrics diff
                  (default: the pipeline's regression.baseline)
  runs            recent runs (experiments with their overrides)
  runs compare RUN RUN...  parameters that differ and every evaluation's metrics with intervals, side by side;
                  --baseline REF adds the committed metrics at a git ref (or a file or folder)
  models ...      the model registry: list, show NAME[@V|@ALIAS], promote NAME@V ALIAS,
                  tag NAME@V KEY=VALUE, compare NAME@A NAME@B, audit, export NAME@X DIR
  predict REF     --input rows.csv [--output out.csv] [--strict]: predictions from a registered model;
                  rows far outside the training range are named (--strict refuses them)
  recommend REF   --patient ID [--k 5] [--feature col=value ...] [--include-seen] [--json]: top treatments from a registered recommender
  cache info      what the store holds
  cache verify    hash every artifact and check every cache entry; set damaged ones aside (exit 1 if any)
  cache gc        remove artifacts no pipeline's latest run refers to
  steps           the step types medpipe knows
  schema          print the pipeline JSON Schema (for editors)

common options:
  --store DIR     the store (default: .medpipe/ at the project root; or $MEDPIPE_STORE)
  --json          JSON output
  -h, --help      this help`;

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  stdout: NodeJS.WriteStream;
}

export type ParsedArgs = ReturnType<typeof parse>;

function parse(argv: string[]) {
  // --force=a,b names steps; a bare --force means all: normalise before parseArgs, which has no optional values.
  const normalised = argv.flatMap((a) => (a.startsWith('--force=') ? ['--force-steps', a.slice('--force='.length)] : [a]));
  return parseArgs({
    args: normalised,
    allowPositionals: true,
    strict: true,
    options: {
      set: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      'fail-fast': { type: 'boolean' },
      force: { type: 'boolean' },
      'force-steps': { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      from: { type: 'string' },
      'dry-run': { type: 'boolean' },
      store: { type: 'string' },
      json: { type: 'boolean' },
      plain: { type: 'boolean' },
      limit: { type: 'string' },
      format: { type: 'string' },
      input: { type: 'string' },
      baseline: { type: 'string' },
      atol: { type: 'string' },
      rtol: { type: 'string' },
      junit: { type: 'string' },
      markdown: { type: 'string' },
      ci: { type: 'boolean' },
      output: { type: 'string' },
      patient: { type: 'string' },
      k: { type: 'string' },
      feature: { type: 'string', multiple: true },
      'include-seen': { type: 'boolean' },
      strict: { type: 'boolean' },
      expect: { type: 'string' },
      publish: { type: 'boolean' },
      params: { type: 'string', multiple: true },
      register: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parse(argv);
  } catch (e) {
    io.err(`medpipe: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = args.positionals;
  if (args.values.help || !command) {
    (command || args.values.help ? io.out : io.err)(USAGE);
    return command || args.values.help ? 0 : 2;
  }
  const handler = commands[command];
  if (!handler) {
    io.err(`medpipe: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await handler(rest, args, io);
  } catch (e) {
    if (e instanceof PipelineError) {
      io.err(renderDiagnostics(e.diagnostics, true));
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`medpipe: ${e.message}`);
      return 2;
    }
    if (isUserError(e)) {
      io.err(`medpipe: ${e.message}`);
      return 1;
    }
    io.err(`medpipe: internal error: ${(e as Error).message}\nThis is a bug in medpipe; please report it with the command you ran.`);
    if (process.env.MEDPIPE_DEBUG) io.err((e as Error).stack ?? '');
    return 1;
  }
}
