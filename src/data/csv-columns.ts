/**
 * The fast pass of the CSV loader: turns a stream of byte chunks into typed columns, once the
 * delimiter, header and column types are known (csv-sample.ts, csv-infer.ts).
 *
 * Memory is the point of this module: numbers are parsed straight from bytes into growing
 * Float64Arrays (no string per value), categorical columns keep an Int32Array of codes plus one
 * string per distinct value; only text and id columns hold a string per row. A chunk boundary may
 * fall anywhere: the parser only commits a field once its terminator has been seen, and carries an
 * unfinished record over to the next chunk. Writes for a record are by row index, so a record
 * re-parsed after a carry simply overwrites its first attempt.
 *
 * Rows in errors are 1-based physical lines, as an editor shows them (a record with a newline
 * inside quotes spans several lines).
 */
import { DataError } from '../errors.js';
import type { ColumnData } from './dataset.js';
import { parseNumberBytes } from './csv-number.js';
import { parseDate, type DateLayout } from './dates.js';

export type ParsedType = 'numeric' | 'categorical' | 'text' | 'date';

export interface ColumnSpec {
  name: string;
  type: ParsedType;
  /** Whether the type was declared by the user (changes the hint of a bad-number error). */
  declared: boolean;
  /** For a date column: how its values are written (stored as days since 1970-01-01 UTC). */
  layout?: DateLayout;
}

export interface ColumnParserOptions {
  /** File name for error messages, as the user wrote it. */
  file: string;
  delimiter: string;
  /** Values meaning "missing", compared after trimming spaces. */
  missing: readonly string[];
  /** Number of records to skip first (1 for a header row). */
  skipRecords: number;
  /** A guess of the row count, to size arrays once instead of growing them. */
  expectedRows: number;
  /** What an infinite number (inf, 1e309) in a numeric column is: an error (default) or a missing value. */
  nonFinite?: 'error' | 'missing';
}

const NUMERIC = 0,
  CATEGORICAL = 1,
  TEXT = 2,
  DATE = 3;
const QUOTE = 34,
  LF = 10,
  CR = 13,
  SPACE = 32,
  MINUS = 45,
  DOT = 46,
  ZERO = 48;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

export class ColumnParser {
  private readonly types: Uint8Array;
  private readonly numeric: Float64Array[] = [];
  private readonly codes: Int32Array[] = [];
  private readonly text: (string | null)[][] = [];
  private readonly dictionaries: Map<string, number>[] = [];
  /** Per categorical column, the line each category first appears on (by dictionary code), for errors about classes. */
  private readonly firstLines: number[][] = [];
  private readonly delim: number;
  private readonly missing: Set<string>;
  /** Whether a missing token looks like a number (e.g. -999): then tokens are checked before parsing. */
  private readonly numericMissing: boolean;
  private readonly emptyIsMissing: boolean;
  private readonly infiniteIsMissing: boolean;
  /** Per column, how many cells each missing token stood for (blank as ""), counted once a record is complete. */
  private readonly tokenCounts: Map<string, number>[];
  /** The current record's missing tokens (column, token): a record re-parsed after a chunk carry starts them again. */
  private pendingColumns: number[] = [];
  private pendingTokens: string[] = [];
  private capacity: number;
  private carry: Buffer | undefined;
  private skip: number;
  private atStart = true;
  /** Physical line of the next unread byte. */
  private line = 1;
  rows = 0;

  constructor(
    private readonly specs: readonly ColumnSpec[],
    private readonly options: ColumnParserOptions,
  ) {
    this.types = Uint8Array.from(specs, (s) => (s.type === 'numeric' ? NUMERIC : s.type === 'categorical' ? CATEGORICAL : s.type === 'date' ? DATE : TEXT));
    this.delim = options.delimiter.charCodeAt(0);
    this.missing = new Set(options.missing.map((m) => m.trim()));
    this.numericMissing = [...this.missing].some((m) => !Number.isNaN(parseNumberBytes(Buffer.from(m), 0, Buffer.byteLength(m))));
    this.emptyIsMissing = this.missing.has('');
    this.infiniteIsMissing = options.nonFinite === 'missing';
    this.skip = options.skipRecords;
    this.tokenCounts = specs.map(() => new Map());
    this.capacity = Math.max(16, Math.ceil(options.expectedRows));
    specs.forEach((_s, j) => {
      if (this.types[j] === NUMERIC || this.types[j] === DATE) this.numeric[j] = new Float64Array(this.capacity);
      else if (this.types[j] === CATEGORICAL) {
        this.codes[j] = new Int32Array(this.capacity);
        this.dictionaries[j] = new Map();
        this.firstLines[j] = [];
      } else this.text[j] = [];
    });
  }

