/**
 * The k best (score, index) pairs seen so far, in a binary heap on typed arrays with the worst
 * entry at the root, so a candidate is compared with one number before anything moves. Higher
 * scores are better; equal scores prefer the lower index, which makes results independent of
 * anything but the data (ties broken by row order). Used by nearest-neighbour retrieval
 * (src/chem/nearest.ts) and by every recommender's ranking (src/ml/recommender/top-k.ts).
 */
export class TopK {
  readonly k: number;
  private readonly score: Float64Array;
  private readonly index: Int32Array;
  private size = 0;

  constructor(k: number) {
    this.k = k;
    this.score = new Float64Array(k);
    this.index = new Int32Array(k);
  }

  reset(): void {
    this.size = 0;
  }

  get full(): boolean {
    return this.size === this.k;
  }

  /** The score a candidate must beat once the heap is full. */
  get worst(): number {
    return this.score[0];
  }

  /** True when entry a ranks below entry b. */
  private worse(a: number, b: number): boolean {
    const sa = this.score[a];
    const sb = this.score[b];
    return sa < sb || (sa === sb && this.index[a] > this.index[b]);
  }

  private swap(a: number, b: number): void {
    const s = this.score[a];
    this.score[a] = this.score[b];
    this.score[b] = s;
    const i = this.index[a];
    this.index[a] = this.index[b];
    this.index[b] = i;
  }

  private down(at: number): void {
    for (;;) {
      const l = 2 * at + 1;
      if (l >= this.size) return;
      const r = l + 1;
      const w = r < this.size && this.worse(r, l) ? r : l;
      if (!this.worse(w, at)) return;
      this.swap(w, at);
      at = w;
    }
  }

  offer(score: number, index: number): void {
    if (this.size < this.k) {
      let at = this.size++;
      this.score[at] = score;
      this.index[at] = index;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!this.worse(at, parent)) break;
        this.swap(at, parent);
        at = parent;
      }
      return;
    }
    if (this.k === 0) return;
    const root = this.score[0];
    // Written as "better than the root" so that a NaN score never displaces a number.
    if (!(score > root || (score === root && index < this.index[0]))) return;
    this.score[0] = score;
    this.index[0] = index;
    this.down(0);
  }

  /**
   * Empties the heap into out*[offset ..offset + k), best first; returns how many were written
   * (fewer than k when fewer were offered; the rest of the slots get index -1).
   */
  drain(outIndex: Int32Array, outScore: Float64Array, offset: number): number {
    const n = this.size;
    for (let slot = n - 1; slot >= 0; slot--) {
      outScore[offset + slot] = this.score[0];
      outIndex[offset + slot] = this.index[0];
      this.size--;
      if (this.size > 0) {
        this.score[0] = this.score[this.size];
        this.index[0] = this.index[this.size];
        this.down(0);
      }
    }
    for (let slot = n; slot < this.k; slot++) {
      outIndex[offset + slot] = -1;
      outScore[offset + slot] = NaN;
    }
    return n;
  }
}
