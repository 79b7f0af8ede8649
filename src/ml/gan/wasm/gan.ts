/**
 * AssemblyScript: one whole GAN training step (critic update or generator update: forward passes,
 * the written-out backprop, WGAN-GP's double-backprop penalty gradient, PacGAN packing, the
 * condition one-hot, sigmoid outputs for binary columns, Adam) in one call, with f32 SIMD matrix
 * products. Why: the networks train.gan fits are tiny (64-wide layers, batches of 64-128), so on
 * TensorFlow.js a step's time goes to dispatching ~150 (standard) to ~550 (WGAN-GP) kernels of a
 * few microseconds each, not to arithmetic; here a step is one call from JavaScript.
 *
 * The same mathematics as ../train.ts and ../backprop.ts on tfjs, in float32, operation for
 * operation (sums may run in another order, so results agree to float32 rounding, not bit for bit).
 *
 * Built by `npm run build:wasm` into dist/src/ml/gan/gan-kernels.wasm; loaded by
 * ../kernel-engine.ts. Not part of the tsc build (its types and load/store are AssemblyScript's).
 *
 * Memory: the JavaScript side writes a configuration block of f64 slots (CFG_* below, mirrored in
 * kernel-engine.ts) with the network sizes and the addresses of the parameters, Adam moments and
 * batch buffers it laid out; `configure` lays out this module's scratch buffers after them,
 * growing memory as needed (so the caller makes its views of memory after calling it).
 */

// --- configuration block (f64 slots), mirrored in kernel-engine.ts ---
const CFG_D = 0, CFG_NNUM = 1, CFG_K = 2, CFG_NZ = 3, CFG_B = 4, CFG_PAC = 5, CFG_WGAN = 6, CFG_GPW = 7;
const CFG_OMB1 = 8, CFG_OMB2 = 9, CFG_EPS = 10, CFG_LG = 11, CFG_LD = 12, CFG_SIZES_G = 13, CFG_SIZES_D = 14;
const CFG_PG = 15, CFG_PD = 16, CFG_GG = 17, CFG_GD = 18, CFG_MG = 19, CFG_VG = 20, CFG_MD = 21, CFG_VD = 22;
const CFG_XD = 23, CFG_NOISE = 24, CFG_COND = 25, CFG_EPSBUF = 26, CFG_SCRATCH = 27;
// Results written back (losses of the last step asked for them).
const OUT_LOSS_D = 28, OUT_WASS = 29, OUT_GP = 30, OUT_LOSS_G = 31;

let cfg: usize = 0;
let d: i32 = 0, nNum: i32 = 0, k: i32 = 0, nz: i32 = 0, B: i32 = 0, pac: i32 = 0, P: i32 = 0;
let wgan = false;
let gpw: f32 = 0, omb1: f32 = 0, omb2: f32 = 0, adamEps: f32 = 0;
let LG: i32 = 0, LD: i32 = 0;
let sizesG: usize = 0, sizesD: usize = 0;
let pG: usize = 0, pD: usize = 0, gG: usize = 0, gD: usize = 0, mG: usize = 0, vG: usize = 0, mD: usize = 0, vD: usize = 0;
let xD: usize = 0, noise: usize = 0, cond: usize = 0, epsBuf: usize = 0;
let nParamG: i32 = 0, nParamD: i32 = 0;
// Scratch, laid out by configure: per-layer activation buffers (address arrays), transposed weights, gradient ping-pong buffers.
let actsG: usize = 0, actsD: usize = 0, offG: usize = 0, offD: usize = 0, wt: usize = 0, gpG: usize = 0;
let dyA: usize = 0, dyB: usize = 0, dScore: usize = 0, gx: usize = 0, dPre: usize = 0;

@inline function cfgF(slot: i32): f64 {
  return load<f64>(cfg + (<usize>slot << 3));
}
@inline function cfgI(slot: i32): i32 {
  return <i32>cfgF(slot);
}
@inline function cfgP(slot: i32): usize {
  return <usize>cfgF(slot);
}
@inline function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
@inline function ptrAt(base: usize, i: i32): usize {
  return <usize>load<u32>(base + (<usize>i << 2));
}
@inline function f32At(base: usize, i: i32): f32 {
  return load<f32>(base + (<usize>i << 2));
}
@inline function setF32(base: usize, i: i32, v: f32): void {
  store<f32>(base + (<usize>i << 2), v);
}

