/**
 * Dataset artifacts on disk: Apache Arrow IPC *file* format (the `.arrow` / Feather v2 layout), so
 * pandas (`pyarrow.feather.read_table`), polars and DuckDB open what medpipe writes.
 *
 * Mapping (medpipe <-> Arrow):
 * - numeric     <-> Float64. A missing value (NaN in memory) is written as an Arrow null, and the
 *                   value slot under the null also holds NaN, so readers that ignore the validity
 *                   bitmap (numpy zero-copy) still see NaN. ±Infinity round-trips as itself.
 *                   In memory medpipe has one marker for "no value" (NaN), so a NaN and a missing
 *                   value cannot stay distinct: both are written as null, and on reading both an
 *                   Arrow null and a stored NaN (pandas writes float NaN that way) become NaN.
 * - categorical <-> Dictionary<Utf8, Int32>; -1 codes are nulls; the dictionary keeps every
 *                   category, including ones no row uses (a split's test part keeps the train
 *                   categories).
 * - text / id   <-> Utf8 with nulls.
 * - missing tokens of a CSV column (Column.missingTokens) -> field metadata `medpipe.missing_tokens`
 *                   (JSON), only on columns that have any.
 * - column kind  -> field metadata `medpipe.kind`; target column and positive class -> schema
 *                   metadata `medpipe.target`, `medpipe.positive`. Files from other tools have no
 *                   metadata: kinds are then inferred from the Arrow types.
 * Column order is preserved.
 *
 * apache-arrow is heavy to load: this module is imported only inside step `run` functions.
 */
import { readFile, writeFile } from 'node:fs/promises';
import {
  Dictionary,
  Field,
  Float64,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Type,
  Utf8,
  makeData,
  makeVector,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Data,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { DataError } from '../errors.js';
import { COLUMN_KINDS, makeDataset, type Column, type ColumnData, type ColumnKind, type Dataset } from './dataset.js';

const KIND_KEY = 'medpipe.kind';
const TARGET_KEY = 'medpipe.target';
const POSITIVE_KEY = 'medpipe.positive';
const FORMAT_KEY = 'medpipe.format';
const MISSING_TOKENS_KEY = 'medpipe.missing_tokens';
const FORMAT_VERSION = '1';

/** Packs a validity bitmap (1 = valid) for `n` values, or returns undefined when nothing is missing. */
function validityBitmap(n: number, isMissing: (i: number) => boolean): { bitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  for (let i = 0; i < n; i++) if (isMissing(i)) nullCount++;
  if (nullCount === 0) return { bitmap: undefined, nullCount };
  const bitmap = new Uint8Array(((n + 63) >> 6) << 3); // 64-byte aligned length, as Arrow recommends
  for (let i = 0; i < n; i++) if (!isMissing(i)) bitmap[i >> 3] |= 1 << (i & 7);
  return { bitmap, nullCount };
}

function columnToData(data: ColumnData, n: number, index: number): Data {
  if (data.type === 'numeric') {
    const v = data.values;
    const { bitmap, nullCount } = validityBitmap(n, (i) => Number.isNaN(v[i]));
    return makeData({ type: new Float64(), length: n, nullCount, nullBitmap: bitmap, data: v });
  }
  if (data.type === 'categorical') {
    const codes = data.codes;
    const { bitmap, nullCount } = validityBitmap(n, (i) => codes[i] < 0);
    const dictionary = vectorFromArray([...data.categories], new Utf8());
    // An explicit dictionary id (the column's position): Arrow's default is a process-wide
    // counter, which would make the same dataset give different bytes on each write.
    return makeData({ type: new Dictionary(new Utf8(), new Int32(), index), length: n, nullCount, nullBitmap: bitmap, data: codes, dictionary });
  }
  return vectorFromArray([...data.values], new Utf8()).data[0];
}

/** Writes `ds` as one Arrow IPC file (the whole table in one record batch). */
export async function writeDatasetFile(path: string, ds: Dataset): Promise<void> {
  const fields: Field[] = [];
  const datas: Data[] = [];
  for (const [index, c] of ds.columns.entries()) {
    const data = columnToData(c.data, ds.rowCount, index);
    const fieldMeta = new Map<string, string>([[KIND_KEY, c.kind]]);
    // Only columns with missing tokens get the key, so files without missing values keep their bytes.
    if (c.missingTokens) fieldMeta.set(MISSING_TOKENS_KEY, JSON.stringify(c.missingTokens));
    fields.push(new Field(c.name, data.type, true, fieldMeta));
    datas.push(data);
  }
  const meta = new Map<string, string>([[FORMAT_KEY, FORMAT_VERSION]]);
  if (ds.target) {
    meta.set(TARGET_KEY, ds.target.column);
    if (ds.target.positive !== undefined) meta.set(POSITIVE_KEY, ds.target.positive);
  }
  const schema = new Schema(fields, meta);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: ds.rowCount, nullCount: 0, children: datas }));
  const table = new Table(schema, [batch]);
  await writeFile(path, tableToIPC(table, 'file'));
}

