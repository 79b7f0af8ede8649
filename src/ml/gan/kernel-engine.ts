/**
 * The GAN engine on medpipe's own compiled WebAssembly (source wasm/gan.ts, built by
 * `npm run build:wasm` into gan-kernels.wasm next to this file): each critic or generator update
 * is ONE call into the module, which runs the forward passes, the backprop, the gradient penalty
 * and Adam with f32 SIMD matrix products in its linear memory. On train.gan's small networks a
 * tfjs update is 150-550 kernel dispatches of a few microseconds each; this removes them.
 *
 * The batch buffers the training loop fills are views into the module's memory, so a batch is
 * never copied. Parameters and Adam moments live there too, in mlp.ts's flat layout, and are
 * copied out only for checkpoints and the result.
 *
 * The module is always built with medpipe; when it is missing (a broken build) this throws,
 * saying how to rebuild, rather than falling back to another engine whose numbers differ.
 */
import { compiledWasmFile } from '../wasm-file.js';
import { growMemoryTo, linearRegions } from '../wasm-memory.js';
import type { AdamState } from './adam.js';
import type { GanBatchBuffers, GanEngine, GanEngineState, GanLosses } from './engine.js';
import type { MlpShape } from './mlp.js';
import type { GanTrainConfig } from './train.js';

// Configuration block slots (f64), mirrored in wasm/gan.ts.
const CFG = {
  d: 0,
  nNum: 1,
  k: 2,
  nz: 3,
  B: 4,
  pac: 5,
  wgan: 6,
  gpWeight: 7,
  oneMinusBeta1: 8,
  oneMinusBeta2: 9,
  epsilon: 10,
  layersG: 11,
  layersD: 12,
  sizesG: 13,
  sizesD: 14,
  paramsG: 15,
  paramsD: 16,
  gradG: 17,
  gradD: 18,
  mG: 19,
  vG: 20,
  mD: 21,
  vD: 22,
  xD: 23,
  noise: 24,
  cond: 25,
  eps: 26,
  scratch: 27,
  lossD: 28,
  wasserstein: 29,
  gradientPenalty: 30,
  lossG: 31,
} as const;
const CFG_SLOTS = 32;

interface GanKernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  configure(cfg: number): number;
  criticStep(stepSize: number, wantLoss: number): void;
  generatorStep(stepSize: number, wantLoss: number): void;
}

export const GAN_KERNELS_FILE = 'gan-kernels.wasm';
/** The compiled module (cached per file); throws saying how to rebuild when it is missing or cannot be compiled. */
export function ganKernelsModule(url: URL = new URL(`./${GAN_KERNELS_FILE}`, import.meta.url)): WebAssembly.Module {
  return compiledWasmFile(url, {
    unreadable: (path, code) =>
      `the GAN kernels module ${path} could not be read (${code}): run \`npm run build\` (its build:wasm part compiles src/ml/gan/wasm/gan.ts), or choose a TensorFlow.js backend (backend: wasm)`,
    invalid: (path, why) =>
      `the GAN kernels module ${path} does not compile here (${why}): WebAssembly SIMD is required; choose a TensorFlow.js backend (backend: wasm or cpu)`,
  });
}

