/**
 * Reads the first block of a CSV file as plain records of strings, for what must be decided before
 * the fast column parser runs: the delimiter, whether the first row is a header, and each column's
 * type. Same syntax as the column parser (csv-columns.ts): RFC 4180 quotes with `""` escapes,
 * newlines inside quotes, LF, CRLF or lone CR line ends, blank lines skipped.
 */

export interface SampleRecord {
  /** 1-based physical line the record starts on. */
  line: number;
  fields: string[];
}

export interface Sample {
  records: SampleRecord[];
  /** Line of a quote still open at the end of a complete file (a syntax error). */
  unclosedQuoteLine?: number;
}

const QUOTE = 34,
  LF = 10,
  CR = 13;

/**
 * Records of `buf`, at most `maxRecords`. When `complete` is false `buf` is a prefix of the file,
 * so a last record without its line end may be cut short and is dropped.
 */
export function tokenizeSample(buf: Buffer, delimiter: number, maxRecords: number, complete: boolean, firstLine = 1): Sample {
  const records: SampleRecord[] = [];
  const n = buf.length;
  let i = 0;
  let line = firstLine;
  while (i < n && records.length < maxRecords) {
    if (buf[i] === LF || buf[i] === CR) {
      // Blank line.
      i += buf[i] === CR && buf[i + 1] === LF ? 2 : 1;
      line++;
      continue;
    }
    const recordLine = line;
    const fields: string[] = [];
    let ended = false;
    while (!ended) {
      let value: string;
      if (buf[i] === QUOTE) {
        const parts: string[] = [];
        let s = i + 1;
        let j = s;
        let closed = false;
        while (j < n) {
          const b = buf[j];
          if (b === QUOTE) {
            if (buf[j + 1] === QUOTE) {
              parts.push(buf.toString('utf8', s, j + 1));
              j += 2;
              s = j;
              continue;
            }
            closed = true;
            break;
          }
          if (b === LF || (b === CR && buf[j + 1] !== LF)) line++;
          j++;
        }
        if (!closed) {
          if (complete) return { records, unclosedQuoteLine: recordLine };
          return { records };
        }
        parts.push(buf.toString('utf8', s, j));
        i = j + 1;
        // Text between the closing quote and the delimiter is kept, as most readers do.
        let k = i;
        while (k < n && buf[k] !== delimiter && buf[k] !== LF && buf[k] !== CR) k++;
        if (k > i) parts.push(buf.toString('utf8', i, k));
        value = parts.join('');
        i = k;
      } else {
        let k = i;
        while (k < n && buf[k] !== delimiter && buf[k] !== LF && buf[k] !== CR) k++;
        value = buf.toString('utf8', i, k);
        i = k;
      }
      fields.push(value);
      if (i >= n) {
        if (!complete) return { records };
        ended = true;
      } else if (buf[i] === delimiter) i++;
      else {
        i += buf[i] === CR && buf[i + 1] === LF ? 2 : 1;
        line++;
        ended = true;
      }
    }
    records.push({ line: recordLine, fields });
  }
  return { records };
}

/** Candidate delimiters, in order of preference when the evidence ties. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * The delimiter that splits the first records into the same number (> 1) of fields, preferring
 * more fields; when none is consistent, the one most records agree on; `,` for one-column files.
 */
export function detectDelimiter(buf: Buffer, complete: boolean): string {
  let best = ',';
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const { records } = tokenizeSample(buf, d.charCodeAt(0), 50, complete);
    if (records.length === 0) continue;
    const counts = new Map<number, number>();
    for (const r of records) counts.set(r.fields.length, (counts.get(r.fields.length) ?? 0) + 1);
    let modeFields = 0;
    let modeRecords = 0;
    for (const [fields, k] of counts) if (k > modeRecords || (k === modeRecords && fields > modeFields)) [modeFields, modeRecords] = [fields, k];
    if (modeFields < 2) continue;
    // Agreement first (share of records with the usual field count), then the field count.
    const score = (modeRecords / records.length) * 1000 + Math.min(modeFields, 999);
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}
