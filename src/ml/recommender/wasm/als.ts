/**
 * AssemblyScript: one ALS half-step (../als.ts `solveSide`: the normal equations of every row in a
 * range, accumulated four observations at a time, and their Cholesky solve) compiled ahead of time
 * to WebAssembly with f64x2 SIMD. Built by `npm run build:wasm` into als.wasm; loaded by
 * ../als-wasm.ts. Not part of the tsc build (i32/f64/v128 and load/store are AssemblyScript's).
 *
 * The memory is imported and shared: the sparse rows, both factor matrices and every worker's
 * scratch live in it at addresses the JavaScript side lays out, so worker threads solve their rows
 * in place with no copying; nothing is allocated here.
 *
 * Every floating-point operation is the TypeScript code's, in the same order, so the factors are
 * bit-identical to the TypeScript path (WebAssembly arithmetic is IEEE-754 without fused or
 * reassociated operations, as JavaScript's). The two lanes of a vector are two independent entries
 * of the TypeScript loops (two columns of the Gram matrix, two rows of b), never two terms of one
 * sum. Two reorderings that keep each entry's sequence of operations:
 * - the Cholesky factorisation is right-looking (after column j is known, subtract its outer
 *   product from the trailing matrix), which subtracts l_ik * l_jk from entry (i, j) for k = 0, 1,
 *   ... exactly as the left-looking loops of cholesky.ts do, but over contiguous rows;
 * - the forward substitution is fused into it column by column, with the same per-entry order.
 * Vector loops may run one lane past the lower triangle: those lanes land in the upper triangle,
 * padding or the spare row of the scratch and are never read as results.
 */

/** Bytes of scratch one solver (one thread) needs for k factors: see `layout`. */
export function scratchBytes(k: i32): i32 {
  const s = stride(k);
  return (((k + 2) * s) + (s + 2) + 4 * s) * 8;
}

/** Row stride of the scratch matrices: k + 1 rounded up to even, so vector rows stay whole. */
@inline function stride(k: i32): i32 {
  return (k + 2) & ~1;
}

@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
@inline function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}
@inline function vAt(base: usize, i: i32): v128 {
  return v128.load(base + (<usize>i << 3));
}
@inline function setV(base: usize, i: i32, v: v128): void {
  v128.store(base + (<usize>i << 3), v);
}

/**
 * Adds the rank-4 update of the four gathered rows G (stride s) with targets t0..t3 to A and b.
 * A is kept as its upper triangle (entry (a, e) of the TypeScript lower triangle at row e, column
 * a), so that columns of the Cholesky factor are contiguous below; g[a] * G[e] = G[e] * g[a]
 * exactly. `first` stores 0 + update instead of A + update: the same value as the TypeScript
 * code's A.fill(0) then +=, without clearing the matrix.
 */
@inline function accumulate(A: usize, b: usize, G: usize, s: i32, d: i32, t0: f64, t1: f64, t2: f64, t3: f64, first: bool): void {
  const G1 = G + (<usize>s << 3), G2 = G1 + (<usize>s << 3), G3 = G2 + (<usize>s << 3);
  const zero = f64x2.splat(0);
  const vt0 = f64x2.splat(t0), vt1 = f64x2.splat(t1), vt2 = f64x2.splat(t2), vt3 = f64x2.splat(t3);
  for (let e = 0; e < d; e += 2) {
    // Rows e and e + 1 together: each column pair of G is loaded once for both.
    const v0 = vAt(G, e), v1 = vAt(G1, e), v2 = vAt(G2, e), v3 = vAt(G3, e);
    const x0 = f64x2.splat(f64x2.extract_lane(v0, 0)), x1 = f64x2.splat(f64x2.extract_lane(v1, 0));
    const x2 = f64x2.splat(f64x2.extract_lane(v2, 0)), x3 = f64x2.splat(f64x2.extract_lane(v3, 0));
    const y0 = f64x2.splat(f64x2.extract_lane(v0, 1)), y1 = f64x2.splat(f64x2.extract_lane(v1, 1));
    const y2 = f64x2.splat(f64x2.extract_lane(v2, 1)), y3 = f64x2.splat(f64x2.extract_lane(v3, 1));
    const rowX = A + (<usize>(e * s) << 3), rowY = rowX + (<usize>s << 3);
    for (let a = e; a < d; a += 2) {
      const h0 = vAt(G, a), h1 = vAt(G1, a), h2 = vAt(G2, a), h3 = vAt(G3, a);
      const px = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(h0, x0), f64x2.mul(h1, x1)), f64x2.mul(h2, x2)), f64x2.mul(h3, x3));
      const py = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(h0, y0), f64x2.mul(h1, y1)), f64x2.mul(h2, y2)), f64x2.mul(h3, y3));
      setV(rowX, a, f64x2.add(first ? zero : vAt(rowX, a), px));
      setV(rowY, a, f64x2.add(first ? zero : vAt(rowY, a), py));
    }
    const pb = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(v0, vt0), f64x2.mul(v1, vt1)), f64x2.mul(v2, vt2)), f64x2.mul(v3, vt3));
    setV(b, e, f64x2.add(first ? zero : vAt(b, e), pb));
  }
}

/**
 * Pivot j of the factorisation: l_jj, row j of L^T (column j of L) divided by it, and the forward
 * substitution step of b[j]. False when the pivot is not positive.
 */