  /** Parses a chunk; `final` marks the last one (then an unfinished record is an error). */
  feed(chunk: Buffer, final: boolean): void {
    let buf = this.carry?.length ? this.joinCarry(chunk) : chunk;
    if (this.atStart) {
      if (buf.length < 3 && !final) {
        this.carry = buf;
        return;
      }
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3); // UTF-8 byte order mark
      this.atStart = false;
    }
    const consumed = this.scan(buf, final);
    this.carry = consumed < buf.length ? buf.subarray(consumed) : undefined;
  }

  /**
   * Joins the carried partial record with the new chunk. Usually the record ends at the chunk's
   * first line end: then only that head is copied and parsed, and the rest of the chunk is parsed
   * in place, instead of copying every chunk behind the carry.
   */
  private joinCarry(chunk: Buffer): Buffer {
    const carry = this.carry as Buffer;
    const lf = this.atStart ? -1 : chunk.indexOf(LF);
    if (lf >= 0 && lf + 1 < chunk.length) {
      const head = Buffer.concat([carry, chunk.subarray(0, lf + 1)]);
      const line = this.line,
        rows = this.rows,
        skip = this.skip;
      if (this.scan(head, false) === head.length) return chunk.subarray(lf + 1);
      // That line end was inside quotes: undo, and parse the whole joined buffer instead.
      this.line = line;
      this.rows = rows;
      this.skip = skip;
    }
    return Buffer.concat([carry, chunk]);
  }

  /** The parsed columns, trimmed to the row count; categories sorted (stable across row orders). */
  finish(): ColumnData[] {
    const n = this.rows;
    return this.specs.map((_, j): ColumnData => {
      const t = this.types[j];
      if (t === NUMERIC || t === DATE) return { type: 'numeric', values: trim(this.numeric[j], n) };
      if (t === TEXT) {
        const v = this.text[j];
        v.length = n;
        return { type: 'text', values: v };
      }
      return sortCategories(trim(this.codes[j], n), this.dictionaries[j]);
    });
  }

  /** Per column, how many cells each missing token (trimmed; "" for blank) stood for; empty maps for columns without any. */
  missingTokenCounts(): ReadonlyMap<string, number>[] {
    return this.tokenCounts;
  }

  /** The line a category of a categorical column first appears on. */
  firstLineOf(col: number, category: string): number | undefined {
    const code = this.dictionaries[col]?.get(category);
    return code === undefined ? undefined : this.firstLines[col][code];
  }

  /** Parses whole records from `buf`; returns how many bytes were consumed. */
  private scan(buf: Buffer, final: boolean): number {
    const n = buf.length;
    const ncols = this.specs.length;
    const delim = this.delim;
    const types = this.types;
    const numeric = this.numeric;
    const fastNumbers = !this.numericMissing; // a numeric-looking missing token must be checked first
    let i = 0;
    while (i < n) {
      const b = buf[i];
      if (b === LF || b === CR) {
        // A blank line; a CR as the chunk's last byte may be the first half of a CRLF.
        if (b === CR && i + 1 === n && !final) return i;
        i += b === CR && i + 1 < n && buf[i + 1] === LF ? 2 : 1;
        this.line++;
        continue;
      }
      const recordStart = i;
      const recordLine = this.line;
      if (this.skip > 0) {
        const end = this.skipRecord(buf, i, final);
        if (end < 0) {
          this.line = recordLine;
          return recordStart;
        }
        this.skip--;
        i = end;
        continue;
      }
      if (this.rows >= this.capacity) this.grow();
      const row = this.rows;
      this.pendingColumns.length = 0;
      this.pendingTokens.length = 0;
      let col = 0;
      for (;;) {
        const fieldLine = this.line;
        let k: number; // index of the byte that ends the field (delimiter, line end, or n)
        const first = i < n ? buf[i] : -1; // (in-bounds reads keep the optimised code on its fast path)
        if (types[col] === NUMERIC && first !== QUOTE && fastNumbers) {
          // Fast path, one pass over the bytes: [-]digits[.digits] right before a terminator, at
          // most 15 digits, so mantissa / 10^frac is exact-then-rounded-once (Clinger's fast path).
          let j = i;
          if (first === MINUS) j++;
          let mantissa = 0,
            digits = 0,
            frac = 0,
            c = 0;
          while (j < n && (c = buf[j] - ZERO) >= 0 && c <= 9) {
            mantissa = mantissa * 10 + c;
            digits++;
            j++;
          }
          if (j < n && buf[j] === DOT) {
            j++;
            while (j < n && (c = buf[j] - ZERO) >= 0 && c <= 9) {
              mantissa = mantissa * 10 + c;
              digits++;
              frac++;
              j++;
            }
          }
          const end = j < n ? buf[j] : -1;
          if (digits > 0 && digits <= 15 && (end === delim || end === LF || end === CR)) {
            // At most 15 digits and no exponent: always finite, so no check for infinities here.
            const v = frac === 0 ? mantissa : mantissa / POW10[frac];
            numeric[col][row] = first === MINUS ? -v : v;
            k = j;
          } else {
            // Anything else (missing token, long mantissa, exponent, a bad value): the full parser.
            k = i;
            while (k < n && (c = buf[k]) !== delim && c !== LF && c !== CR) k++;
            if (k === n && !final) {
              this.line = recordLine;
              return recordStart;
            }
            this.commitBytes(buf, i, k, col, row, fieldLine);
          }
        } else if (first === QUOTE) {
          k = this.quotedField(buf, i, n, col, row, final);
          if (k < 0) {
            if (final)
              throw new DataError('a quoted field is never closed', {
                file: this.options.file,
                row: fieldLine,
                column: this.specs[Math.min(col, ncols - 1)].name,
                hint: 'a field starting with " must end with "; write a quote inside a field as ""',
              });
            this.line = recordLine;
            return recordStart;
          }
        } else {
          k = i;
          while (k < n) {
            const c = buf[k];
            if (c === delim || c === LF || c === CR) break;
            k++;
          }
          if (k === n && !final) {
            this.line = recordLine;
            return recordStart;
          }
          if (col < ncols) this.commitBytes(buf, i, k, col, row, fieldLine);
        }
        if (k < n && buf[k] === delim) {
          col++;
          if (col >= ncols) throw this.raggedError(recordLine, col + 1);
          i = k + 1;
          continue;
        }
        // End of record: a line end or the end of the file.
        if (k < n) {
          if (buf[k] === CR && k + 1 === n && !final) {
            this.line = recordLine;
            return recordStart;
          }
          i = k + (buf[k] === CR && k + 1 < n && buf[k + 1] === LF ? 2 : 1);
          this.line++;
        } else i = n;
        break;
      }
      if (col + 1 !== ncols) throw this.raggedError(recordLine, col + 1);
      this.countTokens();
      this.rows++;
    }
    return n;
  }

  /**
   * Parses a quoted field starting at `start` (the opening quote) and commits it. Returns the index
   * of the byte after the field (delimiter, line end or n), or -1 when the closing quote is not in
   * this buffer.
   */
  private quotedField(buf: Buffer, start: number, n: number, col: number, row: number, final: boolean): number {
    const fieldLine = this.line;
    let j = start + 1;
    let escaped = false;
    let lines = 0;
    for (;;) {
      if (j >= n) return -1;
      const b = buf[j];
      if (b === QUOTE) {
        if (j + 1 < n && buf[j + 1] === QUOTE) {
          escaped = true;
          j += 2;
          continue;
        }
        if (j + 1 >= n && !final) return -1; // cannot tell "" from a closing quote yet
        break;
      }
      if (b === LF || (b === CR && (j + 1 >= n || buf[j + 1] !== LF))) lines++;
      j++;
    }
    const close = j;
    // Text after the closing quote, up to the delimiter, is kept (lenient, like pandas).
    let k = close + 1;
    while (k < n && buf[k] !== this.delim && buf[k] !== LF && buf[k] !== CR) k++;
    if (k === n && !final) return -1;
    this.line += lines;
    if (col >= this.specs.length) return k;
    if (!escaped && k === close + 1) this.commitBytes(buf, start + 1, close, col, row, fieldLine);
    else {
      let value = buf.toString('utf8', start + 1, close);
      if (escaped) value = value.replaceAll('""', '"');
      if (k > close + 1) value += buf.toString('utf8', close + 1, k);
      this.commitString(value, col, row, fieldLine);
    }
    return k;
  }

  private commitBytes(buf: Buffer, s: number, e: number, col: number, row: number, line: number): void {
    const t = this.types[col];
    if (t === NUMERIC) {
      if (!this.numericMissing) {
        const v = parseNumberBytes(buf, s, e);
        if (v === v) {
          this.storeNumber(v, col, row, line);
          return;
        }
        if (s === e && this.emptyIsMissing) {
          this.numeric[col][row] = NaN;
          this.notePending(col, '');
          return;
        }
      }
      this.commitString(buf.toString('utf8', s, e), col, row, line);
      return;
    }
    this.commitString(s === e ? '' : buf.toString('utf8', s, e), col, row, line);
  }

  private commitString(value: string, col: number, row: number, line: number): void {
    const t = this.types[col];
    const missing = this.isMissing(value);
    if (missing) this.notePending(col, this.missing.has(value) ? value : value.trim());
    if (t === NUMERIC) {
      if (missing) this.numeric[col][row] = NaN;
      else {
        const v = parseNumberBytes(Buffer.from(value), 0, Buffer.byteLength(value));
        if (v !== v) throw this.badNumberError(line, col);
        this.storeNumber(v, col, row, line);
      }
    } else if (t === DATE) {
      if (missing) this.numeric[col][row] = NaN;
      else {
        const days = parseDate(value, this.specs[col].layout ?? { type: 'iso' });
        if (days !== days) throw this.badDateError(line, col);
        this.numeric[col][row] = days;
      }
    } else if (t === CATEGORICAL) {
      if (missing) this.codes[col][row] = -1;
      else {
        const dict = this.dictionaries[col];
        let code = dict.get(value);
        if (code === undefined) {
          dict.set(value, (code = dict.size));
          this.firstLines[col][code] = line;
        }
        this.codes[col][row] = code;
      }
    } else this.text[col][row] = missing ? null : value;
  }

  /**
   * Stores a parsed number. Every number of a numeric column but the fast path's (which cannot be
   * infinite) comes through here, so an infinity (`inf`, or `1e309` overflowing) never reaches a
   * dataset unasked: one would turn a whole column into -Infinity once standardised.
   */
  private storeNumber(v: number, col: number, row: number, line: number): void {
    if (v === Infinity || v === -Infinity) {
      if (!this.infiniteIsMissing) throw this.nonFiniteError(line, col);
      v = NaN;
    }
    this.numeric[col][row] = v;
  }

  private notePending(col: number, token: string): void {
    this.pendingColumns.push(col);
    this.pendingTokens.push(token);
  }

  /** Adds the complete record's missing tokens to the per-column counts. */
  private countTokens(): void {
    for (let k = 0; k < this.pendingColumns.length; k++) {
      const counts = this.tokenCounts[this.pendingColumns[k]];
      const token = this.pendingTokens[k];
      counts.set(token, (counts.get(token) ?? 0) + 1);
    }
  }

  private isMissing(value: string): boolean {
    if (this.missing.has(value)) return true;
    const n = value.length;
    return n > 0 && (value.charCodeAt(0) === SPACE || value.charCodeAt(n - 1) === SPACE) && this.missing.has(value.trim());
  }

  /** Skips one record (a header already read from the sample); -1 if it does not end in `buf`. */
  private skipRecord(buf: Buffer, i: number, final: boolean): number {
    const n = buf.length;
    let quoted = false;
    for (; i < n; i++) {
      const b = buf[i];
      if (b === QUOTE) quoted = !quoted;
      else if (!quoted && (b === LF || b === CR)) {
        if (b === CR && i + 1 === n && !final) return -1;
        this.line++;
        return i + (b === CR && i + 1 < n && buf[i + 1] === LF ? 2 : 1);
      } else if (quoted && (b === LF || (b === CR && (i + 1 >= n || buf[i + 1] !== LF)))) this.line++;
    }
    return final ? n : -1;
  }

  private grow(): void {
    const next = Math.ceil(this.capacity * 1.5) + 16;
    for (let j = 0; j < this.specs.length; j++) {
      if (this.types[j] === NUMERIC || this.types[j] === DATE) this.numeric[j] = resized(this.numeric[j], next);
      else if (this.types[j] === CATEGORICAL) this.codes[j] = resized(this.codes[j], next);
    }
    this.capacity = next;
  }

  private raggedError(line: number, fields: number): DataError {
    const ncols = this.specs.length;
    if (fields < ncols) {
      return new DataError(
        `this row has ${fields} field${fields === 1 ? '' : 's'} but the header has ${ncols} columns: the value for this column and the ones after it are missing`,
        {
          file: this.options.file,
          row: line,
          column: this.specs[fields].name,
          hint: `check for a missing "${this.options.delimiter === '\t' ? '\\t' : this.options.delimiter}" delimiter; an empty value still needs its delimiter`,
        },
      );
    }
    return new DataError(`this row has more fields than the ${ncols} columns of the header (extra values after the last column)`, {
      file: this.options.file,
      row: line,
      column: this.specs[ncols - 1].name,
      hint: 'a value containing the delimiter must be quoted ("...")',
    });
  }

  private nonFiniteError(line: number, col: number): DataError {
    return new DataError('a value in this numeric column is not finite (inf, -inf, or a number too large for a 64-bit float such as 1e309)', {
      file: this.options.file,
      row: line,
      column: this.specs[col].name,
      hint: "fix the value, or set `non_finite: missing` in the load step's `with:` to treat non-finite values as missing",
    });
  }

  private badDateError(line: number, col: number): DataError {
    const spec = this.specs[col];
    const layout = spec.layout ?? { type: 'iso' };
    const written =
      layout.type === 'iso'
        ? 'an ISO 8601 date (YYYY-MM-DD, or a date-time)'
        : layout.type === 'pattern'
          ? `a date in the format "${layout.pattern.source}"`
          : `a ${layout.type === 'dmy' ? 'day-first' : 'month-first'} date (as the column's first rows are)`;
    return new DataError(`a value in this date column is not a valid date: it must be ${written} that exists in the calendar`, {
      file: this.options.file,
      row: line,
      column: spec.name,
      hint: `fix the value (e.g. a 30 February or a month 13), add it to \`missing:\` if it marks a missing value, or give the column's format with \`formats: { ${spec.name}: "%d/%m/%Y" }\``,
    });
  }

  private badNumberError(line: number, col: number): DataError {
    const spec = this.specs[col];
    return new DataError(`a value in this ${spec.declared ? 'numeric' : 'numeric-looking'} column is not a number`, {
      file: this.options.file,
      row: line,
      column: spec.name,
      hint: spec.declared
        ? `fix the value, or add it to \`missing:\` if it marks a missing value`
        : `the column was inferred numeric from the first rows; declare it with \`columns: { ${spec.name}: categorical }\` (or text), or add the value to \`missing:\` if it marks a missing value`,
    });
  }
}

function resized<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as { new (n: number): T })(n);
  b.set(a);
  return b;
}

/** The first n values: a view when little is wasted (no copy of a large column), else a copy. */
function trim<T extends Float64Array | Int32Array>(a: T, n: number): T {
  if (a.length === n) return a;
  return (a.length - n <= a.length / 8 ? a.subarray(0, n) : a.slice(0, n)) as T;
}

/** Sorts a column's categories (code-unit order) and renumbers its codes to match. */
function sortCategories(codes: Int32Array, dict: Map<string, number>): ColumnData {
  const categories = [...dict.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const remap = new Int32Array(dict.size);
  categories.forEach((c, k) => (remap[dict.get(c) as number] = k));
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) codes[i] = remap[codes[i]];
  return { type: 'categorical', codes, categories };
}
