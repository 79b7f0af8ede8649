/**
 * Fingerprints as packed bit arrays: row r of a table of `bits`-bit fingerprints occupies
 * `wordsFor(bits)` consecutive Uint32 words, bit b in word b >> 5 at position b & 31 (unused high
 * bits of the last word are 0). Similarity is then word ANDs and popcounts.
 */

export function wordsFor(bits: number): number {
  return (bits + 31) >>> 5;
}

/** Set bits of a 32-bit word (SWAR popcount: no table, no branches). */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Set bits of each row: counts[r] = popcount of row r. */
export function rowCounts(packed: Uint32Array, rows: number, words: number): Int32Array {
  const counts = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let c = 0;
    for (let w = r * words, end = w + words; w < end; w++) c += popcount32(packed[w]);
    counts[r] = c;
  }
  return counts;
}

/**
 * Packs one 0/1 column per bit into rows of words. A value >= 0.5 counts as set, so columns of
 * probabilities (a generator's output for fingerprint bits) are read as their most likely bit.
 */
export function packColumns(columns: readonly ArrayLike<number>[], rows: number): Uint32Array {
  const words = wordsFor(columns.length);
  const packed = new Uint32Array(rows * words);
  for (let b = 0; b < columns.length; b++) {
    const col = columns[b];
    const w = b >>> 5;
    const mask = 1 << (b & 31);
    for (let r = 0; r < rows; r++) if (col[r] >= 0.5) packed[r * words + w] |= mask;
  }
  return packed;
}

/** One Float64Array of 0/1 per bit, the inverse of packColumns (a dataset stores a bit as a numeric column). */
export function unpackColumns(packed: Uint32Array, rows: number, bits: number): Float64Array[] {
  const words = wordsFor(bits);
  const columns: Float64Array[] = [];
  for (let b = 0; b < bits; b++) {
    const col = new Float64Array(rows);
    const w = b >>> 5;
    const shift = b & 31;
    for (let r = 0; r < rows; r++) col[r] = (packed[r * words + w] >>> shift) & 1;
    columns.push(col);
  }
  return columns;
}

/**
 * Tanimoto (Jaccard) similarity of row `i` of `a` and row `j` of `b`: |A and B| / |A or B|.
 * Two empty fingerprints have similarity 0: sharing no features is no evidence of likeness.
 */
export function tanimoto(a: Uint32Array, i: number, b: Uint32Array, j: number, words: number): number {
  let common = 0;
  let either = 0;
  const ai = i * words;
  const bj = j * words;
  for (let w = 0; w < words; w++) {
    const x = a[ai + w];
    const y = b[bj + w];
    common += popcount32(x & y);
    either += popcount32(x | y);
  }
  return either === 0 ? 0 : common / either;
}