/** Where the JavaScript side may start laying out its data (after this module's own data). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

let top: usize = 0;
function take(floats: i32): usize {
  const a = top;
  const next = <u64>top + ((<u64>floats * 4 + 15) & ~(<u64>15));
  // Beyond 4 GB the 32-bit addresses would wrap: stop (the caller reports a network too large for the kernels).
  if (next > 0xffff0000) unreachable();
  top = <usize>next;
  // configure writes into what it lays out (the per-layer address arrays): grow as it goes.
  const pages = <i32>((<u64>top + 0xffff) >> 16) - memory.size();
  if (pages > 0 && memory.grow(pages) < 0) unreachable();
  return a;
}

/** Reads the configuration block at `at`, lays out the scratch buffers; grows memory to hold them; returns their end. */
export function configure(at: usize): usize {
  cfg = at;
  d = cfgI(CFG_D);
  nNum = cfgI(CFG_NNUM);
  k = cfgI(CFG_K);
  nz = cfgI(CFG_NZ);
  B = cfgI(CFG_B);
  pac = cfgI(CFG_PAC);
  P = B / pac;
  wgan = cfgI(CFG_WGAN) != 0;
  gpw = <f32>cfgF(CFG_GPW);
  omb1 = <f32>cfgF(CFG_OMB1);
  omb2 = <f32>cfgF(CFG_OMB2);
  adamEps = <f32>cfgF(CFG_EPS);
  LG = cfgI(CFG_LG);
  LD = cfgI(CFG_LD);
  sizesG = cfgP(CFG_SIZES_G);
  sizesD = cfgP(CFG_SIZES_D);
  pG = cfgP(CFG_PG);
  pD = cfgP(CFG_PD);
  gG = cfgP(CFG_GG);
  gD = cfgP(CFG_GD);
  mG = cfgP(CFG_MG);
  vG = cfgP(CFG_VG);
  mD = cfgP(CFG_MD);
  vD = cfgP(CFG_VD);
  xD = cfgP(CFG_XD);
  noise = cfgP(CFG_NOISE);
  cond = cfgP(CFG_COND);
  epsBuf = cfgP(CFG_EPSBUF);
  top = cfgP(CFG_SCRATCH);

  const rowsD = wgan ? 3 * P : 2 * P;
  actsG = take(LG);
  actsD = take(LD);
  offG = take(LG);
  offD = take(LD);
  nParamG = layout(LG, sizesG, offG, actsG, B);
  nParamD = layout(LD, sizesD, offD, actsD, rowsD);
  let maxW = 0;
  let maxT = 0;
  for (let l = 0; l <= LG; l++) maxW = max<i32>(maxW, i32At(sizesG, l));
  for (let l = 0; l <= LD; l++) maxW = max<i32>(maxW, i32At(sizesD, l));
  for (let l = 0; l < LG; l++) maxT = max<i32>(maxT, i32At(sizesG, l) * i32At(sizesG, l + 1));
  for (let l = 0; l < LD; l++) maxT = max<i32>(maxT, i32At(sizesD, l) * i32At(sizesD, l + 1));
  const maxRows = max<i32>(rowsD, B);
  dyA = take(maxRows * maxW);
  dyB = take(maxRows * maxW);
  wt = take(maxT);
  dScore = take(rowsD);
  dPre = take(B * d);
  // Penalty: the input gradient's chain g_l (one [P x width] buffer per hidden layer) and gx / dGx.
  gpG = take(LD);
  for (let l = 0; l < LD - 1; l++) store<u32>(gpG + (<usize>l << 2), <u32>take(P * i32At(sizesD, l + 1)));
  gx = take(P * i32At(sizesD, 0));
  return top;
}

