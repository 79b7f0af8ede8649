/**
 * The one seeded random number generator every random choice in medpipe goes through
 * (splits, bootstraps, forests, SVM cross-validation, generators, GAN noise), so the same seed
 * gives byte-identical artifacts on every run and every machine.
 *
 * xoshiro128** (Blackman & Vigna) on 32-bit integers, seeded through splitmix32: fast in
 * JavaScript, no BigInt, and good statistical quality for simulation.
 */

export interface Rng {
  /** Uniform in [0, 1), 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller, one value cached). */
  normal(): number;
  /** Shuffles in place (Fisher–Yates) and returns the array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** An independent generator derived from this one's seed and a label (e.g. one per tree or per fold). */
  fork(label: number): Rng;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * The 32 bits a generator for `seed` starts from (non-integers and negatives folded), exported for
 * the forest's compiled tree grower, which forks per-tree generators from them itself.
 */
export function seedBase(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  return (Math.floor(Math.abs(seed)) ^ (seed < 0 ? 0x5bd1e995 : 0)) >>> 0;
}

/** A generator for `seed` (any finite number; non-integers and negatives are folded to 32 bits). */
export function createRng(seed: number): Rng {
  const base = seedBase(seed);
  const sm = splitmix32(base);
  // State [a, b, c, d] in a typed array: as closure variables, 32-bit values above 2^30 are boxed
  // as heap numbers, and every draw allocated four of them (12x slower; the GAN draws ~10^4 per step).
  const s = new Uint32Array([sm(), sm(), sm(), sm()]);
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  let spare: number | undefined;

  const nextU32 = (): number => {
    const b = s[1];
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = b << 9;
    s[2] ^= s[0];
    s[3] ^= b;
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };

  const rng: Rng = {
    next: () => nextU32() / 4294967296,
    int(n: number): number {
      if (!(n > 0)) throw new Error(`int(n) needs n > 0, got ${n}`);
      return Math.floor((nextU32() / 4294967296) * n);
    },
    normal(): number {
      if (spare !== undefined) {
        const v = spare;
        spare = undefined;
        return v;
      }
      let u = 0;
      while (u === 0) u = rng.next();
      const v = rng.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = arr[i];
        arr[i] = arr[j];
        arr[j] = tmp;
      }
      return arr;
    },
    fork(label: number): Rng {
      return createRng((Math.imul(base ^ 0x27d4eb2d, 31) + Math.imul(label >>> 0, 0x9e3779b1)) >>> 0);
    },
  };
  return rng;
}
