/**
 * The few error classes medpipe raises for users. The CLI maps them to exit codes in one place
 * (src/cli/exit.ts); anything else reaching the top is a bug and is reported as one.
 */

/** A 1-based line and column; columns count characters, as editors do. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A stretch of source text: from `start` to `end`, the first character after it. */
export interface SourceRange {
  readonly start: Position;
  readonly end: Position;
}

/**
 * A place a diagnostic points at: a range in a file, or in an argument of the command line
 * (`--set svm.C=x`), whose text is then `file` itself, on line 1.
 */
export interface SourceLocation {
  /** The file as the user named it, or the command-line argument as typed. */
  readonly file: string;
  /** Absent only when the problem is the file as a whole (missing, unreadable). */
  readonly range?: SourceRange;
  readonly commandLine?: true;
}

/** Another place that explains a diagnostic (an edge of a cycle, the step a `--set` changes). */
export interface RelatedLocation extends SourceLocation {
  readonly message: string;
}

export type Severity = 'error' | 'warning';

/**
 * One problem found in a pipeline file or the command line: where it is, what is wrong, what to
 * do about it, and the other places involved.
 */
export interface Diagnostic extends SourceLocation {
  readonly severity: Severity;
  readonly message: string;
  readonly hint?: string;
  readonly related: readonly RelatedLocation[];
}

/** `file:line:column`, or the file or command-line argument alone when there is no line to name. */
export function formatLocation(l: SourceLocation): string {
  return l.range && !l.commandLine ? `${l.file}:${l.range.start.line}:${l.range.start.column}` : l.file;
}

/** The diagnostic on one line: `file:line:col: message (hint)`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${formatLocation(d)}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
}

/** An error about a whole file (it is missing or cannot be read), which has no range to point at. */
export function fileDiagnostic(file: string, message: string, hint?: string): Diagnostic {
  return { severity: 'error', file, message, ...(hint ? { hint } : {}), related: [] };
}

/** The pipeline file or the command line is invalid: nothing was run. Exit code 2. */
export class PipelineError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'PipelineError';
    this.diagnostics = diagnostics;
  }
}

/** Bad command-line usage. Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Bad data: names the file and, where known, the 1-based row (counting the header as row 1, as a
 * spreadsheet does) and the column. Never carries the offending value beyond a short excerpt
 * the user asked for: rows may be about patients.
 */
export class DataError extends Error {
  readonly file: string | undefined;
  readonly row: number | undefined;
  readonly column: string | undefined;
  readonly hint: string | undefined;
  constructor(message: string, where: { file?: string; row?: number; column?: string; hint?: string } = {}) {
    const parts = [
      where.file,
      where.row !== undefined ? `row ${where.row}` : undefined,
      where.column !== undefined ? `column "${where.column}"` : undefined,
    ].filter((p): p is string => p !== undefined);
    super(`${parts.length ? parts.join(', ') + ': ' : ''}${message}${where.hint ? ` (${where.hint})` : ''}`);
    this.name = 'DataError';
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
    this.hint = where.hint;
  }
}

/** A step's own parameters or inputs make it impossible to run (e.g. k larger than the number of features). */
export class StepInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepInputError';
  }
}

/** A quality gate failed (a metric below its threshold). Exit code 1, like a failed step. */
export class GateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateError';
  }
}

/**
 * The one rule for which errors are meant for the user as they are: by name, because a step's
 * error crosses the worker-thread boundary (or, later, the network) as a name and a message, so
 * the engine can only tell them apart by name, and the CLI then uses the same rule for what
 * reaches it. RegistryError lives in the registry module, loaded only when a command needs it;
 * Cancelled (engine/step-context.ts) is how a step stopped by --fail-fast or Ctrl-C says so;
 * the Remote… and ProjectConfig errors are src/remote's and engine/project-config.ts's; the Queue…
 * and JobRefused errors are src/queue's (a lost Redis, a worker refusing a step it must not run).
 */
const USER_ERROR_NAMES: ReadonlySet<string> = new Set([
  'PipelineError',
  'UsageError',
  'DataError',
  'StepInputError',
  'GateError',
  'RegistryError',
  'Cancelled',
  'RemoteRequiredError',
  'RemoteUrlError',
  'RemoteGcError',
  'ProjectConfigError',
  'QueueUrlError',
  'QueueLost',
  'JobRefused',
]);

export function isUserErrorName(name: string): boolean {
  return USER_ERROR_NAMES.has(name);
}

/** Errors whose message is meant for the user as it is; anything else is shown as an internal error. */
export function isUserError(e: unknown): e is Error {
  return e instanceof Error && isUserErrorName(e.name);
}