/** Parameter offsets (in floats) of each layer's weights, and activation buffers for `rows` rows; returns the parameter count. */
function layout(L: i32, sizes: usize, offs: usize, acts: usize, rows: i32): i32 {
  let o = 0;
  for (let l = 0; l < L; l++) {
    store<i32>(offs + (<usize>l << 2), o);
    const nin = i32At(sizes, l);
    const nout = i32At(sizes, l + 1);
    o += nin * nout + nout;
    store<u32>(acts + (<usize>l << 2), <u32>take(rows * nout));
  }
  return o;
}

// ======================= kernels =======================

@inline function epilogue(v: v128, bias: v128, relu: bool): v128 {
  const r = f32x4.add(v, bias);
  return relu ? f32x4.max(r, f32x4.splat(0)) : r;
}

/**
 * C[M x N] (row stride ldc) = (accumulate ? C : 0) + A · B (+ bias row) (then ReLU when asked).
 * A's element (i, k) is at a + 4 (i sai + k sak), so a transposed A costs nothing; B is row-major
 * [K x N] with row stride ldb. Blocks of 4 rows x 8 columns keep 8 vector accumulators in registers.
 */
function gemm(M: i32, N: i32, K: i32, a: usize, sai: i32, sak: i32, b: usize, ldb: i32, c: usize, ldc: i32, bias: usize, relu: bool, acc: bool): void {
  const zero = f32x4.splat(0);
  const sa = <usize>sai << 2;
  const sk = <usize>sak << 2;
  const lb = <usize>ldb << 2;
  const lc = <usize>ldc << 2;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const ai = a + <usize>i * sa;
    const ci = c + <usize>i * lc;
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      const cj = ci + (<usize>j << 2);
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      if (acc) {
        c00 = v128.load(cj);
        c01 = v128.load(cj, 16);
        c10 = v128.load(cj + lc);
        c11 = v128.load(cj + lc, 16);
        c20 = v128.load(cj + 2 * lc);
        c21 = v128.load(cj + 2 * lc, 16);
        c30 = v128.load(cj + 3 * lc);
        c31 = v128.load(cj + 3 * lc, 16);
      }
      let ap = ai;
      let bp = b + (<usize>j << 2);
      for (let kk = 0; kk < K; kk++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const a0 = f32x4.splat(load<f32>(ap));
        const a1 = f32x4.splat(load<f32>(ap + sa));
        const a2 = f32x4.splat(load<f32>(ap + 2 * sa));
        const a3 = f32x4.splat(load<f32>(ap + 3 * sa));
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
        ap += sk;
        bp += lb;
      }
      let bv0 = zero, bv1 = zero;
      if (bias) {
        bv0 = v128.load(bias + (<usize>j << 2));
        bv1 = v128.load(bias + (<usize>j << 2), 16);
      }
      v128.store(cj, epilogue(c00, bv0, relu));
      v128.store(cj, epilogue(c01, bv1, relu), 16);
      v128.store(cj + lc, epilogue(c10, bv0, relu));
      v128.store(cj + lc, epilogue(c11, bv1, relu), 16);
      v128.store(cj + 2 * lc, epilogue(c20, bv0, relu));
      v128.store(cj + 2 * lc, epilogue(c21, bv1, relu), 16);
      v128.store(cj + 3 * lc, epilogue(c30, bv0, relu));
      v128.store(cj + 3 * lc, epilogue(c31, bv1, relu), 16);
    }
    for (; j + 4 <= N; j += 4) {
      const cj = ci + (<usize>j << 2);
      let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
      if (acc) {
        c0 = v128.load(cj);
        c1 = v128.load(cj + lc);
        c2 = v128.load(cj + 2 * lc);
        c3 = v128.load(cj + 3 * lc);
      }
      let ap = ai;
      let bp = b + (<usize>j << 2);
      for (let kk = 0; kk < K; kk++) {
        const b0 = v128.load(bp);
        c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(ap)), b0));
        c1 = f32x4.add(c1, f32x4.mul(f32x4.splat(load<f32>(ap + sa)), b0));
        c2 = f32x4.add(c2, f32x4.mul(f32x4.splat(load<f32>(ap + 2 * sa)), b0));
        c3 = f32x4.add(c3, f32x4.mul(f32x4.splat(load<f32>(ap + 3 * sa)), b0));
        ap += sk;
        bp += lb;
      }
      const bv = bias ? v128.load(bias + (<usize>j << 2)) : zero;
      v128.store(cj, epilogue(c0, bv, relu));
      v128.store(cj + lc, epilogue(c1, bv, relu));
      v128.store(cj + 2 * lc, epilogue(c2, bv, relu));
      v128.store(cj + 3 * lc, epilogue(c3, bv, relu));
    }
    for (; j < N; j++) {
      for (let r = 0; r < 4; r++) gemmScalar(i + r, j, K, a, sa, sk, b, lb, c, lc, bias, relu, acc);
    }
  }
  for (; i < M; i++) {
    const ai = a + <usize>i * sa;
    const ci = c + <usize>i * lc;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const cj = ci + (<usize>j << 2);
      let c0 = acc ? v128.load(cj) : zero;
      let ap = ai;
      let bp = b + (<usize>j << 2);
      for (let kk = 0; kk < K; kk++) {
        c0 = f32x4.add(c0, f32x4.mul(f32x4.splat(load<f32>(ap)), v128.load(bp)));
        ap += sk;
        bp += lb;
      }
      v128.store(cj, epilogue(c0, bias ? v128.load(bias + (<usize>j << 2)) : zero, relu));
    }
    for (; j < N; j++) gemmScalar(i, j, K, a, sa, sk, b, lb, c, lc, bias, relu, acc);
  }
}

