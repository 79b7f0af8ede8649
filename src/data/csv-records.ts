/**
 * How many data rows a CSV/TSV file holds, for the row count a data pointer records: records, not
 * lines (a quoted field may span lines), without the header, which is detected as `load.csv`
 * detects it by default. Streams the file once and keeps no row in memory; same syntax as the
 * loader (csv-sample.ts): RFC 4180 quotes opened at a field's start, `""` escapes, LF, CRLF or
 * lone CR line ends, blank lines skipped.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { looksLikeHeader } from './csv-infer.js';
import { detectDelimiter, tokenizeSample } from './csv-sample.js';
import { DEFAULT_MISSING } from './csv.js';

const QUOTE = 34,
  LF = 10,
  CR = 13;
const SAMPLE_BYTES = 1 << 20;

/** Counts records in a stream of chunks; `finish` returns the count. */
export class RecordCounter {
  private records = 0;
  private fieldStart = true;
  private inQuotes = false;
  /** A quote inside a quoted field: an escaped quote if the next byte is one too, else the field's end. */
  private quoteSeen = false;
  private recordOpen = false;

  constructor(private readonly delimiter: number) {}

  push(chunk: Uint8Array): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (b === QUOTE) continue;
        this.inQuotes = false;
      }
      if (this.inQuotes) {
        if (b === QUOTE) this.quoteSeen = true;
        continue;
      }
      if (b === LF || b === CR) {
        if (this.recordOpen) this.records++;
        this.recordOpen = false;
        this.fieldStart = true;
        continue;
      }
      this.recordOpen = true;
      if (b === this.delimiter) this.fieldStart = true;
      else if (b === QUOTE && this.fieldStart) {
        this.inQuotes = true;
        this.fieldStart = false;
      } else this.fieldStart = false;
    }
  }

  finish(): number {
    return this.records + (this.recordOpen ? 1 : 0);
  }
}

/** Whether a file name is one a row count is recorded for. */
export function isDelimitedText(name: string): boolean {
  return /\.(csv|tsv)$/i.test(name);
}

/** The number of data rows of a CSV/TSV file (see the module comment). */
export async function countCsvRows(path: string): Promise<number> {
  const handle = await open(path, 'r');
  let block: Buffer;
  let complete: boolean;
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SAMPLE_BYTES, 0);
    block = buf.subarray(0, bytesRead);
    complete = bytesRead < SAMPLE_BYTES;
  } finally {
    await handle.close();
  }
  const delimiter = /\.tsv$/i.test(path) ? '\t' : detectDelimiter(block, complete);
  const counter = new RecordCounter(delimiter.charCodeAt(0));
  for await (const chunk of createReadStream(path)) counter.push(chunk as Buffer);
  const records = counter.finish();
  const sample = tokenizeSample(block, delimiter.charCodeAt(0), 5001, complete).records;
  const header =
    sample.length > 0 &&
    looksLikeHeader(
      sample[0].fields,
      sample.slice(1).map((r) => r.fields),
      new Set(DEFAULT_MISSING),
    );
  return Math.max(0, records - (header ? 1 : 0));
}