/** Reads an Arrow IPC file (or stream) written by medpipe or another Arrow tool. */
export async function readDatasetFile(path: string): Promise<Dataset> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? 'dataset file not found' : `cannot read dataset file (${code ?? 'unknown error'})`, { file: path });
  }
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch {
    throw new DataError('not an Apache Arrow IPC file', {
      file: path,
      hint: 'dataset artifacts are Arrow IPC files; was a CSV wired where a dataset artifact is expected?',
    });
  }
  const n = table.numRows;
  const columns: Column[] = table.schema.fields.map((field, i) => {
    const vector = table.getChildAt(i);
    if (!vector) throw new DataError('column has no data', { file: path, column: field.name });
    const data = readColumn(vector, n, path, field.name);
    const stored = field.metadata.get(KIND_KEY);
    const kind = stored && (COLUMN_KINDS as readonly string[]).includes(stored) ? (stored as ColumnKind) : inferKind(data);
    const tokens = readMissingTokens(field.metadata.get(MISSING_TOKENS_KEY));
    return { name: field.name, kind, data, ...(tokens ? { missingTokens: tokens } : {}) };
  });
  const targetColumn = table.schema.metadata.get(TARGET_KEY);
  const positive = table.schema.metadata.get(POSITIVE_KEY);
  const target = targetColumn !== undefined ? { column: targetColumn, ...(positive !== undefined ? { positive } : {}) } : undefined;
  const ds = makeDataset(columns, target);
  return n === ds.rowCount ? ds : { ...ds, rowCount: n };
}

/** The stored token counts, or undefined when absent or not a { token: count } object (a file edited by another tool). */
function readMissingTokens(stored: string | undefined): Record<string, number> | undefined {
  if (stored === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(stored);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const entries = Object.entries(v);
    return entries.every(([, n]) => Number.isInteger(n) && (n as number) >= 0) ? Object.fromEntries(entries) : undefined;
  } catch {
    return undefined;
  }
}

function inferKind(data: ColumnData): ColumnKind {
  return data.type;
}

function readColumn(vector: Vector, n: number, file: string, column: string): ColumnData {
  const type: DataType = vector.type;
  if (type.typeId === Type.Dictionary) return readDictionary(vector, n, file, column);
  if (type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8 || type.typeId === Type.Utf8View) {
    const values: (string | null)[] = new Array(n);
    let row = 0;
    for (const chunk of vector.data) {
      const vec = makeVector(chunk);
      for (let i = 0; i < chunk.length; i++) values[row++] = chunk.getValid(i) ? String(vec.get(i)) : null;
    }
    return { type: 'text', values };
  }
  if (type.typeId === Type.Float || type.typeId === Type.Int || type.typeId === Type.Bool || type.typeId === Type.Decimal) {
    const direct = float64View(vector, n);
    if (direct) return { type: 'numeric', values: direct };
    const values = new Float64Array(n);
    let row = 0;
    for (const chunk of vector.data) {
      const raw = chunk.values;
      const fast =
        raw instanceof Float64Array ||
        raw instanceof Float32Array ||
        raw instanceof Int32Array ||
        raw instanceof Int16Array ||
        raw instanceof Int8Array ||
        (raw instanceof Uint8Array && type.typeId === Type.Int);
      const vec = fast ? undefined : makeVector(chunk);
      const hasNulls = chunk.nullCount > 0;
      for (let i = 0; i < chunk.length; i++, row++) {
        if (hasNulls && !chunk.getValid(i)) values[row] = NaN;
        else values[row] = vec ? Number(vec.get(i)) : (raw as Float64Array)[i];
      }
    }
    return { type: 'numeric', values };
  }
  throw new DataError(`unsupported Arrow column type ${String(type)}`, {
    file,
    column,
    hint: 'medpipe reads numbers, booleans, strings and dictionary (categorical) columns',
  });
}

/**
 * The column's Float64 values without a copy (a view into the file's bytes), when it is one chunk
 * whose null slots already hold NaN, as medpipe writes them. Halves the memory of reading a large
 * numeric table.
 */
function float64View(vector: Vector, n: number): Float64Array | undefined {
  if (vector.data.length !== 1) return undefined;
  const chunk = vector.data[0];
  const raw: unknown = chunk.values;
  if (!(raw instanceof Float64Array) || raw.length !== n || chunk.offset !== 0) return undefined;
  if (chunk.nullCount > 0) for (let i = 0; i < n; i++) if (!chunk.getValid(i) && raw[i] === raw[i]) return undefined;
  return raw;
}

function readDictionary(vector: Vector, n: number, file: string, column: string): ColumnData {
  // Each record batch may carry its own dictionary: merge them into one category list.
  const categories: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(n);
  let row = 0;
  for (const chunk of vector.data) {
    const dict = chunk.dictionary;
    if (!dict) throw new DataError('dictionary column without a dictionary', { file, column });
    const local: number[] = [];
    for (let j = 0; j < dict.length; j++) {
      const label = String(dict.get(j));
      let code = index.get(label);
      if (code === undefined) {
        code = categories.length;
        categories.push(label);
        index.set(label, code);
      }
      local.push(code);
    }
    const raw = chunk.values as ArrayLike<number | bigint>;
    for (let i = 0; i < chunk.length; i++, row++) {
      codes[row] = chunk.nullCount > 0 && !chunk.getValid(i) ? -1 : local[Number(raw[i])];
    }
  }
  return { type: 'categorical', codes, categories };
}