function gemmScalar(i: i32, j: i32, K: i32, a: usize, sa: usize, sk: usize, b: usize, lb: usize, c: usize, lc: usize, bias: usize, relu: bool, acc: bool): void {
  const cp = c + <usize>i * lc + (<usize>j << 2);
  let s: f32 = acc ? load<f32>(cp) : 0;
  let ap = a + <usize>i * sa;
  let bp = b + (<usize>j << 2);
  for (let kk = 0; kk < K; kk++) {
    s += load<f32>(ap) * load<f32>(bp);
    ap += sk;
    bp += lb;
  }
  if (bias) s += load<f32>(bias + (<usize>j << 2));
  if (relu && s < 0) s = 0;
  store<f32>(cp, s);
}

/** Wᵀ [nout x nin] of a row-major [nin x nout] W, into `out`. */
function transpose(w: usize, nin: i32, nout: i32, out: usize): void {
  for (let i = 0; i < nin; i++) for (let j = 0; j < nout; j++) setF32(out, j * nin + i, f32At(w, i * nout + j));
}

/** x[r, :] = x[r, :] where h[r, :] > 0, else 0: the ReLU's derivative (tfjs step(h)). n values. */
function reluMask(x: usize, h: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, v128.and(v128.load(x + o), f32x4.gt(v128.load(h + o), zero)));
  }
  for (; i < n; i++) if (!(f32At(h, i) > 0)) setF32(x, i, 0);
}

/** out[j] (+)= Σ_r x[r, j], x [rows x n]. */
function colSum(x: usize, rows: i32, n: i32, out: usize, acc: bool): void {
  for (let j = 0; j < n; j++) {
    let s: f32 = acc ? f32At(out, j) : 0;
    for (let r = 0; r < rows; r++) s += f32At(x, r * n + j);
    setF32(out, j, s);
  }
}

@inline function sigmoid(x: f32): f32 {
  return 1 / (1 + Mathf.exp(-x));
}

@inline function softplus(x: f32): f32 {
  return x > 0 ? x + Mathf.log1p(Mathf.exp(-x)) : Mathf.log1p(Mathf.exp(x));
}

// ======================= networks =======================

/** Forward pass of rows x (row stride sizes[0]): hidden layers ReLU, output linear; activations into acts. */
function forward(L: i32, sizes: usize, params: usize, offs: usize, acts: usize, x: usize, rows: i32): void {
  let h = x;
  for (let l = 0; l < L; l++) {
    const nin = i32At(sizes, l);
    const nout = i32At(sizes, l + 1);
    const w = params + (<usize>i32At(offs, l) << 2);
    const out = ptrAt(acts, l);
    gemm(rows, nout, nin, h, nin, 1, w, nout, out, nout, w + (<usize>(nin * nout) << 2), l < L - 1, false);
    h = out;
  }
}