@inline function pivot(A: usize, b: usize, n: i32, s: i32, j: i32): bool {
  const rowJ = A + (<usize>(j * s) << 3);
  const dj = f64At(rowJ, j);
  if (!(dj > 0)) return false;
  const l = Math.sqrt(dj);
  setF64(rowJ, j, l);
  const vl = f64x2.splat(l);
  for (let i = j + 1; i < n; i += 2) setV(rowJ, i, f64x2.div(vAt(rowJ, i), vl));
  const bj = f64At(b, j) / l;
  setF64(b, j, bj);
  const vbj = f64x2.splat(bj);
  for (let i = j + 1; i < n; i += 2) setV(b, i, f64x2.sub(vAt(b, i), f64x2.mul(vAt(rowJ, i), vbj)));
  return true;
}

/**
 * Solves A x = b in place (A: n x n, its upper triangle, stride s; L^T ends there, b becomes x).
 * False when A is not positive definite. Right-looking, two pivots at a time: entry (e, i) gets
 * (a - l_je l_ji) - l_(j+1)e l_(j+1)i, the same subtractions in the same order as cholesky.ts.
 */
function choleskySolve(A: usize, b: usize, n: i32, s: i32): bool {
  for (let j = 0; j < n; j += 2) {
    if (!pivot(A, b, n, s, j)) return false;
    if (j + 1 == n) break;
    const rowJ = A + (<usize>(j * s) << 3), rowK = rowJ + (<usize>s << 3);
    // Step j on row j + 1 alone, then pivot j + 1.
    const c = f64x2.splat(f64At(rowJ, j + 1));
    for (let i = j; i < n; i += 2) setV(rowK, i, f64x2.sub(vAt(rowK, i), f64x2.mul(c, vAt(rowJ, i))));
    if (!pivot(A, b, n, s, j + 1)) return false;
    // Steps j and j + 1 on the trailing rows. Vectors start at an even column, so the lane left
    // of the diagonal writes into the unused lower triangle.
    for (let e = j + 2; e < n; e++) {
      const cj = f64x2.splat(f64At(rowJ, e)), ck = f64x2.splat(f64At(rowK, e));
      const rowE = A + (<usize>(e * s) << 3);
      for (let i = e & ~1; i < n; i += 2) {
        setV(rowE, i, f64x2.sub(f64x2.sub(vAt(rowE, i), f64x2.mul(cj, vAt(rowJ, i))), f64x2.mul(ck, vAt(rowK, i))));
      }
    }
  }
  // Backward: L^T x = y, in cholesky.ts's order.
  for (let i = n - 1; i >= 0; i--) {
    const rowI = A + (<usize>(i * s) << 3);
    let sum = f64At(b, i);
    for (let k = i + 1; k < n; k++) sum -= f64At(rowI, k) * f64At(b, k);
    setF64(b, i, sum / f64At(rowI, i));
  }
  return true;
}

/**
 * For rows [from, to) of the sparse rows (ptr: i32[], index: i32[], value: f64[]), solves
 * [X[row], xBias[row]] with Y and yBias fixed, as ../als.ts `solveSide`. Returns -1, or the first
 * row whose system is not positive definite (rows before it are solved).
 */
export function solveSide(ptr: usize, index: usize, value: usize, from: i32, to: i32, X: usize, xBias: usize, Y: usize, yBias: usize, mean: f64, k: i32, lambda: f64, scratch: usize): i32 {
  const d = k + 1, s = stride(k);
  const A = scratch;
  const b = A + (<usize>((k + 2) * s) << 3); // d + 1 rows: the spare row takes the overhanging lanes
  const G = b + (<usize>(s + 2) << 3);
  const rowBytes = <usize>k << 3;
  for (let r = from; r < to; r++) {
    const start = load<i32>(ptr + (<usize>r << 2)), end = load<i32>(ptr + (<usize>(r + 1) << 2));
    const count = end - start;
    const xr = X + (<usize>(r * k) << 3);
    if (count == 0) {
      memory.fill(xr, 0, rowBytes);
      setF64(xBias, r, 0);
      continue;
    }
    for (let p = start; p < end; p += 4) {
      const m = min(4, end - p);
      let t0: f64 = 0, t1: f64 = 0, t2: f64 = 0, t3: f64 = 0;
      for (let q = 0; q < 4; q++) {
        const g = G + (<usize>(q * s) << 3);
        let t: f64 = 0;
        if (q < m) {
          const c = load<i32>(index + (<usize>(p + q) << 2));
          memory.copy(g, Y + (<usize>(c * k) << 3), rowBytes);
          setF64(g, k, 1);
          t = f64At(value, p + q) - mean - f64At(yBias, c);
        } else {
          memory.fill(g, 0, <usize>d << 3); // padding rows contribute nothing
        }
        if (q == 0) t0 = t;
        else if (q == 1) t1 = t;
        else if (q == 2) t2 = t;
        else t3 = t;
      }
      if (p == start) accumulate(A, b, G, s, d, t0, t1, t2, t3, true);
      else accumulate(A, b, G, s, d, t0, t1, t2, t3, false);
    }
    const reg = lambda * <f64>count;
    for (let a = 0; a < d; a++) {
      const at = A + (<usize>(a * s + a) << 3);
      store<f64>(at, load<f64>(at) + reg);
    }
    if (!choleskySolve(A, b, d, s)) return r;
    memory.copy(xr, b, rowBytes);
    setF64(xBias, r, f64At(b, k));
  }
  return -1;
}
