/**
 * The CSV loader behind the `load.csv` step: a file path and options in, a Dataset out.
 *
 * Two passes. The first reads one block from the start of the file to check that it is text,
 * detect the delimiter and the header, and infer each column's kind from a sample of rows
 * (csv-sample.ts, csv-infer.ts); the user may override each of these. The second streams the whole
 * file through the byte-level column parser (csv-columns.ts), which parses numbers straight from
 * bytes and never holds the file or a string per numeric value in memory.
 *
 * Every problem with the file is a DataError naming the file, the 1-based line as an editor shows
 * it, and the column; messages never contain values from the rows, since they may be about
 * patients, except short target class labels the user must find to fix (csv-target.ts).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { DataError, StepInputError } from '../errors.js';
import { makeDataset, type Column, type ColumnKind, type Dataset } from './dataset.js';
import { ColumnParser, type ColumnSpec, type ParsedType } from './csv-columns.js';
import { checkTargetClasses } from './csv-target.js';
import { closestName, inferColumnKind, isPresentNonNumber, looksLikeHeader, type InferredKind } from './csv-infer.js';
import { DELIMITERS, detectDelimiter, tokenizeSample, type SampleRecord } from './csv-sample.js';
import { inferDateLayout, layoutOfFormat } from './csv-dates.js';
import type { DateLayout } from './dates.js';

/** What a column can be declared as in `columns:` (the target is named with `target:` instead). */
export type DeclaredKind = InferredKind | 'date';

export interface CsvOptions {
  /** The file name to show in errors (default: the path). */
  displayName?: string;
  /** One of `,` `;` `\t` `|`; detected from the first rows when not given. */
  delimiter?: string;
  /** Whether the first row holds column names; detected when not given. */
  header?: boolean;
  /** Per-column kind, overriding inference. */
  columns?: Readonly<Record<string, DeclaredKind>>;
  /**
   * Per date column, how its values are written (strptime-like: %Y %m %d %H %M %S), e.g.
   * `{ admitted: "%d/%m/%Y" }`; makes the column a date. Other date columns are detected.
   */
  formats?: Readonly<Record<string, string>>;
  /** Values that mean "missing" (compared after trimming spaces). Default: DEFAULT_MISSING. */
  missing?: readonly string[];
  /** The label column. */
  target?: string;
  /**
   * The class that counts as positive, which declares a binary target: without `classes`, a target
   * with more than two classes is an error naming the unexpected ones.
   */
  positive?: string;
  /** Every class the target may take (makes the target categorical); a value not listed is an error. */
  classes?: readonly string[];
  /**
   * What an infinite number (`inf`, `-Infinity`, `1e309`) in a numeric column is: an error naming
   * its line (default), or a missing value. Never a value: models and scaling cannot use it.
   */
  nonFinite?: 'error' | 'missing';
  /** Identifier column(s): kept in the dataset, never used as features. */
  id?: string | readonly string[];
  /** Bytes per read (tests use small chunks to exercise chunk boundaries). */
  chunkSize?: number;
}

export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'N/A', 'NaN', '?', 'null'];

/** Bytes read for sniffing and inference, and the most sample rows used. */
const SAMPLE_BYTES = 1 << 20;
const SAMPLE_ROWS = 5000;
const CHUNK_BYTES = 1 << 20;

export async function readCsv(path: string, options: CsvOptions = {}): Promise<Dataset> {
  const file = options.displayName ?? path;
  checkTargetOptions(options);
  const missing = options.missing ?? DEFAULT_MISSING;
  const missingSet = new Set(missing.map((m) => m.trim()));
  const size = await fileSize(path, file);
  const { block, complete } = await readFirstBlock(path, file, size);
  checkText(block, complete, file);

  if (options.delimiter !== undefined && !(DELIMITERS as readonly string[]).includes(options.delimiter)) {
    throw new DataError(`unsupported delimiter ${JSON.stringify(options.delimiter)}`, {
      file,
      hint: 'use one of "," ";" "\\t" "|", or leave it out to detect it',
    });
  }
  const delimiter = options.delimiter ?? detectDelimiter(block, complete);
  const sample = tokenizeSample(block, delimiter.charCodeAt(0), SAMPLE_ROWS + 1, complete);
  if (sample.unclosedQuoteLine !== undefined) {
    throw new DataError('a quoted field is never closed', {
      file,
      row: sample.unclosedQuoteLine,
      hint: 'a field starting with " must end with "; write a quote inside a field as ""',
    });
  }
  const records = sample.records;
  if (records.length === 0) throw new DataError('the file has no rows', { file, hint: 'is this the right file? it holds only blank lines' });

  const header =
    options.header ??
    looksLikeHeader(
      records[0].fields,
      records.slice(1).map((r) => r.fields),
      missingSet,
    );
  const names = columnNames(records[0], header, file);
  const dataRecords = header ? records.slice(1) : records;
  if (complete && dataRecords.length === 0) throw new DataError('the file has a header row but no data rows', { file });

  const plan = planColumns(names, dataRecords, options, missingSet, file);
  const expectedRows = complete ? dataRecords.length : (size / block.length) * countLineEnds(block) * 1.05 + 64;
  const parser = new ColumnParser(
    plan.map((p) => p.spec),
    { file, delimiter, missing, skipRecords: header ? 1 : 0, expectedRows, nonFinite: options.nonFinite ?? 'error' },
  );
  await streamInto(path, file, parser, options.chunkSize ?? CHUNK_BYTES);
  if (parser.rows === 0) throw new DataError('the file has a header row but no data rows', { file });

  const parsed = parser.finish();
  const tokens = parser.missingTokenCounts();
  const columns: Column[] = plan.map((p, j) => ({
    name: p.spec.name,
    kind: p.kind,
    data: parsed[j],
    ...(tokens[j].size ? { missingTokens: Object.fromEntries(tokens[j]) } : {}),
  }));
  const target =
    options.target !== undefined ? { column: options.target, ...(options.positive !== undefined ? { positive: options.positive } : {}) } : undefined;
  const t = plan.findIndex((p) => p.kind === 'target');
  const targetData = parsed[t];
  if (options.target !== undefined && targetData?.type === 'categorical') {
    checkTargetClasses(targetData, { column: options.target, positive: options.positive, classes: options.classes }, (c) => parser.firstLineOf(t, c), file);
  }
  return makeDataset(columns, target);
}