/**
 * Backprop of Σ dOut ⊙ out over `rows` rows (dOut [rows x sizes[L]]): parameter gradients into
 * grads (when `params`) and the input gradient, returned (when `wantInput`; in dyA or dyB).
 */
function backward(L: i32, sizes: usize, params: usize, offs: usize, acts: usize, x: usize, rows: i32, dOut: usize, grads: usize, wantParams: bool, wantInput: bool): usize {
  let dy = dOut;
  for (let l = L - 1; l >= 0; l--) {
    const nin = i32At(sizes, l);
    const nout = i32At(sizes, l + 1);
    const input = l == 0 ? x : ptrAt(acts, l - 1);
    const w = params + (<usize>i32At(offs, l) << 2);
    if (wantParams) {
      const gw = grads + (<usize>i32At(offs, l) << 2);
      // dW = inputᵀ · dy, db = Σ_rows dy
      gemm(nin, nout, rows, input, 1, nin, dy, nout, gw, nout, 0, false, false);
      colSum(dy, rows, nout, gw + (<usize>(nin * nout) << 2), false);
    }
    if (l > 0 || wantInput) {
      transpose(w, nin, nout, wt);
      const next = dy == dyA ? dyB : dyA;
      gemm(rows, nin, nout, dy, nout, 1, wt, nin, next, nin, 0, false, false);
      if (l > 0) reluMask(next, ptrAt(acts, l - 1), rows * nin);
      dy = next;
    }
  }
  return dy;
}

/**
 * WGAN-GP's penalty Σ_r c (‖∂out_r/∂x_r‖ − 1)² over the P interpolated rows (rows 2P.. of the
 * critic's forward pass), its gradient with respect to the weight matrices added to gD (biases
 * get none: the ReLU masks are locally constant); returns the penalty's sum. The same double
 * backprop as backprop.ts's gradientPenalty.
 */
/** Hidden activation l of the critic's interpolated rows (rows 2P.. of its forward pass). */
function hAt(l: i32): usize {
  return ptrAt(actsD, l) + (<usize>(2 * P * i32At(sizesD, l + 1)) << 2);
}

