/**
 * The fault suite's one source of randomness: mulberry32, seeded per test file, so every kill
 * point, byte position and truncation length is the same on every run of the suite. Each test
 * file fixes its seed in the file and names it in its failure messages, so a failure can be
 * replayed exactly (kill points are still timings: the assertions hold wherever the kill lands).
 */

export interface Seeded {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi). */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  /** "seed 0x…", for failure messages. */
  readonly label: string;
}

/**
 * The seed a test file fixes, unless MEDPIPE_FAULT_SEED names another one (to explore more
 * kill points and byte positions by hand, or to replay one a failure message names).
 */
export function suiteSeed(fixed: number): number {
  const override = process.env.MEDPIPE_FAULT_SEED;
  return override ? Number(override) >>> 0 : fixed;
}

export function seeded(seed: number): Seeded {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => {
    if (!(hi > lo)) throw new Error(`empty range [${lo}, ${hi})`);
    return lo + Math.floor(next() * (hi - lo));
  };
  return {
    seed,
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length)],
    label: `seed 0x${(seed >>> 0).toString(16)}`,
  };
}
