/**
 * Least-recently-used cache of kernel rows, sized in MB, as libsvm's Cache: row `index` holds its
 * first `len` entries (the solver only asks for the active prefix while shrinking), and swapping
 * two positions keeps every cached row consistent. Rows are Float32Array like libsvm's Qfloat, so
 * a budget holds twice as many rows as doubles would. Unlike libsvm, every row is allocated at
 * full length, so a budget holds somewhat fewer rows late in shrinking.
 */

export class KernelCache {
  private readonly data: (Float32Array | null)[];
  private readonly len: Int32Array;
  /** Doubly linked LRU list over row indices; slot `l` is the sentinel. */
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly capacity: number;
  private allocated = 0;
  /** After getData: how many leading entries of the returned row were already filled. */
  start = 0;
  /** Rows dropped by swaps, reused before new memory is taken. */
  private readonly spare: Float32Array[] = [];
  private slab: Float32Array = new Float32Array(0);
  private slabUsed = 0;
  /** Swaps (low, high) not yet applied inside the cached rows. */
  private pendingLow: Int32Array = new Int32Array(64);
  private pendingHigh: Int32Array = new Int32Array(64);
  private pendingCount = 0;

  constructor(
    private readonly l: number,
    private readonly rowLength: number,
    cacheMb: number,
  ) {
    this.data = new Array<Float32Array | null>(l).fill(null);
    this.len = new Int32Array(l);
    this.prev = new Int32Array(l + 1).fill(-1);
    this.next = new Int32Array(l + 1).fill(-1);
    this.prev[l] = l;
    this.next[l] = l;
    const floats = Math.floor((cacheMb * 1024 * 1024) / 4);
    // Two rows at least: the solver holds rows i and j at once.
    this.capacity = Math.max(2, Math.min(l, Math.floor(floats / Math.max(1, rowLength))));
  }

  private unlink(h: number): void {
    this.next[this.prev[h]] = this.next[h];
    this.prev[this.next[h]] = this.prev[h];
  }

  private append(h: number): void {
    const s = this.l;
    this.next[h] = s;
    this.prev[h] = this.prev[s];
    this.next[this.prev[s]] = h;
    this.prev[s] = h;
  }

  /**
   * A fresh row. Rows are cut from slabs of up to 64 rows: thousands of small typed arrays
   * each carry an ArrayBuffer the garbage collector must track, which showed up in profiles.
   */
  private newRow(): Float32Array {
    const reused = this.spare.pop();
    if (reused) return reused;
    const L = this.rowLength;
    if (this.slabUsed + L > this.slab.length) {
      const rows = Math.max(1, Math.min(64, this.capacity - this.allocated));
      this.slab = new Float32Array(rows * L);
      this.slabUsed = 0;
    }
    const row = this.slab.subarray(this.slabUsed, this.slabUsed + L);
    this.slabUsed += L;
    return row;
  }

  /** Row `index` with room for `len` entries; entries before `this.start` are already valid. */
  getData(index: number, len: number): Float32Array {
    if (this.pendingCount > 0) this.flush();
    let row = this.data[index];
    if (row !== null) this.unlink(index);
    else {
      if (this.allocated < this.capacity) {
        row = this.newRow();
        this.allocated++;
      } else {
        const victim = this.next[this.l];
        this.unlink(victim);
        row = this.data[victim] as Float32Array;
        this.data[victim] = null;
        this.len[victim] = 0;
      }
      this.data[index] = row;
      this.len[index] = 0;
    }
    this.append(index);
    this.start = this.len[index];
    if (len > this.len[index]) this.len[index] = len;
    return row;
  }

  /**
   * Swaps positions i and j. The row headers swap now; the entries inside cached rows are
   * swapped lazily, in one pass per row before the next read (libsvm walks every cached row on
   * every swap, which costs a cache miss per row per swap; shrinking does thousands of swaps).
   */
  swapIndex(i: number, j: number): void {
    if (i === j) return;
    const di = this.data[i],
      dj = this.data[j];
    if (di !== null) this.unlink(i);
    if (dj !== null) this.unlink(j);
    this.data[i] = dj;
    this.data[j] = di;
    const li = this.len[i];
    this.len[i] = this.len[j];
    this.len[j] = li;
    if (dj !== null) this.append(i);
    if (di !== null) this.append(j);
    if (this.pendingCount === this.pendingLow.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.pendingLow = grow(this.pendingLow);
      this.pendingHigh = grow(this.pendingHigh);
    }
    this.pendingLow[this.pendingCount] = Math.min(i, j);
    this.pendingHigh[this.pendingCount] = Math.max(i, j);
    this.pendingCount++;
  }

  /** Applies the pending swaps to every cached row, in order, as libsvm's swap_index would have. */
  private flush(): void {
    const count = this.pendingCount,
      lo = this.pendingLow,
      hi = this.pendingHigh,
      s = this.l;
    this.pendingCount = 0;
    for (let h = this.next[s]; h !== s; ) {
      const after = this.next[h];
      const len = this.len[h];
      const row = this.data[h] as Float32Array;
      for (let t = 0; t < count; t++) {
        const i = lo[t];
        if (len <= i) continue;
        const j = hi[t];
        if (len > j) {
          const v = row[i];
          row[i] = row[j];
          row[j] = v;
        } else {
          // Give up on this row, as libsvm does: its buffer goes back to the free budget.
          this.unlink(h);
          this.spare.push(row);
          this.data[h] = null;
          this.len[h] = 0;
          this.allocated--;
          break;
        }
      }
      h = after;
    }
  }
}
