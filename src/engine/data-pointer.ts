/**
 * Data pointers: the small committed file `PATH.medpipe` that stands for a data file kept out of
 * git (patient tables are large and sensitive), as DVC's `PATH.dvc` does. It records the file's
 * sha256, size and, for CSV/TSV, its number of data rows; the bytes live in the store (and the
 * remote) under that digest. This module is the format and where pointers are found; bringing the
 * bytes back is data-source.ts.
 *
 * A step's file parameter (fileParams) may name the pointer (`data/patients.csv.medpipe`) or the
 * data file with its pointer beside it (`data/patients.csv`): either way the pointer is what is
 * committed, so it is what a step's key and the bytes it reads follow.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError } from '../errors.js';

export const POINTER_SUFFIX = '.medpipe';
export const POINTER_FORMAT = 1;

/** What a pointer file records. */
export interface DataPointerRecord {
  /** The data file's name, beside the pointer. */
  readonly path: string;
  /** sha256 of its bytes, hex. */
  readonly digest: string;
  readonly size: number;
  /** Data rows of a CSV/TSV file (records, not lines; without the header); absent for other files. */
  readonly rows?: number;
}

/** A pointer read from disk: what it records, and where it and its data file are. */
export interface DataPointer extends DataPointerRecord {
  /** The pointer file (absolute). */
  readonly file: string;
  /** The data file it stands for (absolute): the pointer's path without `.medpipe`. */
  readonly dataFile: string;
}

const DIGEST = /^[0-9a-f]{64}$/;
const KEYS = ['medpipe_data', 'path', 'digest', 'size', 'rows'];

/** The pointer's text: JSON, keys in a fixed order, one per line, so it diffs and merges like any small committed file. */
export function pointerText(record: DataPointerRecord): string {
  const ordered = {
    medpipe_data: POINTER_FORMAT,
    path: record.path,
    digest: record.digest,
    size: record.size,
    ...(record.rows === undefined ? {} : { rows: record.rows }),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Whether a path names a pointer file (by its suffix; `.medpipe` alone is the store's folder). */
export function isPointerPath(path: string): boolean {
  return path.endsWith(POINTER_SUFFIX) && basename(path).length > POINTER_SUFFIX.length;
}

/** The data file a pointer path stands for. */
export function dataFileOf(pointerFile: string): string {
  return pointerFile.slice(0, -POINTER_SUFFIX.length);
}

/** The name to show for a file parameter's value: the data file's, for a pointer (`data/x.csv.medpipe` is about `data/x.csv`). */
export function dataFileName(value: string): string {
  return isPointerPath(value) ? dataFileOf(value) : value;
}

/**
 * Reads and checks a pointer file. Throws a DataError naming the file and what is wrong with it:
 * a pointer that cannot be trusted must never be read as some other digest.
 */
export function readPointer(file: string, shownAs = file): DataPointer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read the data pointer (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: shownAs });
  }
  const wrong = (problem: string): DataError =>
    new DataError(`not a valid data pointer: ${problem}`, {
      file: shownAs,
      hint: 'restore it from git (git checkout -- FILE), or run medpipe data add on the data file to write it again',
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw wrong('it is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw wrong('it is not a JSON object');
  const o = json as Record<string, unknown>;
  if (o.medpipe_data === undefined) throw wrong('"medpipe_data" is missing');
  if (typeof o.medpipe_data === 'number' && o.medpipe_data > POINTER_FORMAT)
    throw new DataError(`data pointer format ${o.medpipe_data} is newer than this medpipe reads (${POINTER_FORMAT})`, {
      file: shownAs,
      hint: 'update medpipe',
    });
  if (o.medpipe_data !== POINTER_FORMAT) throw wrong(`"medpipe_data" must be ${POINTER_FORMAT}`);
  const extra = Object.keys(o).filter((k) => !KEYS.includes(k));
  if (extra.length) throw wrong(`unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}`);
  const expected = basename(dataFileOf(file));
  if (typeof o.path !== 'string') throw wrong('"path" must be the data file\'s name');
  if (o.path !== expected) throw wrong(`"path" is "${o.path}", but this pointer stands for "${expected}" (a pointer is named after its data file)`);
  if (typeof o.digest !== 'string' || !DIGEST.test(o.digest)) throw wrong('"digest" must be a sha256 digest (64 hex digits)');
  if (!isCount(o.size)) throw wrong('"size" must be a whole number of bytes');
  if (o.rows !== undefined && !isCount(o.rows)) throw wrong('"rows" must be a whole number');
  return {
    file,
    dataFile: join(dirname(file), o.path),
    path: o.path,
    digest: o.digest,
    size: o.size,
    ...(o.rows === undefined ? {} : { rows: o.rows as number }),
  };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * The pointer a file parameter's path stands for, if any: the path itself when it names a pointer,
 * else `PATH.medpipe` beside it. Undefined for a plain data file (read where it is, as before).
 */
export function pointerPathFor(path: string): string | undefined {
  if (isPointerPath(path)) return path;
  const beside = path + POINTER_SUFFIX;
  return existsSync(beside) && statSync(beside).isFile() ? beside : undefined;
}

/** The pointer a file parameter's path stands for (see pointerPathFor), read and checked; undefined for a plain file. */
export function findPointer(path: string, shownAs = path): DataPointer | undefined {
  const file = pointerPathFor(path);
  if (!file) return undefined;
  return readPointer(file, file === path ? shownAs : shownAs + POINTER_SUFFIX);
}