/** Contradictions among the target options, before anything is read. */
function checkTargetOptions(options: CsvOptions): void {
  const { target, positive, classes } = options;
  if (positive !== undefined && target === undefined) throw new StepInputError('`positive:` needs `target:` (the column the positive class belongs to)');
  if (classes !== undefined && target === undefined) throw new StepInputError('`classes:` needs `target:` (the column the classes belong to)');
  if (positive !== undefined && classes !== undefined && !classes.includes(positive))
    throw new StepInputError(`\`positive: ${positive}\` is not one of the classes listed in \`classes:\``);
  if ((positive !== undefined || classes !== undefined) && target !== undefined && options.columns?.[target] === 'numeric') {
    throw new StepInputError(
      `\`${positive !== undefined ? 'positive' : 'classes'}:\` is for a categorical target, but \`columns:\` declares "${target}" numeric`,
    );
  }
}

function countLineEnds(block: Buffer): number {
  let n = 1;
  for (let i = block.indexOf(10); i >= 0; i = block.indexOf(10, i + 1)) n++;
  return n;
}

async function fileSize(path: string, file: string): Promise<number> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new DataError('this is a directory, not a CSV file', { file });
    return s.size;
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw openError(e, file);
  }
}

function openError(e: unknown, file: string): DataError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DataError('file not found', { file, hint: "paths in `with:` are relative to the pipeline file's directory" });
  if (code === 'EACCES' || code === 'EPERM') return new DataError('permission denied reading the file', { file });
  return new DataError(`cannot read the file (${code ?? 'unknown error'})`, { file });
}

async function readFirstBlock(path: string, file: string, size: number): Promise<{ block: Buffer; complete: boolean }> {
  try {
    const handle = await open(path, 'r');
    try {
      const block = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
      const { bytesRead } = await handle.read(block, 0, block.length, 0);
      const body = block.subarray(0, bytesRead);
      const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
      return { block: bom ? body.subarray(3) : body, complete: bytesRead >= size };
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw openError(e, file);
  }
}

/** Rejects empty and binary files before anything tries to read them as CSV. */
function checkText(block: Buffer, complete: boolean, file: string): void {
  if (block.every((b) => b === 10 || b === 13 || b === 32 || b === 9)) {
    throw new DataError('the file is empty', { file, hint: 'expected a header row and data rows' });
  }
  const hint = 'expected a UTF-8 text CSV; compressed (.gz, .zip) and spreadsheet (.xlsx) files must be exported as CSV first';
  if (block.includes(0)) throw new DataError('this is a binary file, not a CSV text file', { file, hint });
  try {
    // `stream` lets a multi-byte character cut at the end of the block pass.
    new TextDecoder('utf-8', { fatal: true }).decode(block, { stream: !complete });
  } catch {
    throw new DataError('the file is not valid UTF-8 text (in its first megabyte)', {
      file,
      hint: 'if it was saved as Latin-1 / Windows-1252 (e.g. by Excel), re-save it as "CSV UTF-8"',
    });
  }
}

function columnNames(first: SampleRecord, header: boolean, file: string): string[] {
  if (!header) return first.fields.map((_, j) => `column_${j + 1}`);
  const names = first.fields.map((f, j) => f.trim() || `column_${j + 1}`);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new DataError('two columns have this name', { file, row: first.line, column: name, hint: 'rename one of them in the header row' });
    seen.add(name);
  }
  return names;
}

interface ColumnPlan {
  spec: ColumnSpec;
  kind: ColumnKind;
}