function gradientPenalty(): f32 {
  const L = LD;
  const in0 = i32At(sizesD, 0);
  const c: f32 = gpw / <f32>P;
  const twoC: f32 = 2 * c;
  const H = i32At(sizesD, L - 1);
  const lastW = pD + (<usize>i32At(offD, L - 1) << 2);
  // g_{L-2} = m_{L-2} ⊙ W_{L-1}ᵀ
  const gLast = ptrAt(gpG, L - 2);
  const hLast = hAt(L - 2);
  for (let r = 0; r < P; r++) for (let j = 0; j < H; j++) setF32(gLast, r * H + j, f32At(hLast, r * H + j) > 0 ? f32At(lastW, j) : 0);
  // g_{l-1} = (g_l · W_lᵀ) ⊙ m_{l-1}
  for (let l = L - 2; l >= 1; l--) {
    const nin = i32At(sizesD, l);
    const nout = i32At(sizesD, l + 1);
    transpose(pD + (<usize>i32At(offD, l) << 2), nin, nout, wt);
    const gl = ptrAt(gpG, l - 1);
    gemm(P, nin, nout, ptrAt(gpG, l), nout, 1, wt, nin, gl, nin, 0, false, false);
    reluMask(gl, hAt(l - 1), P * nin);
  }
  const h0 = i32At(sizesD, 1);
  const w0 = pD + (<usize>i32At(offD, 0) << 2);
  transpose(w0, in0, h0, wt);
  const g0 = ptrAt(gpG, 0);
  gemm(P, in0, h0, g0, h0, 1, wt, in0, gx, in0, 0, false, false);
  // With a condition, only the data columns of each packed block count in the norm.
  if (k) for (let r = 0; r < P; r++) for (let j = 0; j < in0; j++) if (j % (d + k) >= d) setF32(gx, r * in0 + j, 0);
  let total: f32 = 0;
  for (let r = 0; r < P; r++) {
    let ss: f32 = 0;
    for (let j = 0; j < in0; j++) {
      const v = f32At(gx, r * in0 + j);
      ss += v * v;
    }
    const norm = Mathf.sqrt(ss + <f32>1e-12);
    const excess = norm - 1;
    total += excess * excess * c;
    // d/d gx of c (‖gx‖ − 1)² = 2c (‖gx‖ − 1) gx / ‖gx‖
    const f = (excess * twoC) / norm;
    for (let j = 0; j < in0; j++) setF32(gx, r * in0 + j, f32At(gx, r * in0 + j) * f);
  }
  // Weight gradients, in reverse through the products above: wG_0 = dGxᵀ · g_0, dg = dGx · W_0.
  gemm(in0, h0, P, gx, 1, in0, g0, h0, gD + (<usize>i32At(offD, 0) << 2), h0, 0, false, true);
  let dg = dyA;
  gemm(P, h0, in0, gx, in0, 1, w0, h0, dg, h0, 0, false, false);
  for (let l = 1; l <= L - 2; l++) {
    const nin = i32At(sizesD, l);
    const nout = i32At(sizesD, l + 1);
    reluMask(dg, hAt(l - 1), P * nin);
    gemm(nin, nout, P, dg, 1, nin, ptrAt(gpG, l), nout, gD + (<usize>i32At(offD, l) << 2), nout, 0, false, true);
    const next = dg == dyA ? dyB : dyA;
    gemm(P, nout, nin, dg, nin, 1, pD + (<usize>i32At(offD, l) << 2), nout, next, nout, 0, false, false);
    dg = next;
  }
  reluMask(dg, hLast, P * H);
  colSum(dg, P, H, gD + (<usize>i32At(offD, L - 1) << 2), true);
  return total;
}

function adam(p: usize, g: usize, m: usize, v: usize, n: i32, stepSize: f32): void {
  const b1 = f32x4.splat(omb1);
  const b2 = f32x4.splat(omb2);
  const e = f32x4.splat(adamEps);
  const s = f32x4.splat(stepSize);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    let mi = v128.load(m + o);
    let vi = v128.load(v + o);
    mi = f32x4.add(mi, f32x4.mul(f32x4.sub(gi, mi), b1));
    vi = f32x4.add(vi, f32x4.mul(f32x4.sub(f32x4.mul(gi, gi), vi), b2));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.mul(f32x4.div(mi, f32x4.add(f32x4.sqrt(vi), e)), s)));
  }
  for (; i < n; i++) {
    const gi = f32At(g, i);
    const mi = f32At(m, i) + (gi - f32At(m, i)) * omb1;
    const vi = f32At(v, i) + (gi * gi - f32At(v, i)) * omb2;
    setF32(m, i, mi);
    setF32(v, i, vi);
    setF32(p, i, f32At(p, i) - (mi / (Mathf.sqrt(vi) + adamEps)) * stepSize);
  }
}

/** The generator's output rows as the critic sees them, into segment 1 of xD: linear numeric columns, sigmoid binary ones, the condition one-hot after them. */
function fakeRows(): usize {
  const w = d + k;
  const fake = xD + (<usize>(B * w) << 2);
  const pre = ptrAt(actsG, LG - 1);
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < d; j++) {
      const v = f32At(pre, r * d + j);
      setF32(fake, r * w + j, j < nNum ? v : sigmoid(v));
    }
    for (let j = 0; j < k; j++) setF32(fake, r * w + d + j, f32At(cond, r * k + j));
  }
  return fake;
}

/**
 * One critic update: the generator's fake rows from the noise buffer, the critic's forward pass
 * over [real; fake; interpolated (WGAN-GP)] packed rows, the loss's gradient (and the penalty's),
 * Adam. Writes the losses to the configuration block when `wantLoss`.
 */
