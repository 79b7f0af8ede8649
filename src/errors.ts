/**
 * The few error classes medpipe raises for users. The CLI maps them to exit codes in one place
 * (src/cli/exit.ts); anything else reaching the top is a bug and is reported as one.
 */

/** A position in a source file, 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One problem found in a pipeline file, with where it is and what to do about it. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  hint?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  return `${where}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
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
    const parts = [where.file, where.row !== undefined ? `row ${where.row}` : undefined, where.column !== undefined ? `column "${where.column}"` : undefined]
      .filter((p): p is string => p !== undefined);
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
 * Cancelled (engine/step-context.ts) is how a step stopped by --fail-fast or Ctrl-C says so.
 */
const USER_ERROR_NAMES: ReadonlySet<string> = new Set(['PipelineError', 'UsageError', 'DataError', 'StepInputError', 'GateError', 'RegistryError', 'Cancelled']);

export function isUserErrorName(name: string): boolean {
  return USER_ERROR_NAMES.has(name);
}

/** Errors whose message is meant for the user as it is; anything else is shown as an internal error. */
export function isUserError(e: unknown): e is Error {
  return e instanceof Error && isUserErrorName(e.name);
}