export function createKernelEngine(
  config: GanTrainConfig,
  shapes: { generator: MlpShape; critic: MlpShape },
  init: Pick<GanEngineState, 'generator' | 'critic'> & { adam?: GanEngineState['adam'] },
  moduleUrl?: URL,
): GanEngine {
  const { dataDim: d, condDim: k, noiseDim: nz, batchSize: B } = config;
  const wgan = config.loss === 'wgan-gp';
  const exports = new WebAssembly.Instance(ganKernelsModule(moduleUrl), {}).exports as unknown as GanKernelExports;
  const memory = exports.memory;
  const nG = init.generator.length;
  const nD = init.critic.length;
  const LG = shapes.generator.sizes.length - 1;
  const LD = shapes.critic.sizes.length - 1;

  // The kernels read float32 arrays with SIMD: regions on 16-byte boundaries, sized in floats.
  const mem = linearRegions(exports.heapBase(), 16);
  const floats = (n: number): number => mem.take(n * 4);
  const cfgAt = floats(CFG_SLOTS * 2);
  const at = {
    sizesG: floats(LG + 1),
    sizesD: floats(LD + 1),
    paramsG: floats(nG),
    paramsD: floats(nD),
    gradG: floats(nG),
    gradD: floats(nD),
    mG: floats(nG),
    vG: floats(nG),
    mD: floats(nD),
    vD: floats(nD),
    // The critic's stacked input [real; fake; interpolated]: the loop writes the real rows straight into its first segment.
    xD: floats((wgan ? 3 : 2) * B * (d + k)),
    noise: floats(B * (nz + k)),
    cond: floats(Math.max(1, B * k)),
    eps: floats(B),
  };
  const tooLarge = (e: unknown): Error =>
    new Error(
      `the GAN (batch ${B}, layers ${shapes.generator.sizes.join('-')} and ${shapes.critic.sizes.join('-')}) needs more than the kernels' 4 GB of WebAssembly memory (${(e as Error).message}): use a smaller batch or network, or backend: wasm`,
    );
  try {
    growMemoryTo(memory, mem.end);
  } catch (e) {
    throw tooLarge(e);
  }
  const cfg = new Float64Array(memory.buffer, cfgAt, CFG_SLOTS);
  const values: Record<keyof typeof CFG, number> = {
    d,
    nNum: config.numericColumns,
    k,
    nz,
    B,
    pac: config.pac ?? 1,
    wgan: wgan ? 1 : 0,
    gpWeight: config.gpWeight,
    // As tfjs rounds them: float32 scalars of the float64 values.
    oneMinusBeta1: 1 - config.beta1,
    oneMinusBeta2: 1 - config.beta2,
    epsilon: 1e-8,
    layersG: LG,
    layersD: LD,
    ...at,
    scratch: mem.end,
    lossD: NaN,
    wasserstein: NaN,
    gradientPenalty: NaN,
    lossG: NaN,
  };
  for (const [name, slot] of Object.entries(CFG)) cfg[slot] = values[name as keyof typeof CFG];
  new Int32Array(memory.buffer, at.sizesG, LG + 1).set(shapes.generator.sizes);
  new Int32Array(memory.buffer, at.sizesD, LD + 1).set(shapes.critic.sizes);
  try {
    exports.configure(cfgAt);
  } catch (e) {
    throw tooLarge(e);
  }

  // Views after configure, which grows memory for its scratch buffers (growing detaches earlier views).
  const f32 = (ptr: number, n: number) => new Float32Array(memory.buffer, ptr, n);
  const out = new Float64Array(memory.buffer, cfgAt, CFG_SLOTS);
  f32(at.paramsG, nG).set(init.generator);
  f32(at.paramsD, nD).set(init.critic);
  if (init.adam) {
    f32(at.mG, nG).set(init.adam.generator.m);
    f32(at.vG, nG).set(init.adam.generator.v);
    f32(at.mD, nD).set(init.adam.critic.m);
    f32(at.vD, nD).set(init.adam.critic.v);
  }
  // Updates applied so far per network (Adam's bias correction depends on it, so it is checkpointed).
  let tG = init.adam?.generator.t ?? 0;
  let tD = init.adam?.critic.t ?? 0;
  /** Bias corrections folded into the step size (Kingma & Ba, section 2), computed in float64 as adam.ts does. */
  const stepSize = (lr: number, t: number): number => (lr * Math.sqrt(1 - config.beta2 ** t)) / (1 - config.beta1 ** t);

  const buffers: GanBatchBuffers = {
    real: f32(at.xD, B * (d + k)),
    noise: f32(at.noise, B * (nz + k)),
    cond: f32(at.cond, B * k),
    eps: f32(at.eps, B),
  };
  let losses: GanLosses = { critic: NaN, generator: NaN };
  const adamState = (m: number, v: number, n: number, t: number): AdamState => ({ m: f32(m, n).slice(), v: f32(v, n).slice(), t });

  return {
    buffers,
    criticStep(wantLoss: boolean): void {
      tD += 1;
      exports.criticStep(stepSize(config.lrCritic, tD), wantLoss ? 1 : 0);
      if (wantLoss) {
        losses.critic = out[CFG.lossD];
        if (wgan) {
          losses.wasserstein = -out[CFG.wasserstein];
          losses.gradientPenalty = out[CFG.gradientPenalty];
        }
      }
    },
    generatorStep(wantLoss: boolean): void {
      tG += 1;
      exports.generatorStep(stepSize(config.lrGenerator, tG), wantLoss ? 1 : 0);
      if (wantLoss) losses.generator = out[CFG.lossG];
    },
    takeLosses(): GanLosses {
      const taken = losses;
      losses = { critic: NaN, generator: NaN };
      return taken;
    },
    state(): GanEngineState {
      return {
        generator: f32(at.paramsG, nG).slice(),
        critic: f32(at.paramsD, nD).slice(),
        adam: { generator: adamState(at.mG, at.vG, nG, tG), critic: adamState(at.mD, at.vD, nD, tD) },
      };
    },
    dispose(): void {},
  };
}