export function criticStep(stepSize: f64, wantLoss: bool): void {
  forward(LG, sizesG, pG, offG, actsG, noise, B);
  const fake = fakeRows();
  const w = d + k;
  if (wgan) {
    // Interpolation between real and fake rows; the condition columns are equal in both, so they stay one-hot.
    const inter = xD + (<usize>(2 * B * w) << 2);
    for (let r = 0; r < B; r++) {
      const e = f32At(epsBuf, r);
      for (let j = 0; j < w; j++) {
        const f = f32At(fake, r * w + j);
        setF32(inter, r * w + j, f + (f32At(xD, r * w + j) - f) * e);
      }
    }
  }
  forward(LD, sizesD, pD, offD, actsD, xD, wgan ? 3 * P : 2 * P);
  const score = ptrAt(actsD, LD - 1);
  const invP: f32 = <f32>(1.0 / <f64>P);
  let loss: f32 = 0;
  for (let r = 0; r < 2 * P; r++) {
    const s: f32 = r < P ? -1 : 1;
    // wDiff / P as train.ts rounds it: float32 of s / P.
    const sOverP: f32 = <f32>(<f64>s / <f64>P);
    const x = f32At(score, r);
    if (wgan) {
      setF32(dScore, r, sOverP);
      loss += x * sOverP;
    } else {
      // d/d score of (1/P) Σ softplus(s · score) is s · sigmoid(s · score) / P.
      const signed = x * s;
      setF32(dScore, r, sigmoid(signed) * sOverP);
      loss += softplus(signed);
    }
  }
  backward(LD, sizesD, pD, offD, actsD, xD, 2 * P, dScore, gD, true, false);
  if (wgan) {
    const gp = gradientPenalty();
    if (wantLoss) {
      store<f64>(cfg + (<usize>OUT_WASS << 3), <f64>loss);
      store<f64>(cfg + (<usize>OUT_GP << 3), <f64>gp);
      store<f64>(cfg + (<usize>OUT_LOSS_D << 3), <f64>(loss + gp));
    }
  } else if (wantLoss) store<f64>(cfg + (<usize>OUT_LOSS_D << 3), <f64>(loss * invP));
  adam(pD, gD, mD, vD, nParamD, <f32>stepSize);
}

/** One generator update: its forward pass, the critic's on the packed fake rows, backprop through both, Adam on the generator. */
export function generatorStep(stepSize: f64, wantLoss: bool): void {
  forward(LG, sizesG, pG, offG, actsG, noise, B);
  const fake = fakeRows();
  forward(LD, sizesD, pD, offD, actsD, fake, P);
  const score = ptrAt(actsD, LD - 1);
  const invP: f32 = <f32>(1.0 / <f64>P);
  const negInvP: f32 = <f32>(-1.0 / <f64>P);
  let loss: f32 = 0;
  for (let r = 0; r < P; r++) {
    const x = f32At(score, r);
    if (wgan) {
      // loss = -mean(score)
      setF32(dScore, r, negInvP);
      loss += x * negInvP;
    } else {
      // loss = mean softplus(-score), d/d score = -sigmoid(-score) / P
      setF32(dScore, r, sigmoid(-x) * negInvP);
      loss += softplus(-x);
    }
  }
  const dX = backward(LD, sizesD, pD, offD, actsD, fake, P, dScore, gD, false, true);
  // dX is [B x (d + k)] unpacked; the generator's output gets its first d columns, through the sigmoid's derivative for binary ones.
  const w = d + k;
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < d; j++) {
      const g = f32At(dX, r * w + j);
      if (j < nNum) setF32(dPre, r * d + j, g);
      else {
        const s = f32At(fake, r * w + j);
        setF32(dPre, r * d + j, g * (s * (1 - s)));
      }
    }
  }
  backward(LG, sizesG, pG, offG, actsG, noise, B, dPre, gG, true, false);
  if (wantLoss) store<f64>(cfg + (<usize>OUT_LOSS_G << 3), <f64>(wgan ? loss : loss * invP));
  adam(pG, gG, mG, vG, nParamG, <f32>stepSize);
}
