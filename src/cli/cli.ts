/**
 * The `medpipe` command. Parses arguments, calls the programmatic API, picks a reporter, and
 * maps outcomes to exit codes in one place: 0 ok, 1 a step or gate failed, 2 invalid pipeline or usage.
 */
import { parseArgs } from 'node:util';
import { isUserError, PipelineError, UsageError } from '../errors.js';
import { renderDiagnostics } from './diagnostics.js';
import { commands } from './commands.js';
import { closest, didYouMean } from '../suggest.js';
import { medpipeVersion } from './version.js';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  stdout: NodeJS.WriteStream;
  /**
   * The folder the command runs in: relative paths the user gives (pipeline files, --store,
   * --output, --params, …) are relative to it, and the store is found from it. bin.ts passes
   * process.cwd(); passing it, rather than reading the process's, lets several commands run
   * in one process in different folders (the tests do, in parallel).
   */
  cwd: string;
}

export type ParsedArgs = ReturnType<typeof parse>;

const OPTIONS = {
  set: { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  'fail-fast': { type: 'boolean' },
  force: { type: 'boolean' },
  'force-steps': { type: 'string', multiple: true },
  only: { type: 'string', multiple: true },
  from: { type: 'string' },
  'dry-run': { type: 'boolean' },
  store: { type: 'string' },
  remote: { type: 'string' },
  'remote-read-only': { type: 'boolean' },
  'remote-required': { type: 'boolean' },
  materialize: { type: 'boolean' },
  queue: { type: 'string' },
  labels: { type: 'string' },
  name: { type: 'string' },
  project: { type: 'string' },
  'keep-days': { type: 'string' },
  default: { type: 'boolean' },
  delete: { type: 'boolean' },
  branch: { type: 'string' },
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
  explain: { type: 'boolean' },
  top: { type: 'string' },
  seed: { type: 'string' },
  samples: { type: 'string' },
  gate: { type: 'string', multiple: true },
  expect: { type: 'string' },
  publish: { type: 'boolean' },
  params: { type: 'string', multiple: true },
  register: { type: 'boolean' },
  compare: { type: 'string', multiple: true },
  image: { type: 'string' },
  namespace: { type: 'string' },
  'service-account': { type: 'string' },
  secret: { type: 'string' },
  'remote-volume': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'token-file': { type: 'string' },
  log: { type: 'string' },
  'log-inputs': { type: 'boolean' },
  'max-rows': { type: 'string' },
  'max-body': { type: 'string' },
  'verify-log': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function parse(argv: string[]) {
  // --force=a,b names steps; a bare --force means all: normalise before parseArgs, which has no optional values.
  const normalised = argv.flatMap((a) => (a.startsWith('--force=') ? ['--force-steps', a.slice('--force='.length)] : [a]));
  return parseArgs({ args: normalised, allowPositionals: true, strict: true, options: OPTIONS });
}

/**
 * The help texts (help.ts, usage.ts) are loaded when help or a usage error is printed: a command
 * that runs never shows them.
 */
const helpTexts = (): Promise<typeof import('./help.js')> => import('./help.js');

/** parseArgs's message for a bad option, in medpipe's words, and where the valid ones are listed. */
async function optionProblem(e: Error, argv: readonly string[]): Promise<string> {
  const { isCommandWithHelp } = await helpTexts();
  const command = argv.find((a) => !a.startsWith('-'));
  const where = command && isCommandWithHelp(command) ? `medpipe ${command} --help lists the options` : 'medpipe --help lists the options';
  const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(e.message)?.[1];
  if (unknown) {
    const near = closest(
      unknown.replace(/^-+/, ''),
      Object.keys(OPTIONS).filter((o) => o !== 'force-steps'),
    );
    return `unknown option ${unknown}${near ? ` (did you mean --${near}?)` : ''}; ${where}`;
  }
  return `${e.message}; ${where}`;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parse(argv);
  } catch (e) {
    io.err(`medpipe: ${await optionProblem(e as Error, argv)}`);
    return 2;
  }
  if (args.values.version) {
    io.out(`medpipe ${medpipeVersion()}`);
    return 0;
  }
  // `medpipe help [COMMAND]` is `medpipe [COMMAND] --help`.
  const [command, ...rest] = args.positionals[0] === 'help' ? [args.positionals[1], ...args.positionals.slice(2)] : args.positionals;
  const wantsHelp = args.values.help || args.positionals[0] === 'help';
  if (!command) {
    // The global help; `medpipe COMMAND --help` prints the command's own (see help.ts).
    (wantsHelp ? io.out : io.err)((await helpTexts()).globalUsage());
    return wantsHelp ? 0 : 2;
  }
  const handler = Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (!handler) {
    io.err(`medpipe: unknown command "${command}"${didYouMean(command, Object.keys(commands))}; medpipe --help lists the commands`);
    return 2;
  }
  if (wantsHelp) {
    io.out((await helpTexts()).commandUsage(command));
    return 0;
  }
  try {
    return await handler(rest, args, io);
  } catch (e) {
    if (e instanceof PipelineError) {
      io.err(renderDiagnostics(e.diagnostics, true, io.cwd));
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