/** Each column's kind (inferred or declared) and how the parser should read it. */
function planColumns(names: readonly string[], rows: readonly SampleRecord[], options: CsvOptions, missing: ReadonlySet<string>, file: string): ColumnPlan[] {
  const declared = new Map<string, DeclaredKind>(Object.entries(options.columns ?? {}));
  const ids = options.id === undefined ? [] : typeof options.id === 'string' ? [options.id] : [...options.id];
  for (const name of [...declared.keys(), ...ids]) checkColumnExists(name, names, file, 'a column named in `columns:` or `id:`');
  if (options.target !== undefined) checkColumnExists(options.target, names, file, 'the target column');
  for (const id of ids) declared.set(id, 'id');
  const formats = new Map<string, DateLayout>();
  for (const [name, format] of Object.entries(options.formats ?? {})) {
    checkColumnExists(name, names, file, 'a column named in `formats:`');
    const d = declared.get(name);
    if (name === options.target || (d !== undefined && d !== 'date'))
      throw new StepInputError(
        `\`formats:\` gives a date format for "${name}", but ${name === options.target ? 'it is the target' : `\`columns:\` or \`id:\` declares it ${d}`}`,
      );
    formats.set(name, layoutOfFormat(name, format, file));
  }

  return names.map((name, j): ColumnPlan => {
    const values = (): string[] => rows.map((r) => r.fields[j] ?? '');
    if (name === options.target) {
      const d = declared.get(name);
      // positive: or classes: say the target holds classes, whatever they look like.
      const verdict = d !== undefined || options.positive !== undefined || options.classes !== undefined ? undefined : inferColumnKind('', values(), missing);
      if (verdict === 'mostly-numeric') throw mostlyNumericError(name, rows, j, missing, file);
      const numeric = d === 'numeric' || verdict === 'numeric';
      return { spec: { name, type: numeric ? 'numeric' : 'categorical', declared: d !== undefined }, kind: 'target' };
    }
    const d = declared.get(name);
    const layout = formats.get(name) ?? (d === undefined || d === 'date' ? dateLayout(name, rows, j, missing, file, d === 'date') : undefined);
    if (layout !== undefined) return { spec: { name, type: 'date', declared: d !== undefined || formats.has(name), layout }, kind: 'date' };
    const verdict = d ?? inferColumnKind(name, values(), missing);
    if (verdict === 'mostly-numeric') throw mostlyNumericError(name, rows, j, missing, file);
    const kind = verdict as InferredKind;
    const type: ParsedType = kind === 'id' ? 'text' : kind;
    return { spec: { name, type, declared: d !== undefined }, kind };
  });
}

/** The date layout of column j from the sample; a column declared `date` whose values are not dates in a known layout is an error. */
function dateLayout(
  name: string,
  rows: readonly SampleRecord[],
  j: number,
  missing: ReadonlySet<string>,
  file: string,
  declared: boolean,
): DateLayout | undefined {
  const layout = inferDateLayout(
    rows.map((r) => ({ value: r.fields[j] ?? '', line: r.line })),
    missing,
    name,
    file,
  );
  if (layout === undefined && declared) {
    throw new DataError('this column is declared a date, but its first rows are not all ISO 8601 (YYYY-MM-DD) or day/month dates with a 4-digit year', {
      file,
      column: name,
      hint: `give the format: \`formats: { ${name}: "%d/%m/%Y" }\` (directives %Y %m %d %H %M %S)`,
    });
  }
  return layout;
}

/**
 * A column whose sample is mostly numbers but not all: names every other cell's line (the first
 * five, then a count), never its value, and the ways to resolve it.
 */
function mostlyNumericError(name: string, rows: readonly SampleRecord[], j: number, missing: ReadonlySet<string>, file: string): DataError {
  const present = rows.filter((r) => !missing.has((r.fields[j] ?? '').trim())).length;
  const lines = rows.filter((r) => isPresentNonNumber(r.fields[j] ?? '', missing)).map((r) => r.line);
  const shown = lines.slice(0, 5).join(', ') + (lines.length > 5 ? ` and ${lines.length - 5} more` : '');
  return new DataError(
    `this column is mostly numbers, but ${lines.length} of the ${present} values read to infer its type are not: line${lines.length > 1 ? 's' : ''} ${shown}`,
    {
      file,
      column: name,
      hint: `fix those cells, add a token that marks a missing value to \`missing:\`, or, if the column is not numeric, declare it: \`columns: { ${name}: text }\` (or categorical)`,
    },
  );
}

function checkColumnExists(name: string, names: readonly string[], file: string, what: string): void {
  if (names.includes(name)) return;
  const suggestion = closestName(name, names);
  const list = names.length <= 40 ? names.join(', ') : `${names.slice(0, 40).join(', ')}, … (${names.length} in all)`;
  throw new DataError(`${what} is not in the file`, {
    file,
    column: name,
    hint: `${suggestion !== undefined ? `did you mean "${suggestion}"? ` : ''}columns: ${list}`,
  });
}

async function streamInto(path: string, file: string, parser: ColumnParser, chunkSize: number): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: chunkSize });
  try {
    for await (const chunk of stream) parser.feed(chunk as Buffer, false);
  } catch (e) {
    stream.destroy();
    if (e instanceof DataError) throw e;
    throw openError(e, file);
  }
  parser.feed(Buffer.alloc(0), true);
}
