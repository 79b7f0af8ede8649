/**
 * The one place that loads TensorFlow.js and picks its backend, so every tfjs user in medpipe
 * runs on the same backend and records which one it was.
 *
 * Order: the native `tensorflow` backend when `@tensorflow/tfjs-node` can be imported (an
 * optional dependency: its install script downloads libtensorflow, which fails offline, so it is
 * usually absent), else the WebAssembly backend (its binaries ship inside the npm package), else
 * the plain JavaScript `cpu` backend. `MEDPIPE_TF_BACKEND=node|wasm|cpu` forces one; a forced
 * backend that cannot be loaded is an error saying what to install, never a silent fallback,
 * because the backend changes the numbers a seeded model produces.
 */
import { StepInputError } from '../../errors.js';

export type Tf = typeof import('@tensorflow/tfjs');
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadedTf {
  tf: Tf;
  backend: TfBackendName;
  /** Why this backend: forced by the environment, or which better backend was unavailable. */
  reason: string;
}

export interface LoadTfOptions {
  /** Imports a module by name; tests inject one that pretends tfjs-node is absent. */
  importModule?: (specifier: string) => Promise<unknown>;
  /** The override, as MEDPIPE_TF_BACKEND would give it (default: the environment variable). */
  override?: string | undefined;
  /** The module providing the native backend (default @tensorflow/tfjs-node). */
  nodeModule?: string;
  /** Who asked for the override, for messages (default: the environment variable's name). */
  overrideSource?: string;
}

export const TF_BACKEND_ENV = 'MEDPIPE_TF_BACKEND';
const NODE_MODULE = '@tensorflow/tfjs-node';
const WASM_MODULE = '@tensorflow/tfjs-backend-wasm';
const OVERRIDES: Readonly<Record<string, TfBackendName>> = { node: 'tensorflow', tensorflow: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

const defaultImport = (specifier: string): Promise<unknown> => import(specifier);

function isTf(m: unknown): m is Tf {
  return typeof m === 'object' && m !== null && typeof (m as { setBackend?: unknown }).setBackend === 'function';
}

function describe(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  if (err && (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND')) return 'not installed';
  const message = typeof err?.message === 'string' ? err.message.split('\n')[0] : String(e);
  return message.length > 200 ? message.slice(0, 200) + '…' : message;
}

async function tryNode(importModule: (s: string) => Promise<unknown>, nodeModule: string): Promise<{ tf: Tf } | { error: string }> {
  try {
    const m = await importModule(nodeModule);
    // tfjs-node re-exports the whole tfjs API and registers the 'tensorflow' backend on import.
    const tf = isTf(m) ? m : isTf((m as { default?: unknown }).default) ? ((m as { default: unknown }).default as Tf) : undefined;
    if (!tf) return { error: `${nodeModule} does not export the TensorFlow.js API` };
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('tensorflow'))) return { error: `${nodeModule} loaded but its 'tensorflow' backend failed to initialise` };
    return { tf };
  } catch (e) {
    return { error: describe(e) };
  }
}

async function tryWasm(tf: Tf, importModule: (s: string) => Promise<unknown>): Promise<{ ok: true } | { error: string }> {
  try {
    // Importing the package registers the backend; setBackend compiles the .wasm file it ships.
    await importModule(WASM_MODULE);
    if (!(await tf.setBackend('wasm'))) return { error: 'the wasm backend failed to initialise' };
    return { ok: true };
  } catch (e) {
    return { error: describe(e) };
  }
}

/** Loads tfjs and selects a backend (uncached: every call re-selects; use `loadTf` in steps). */
export async function selectTfBackend(options: LoadTfOptions = {}): Promise<LoadedTf> {
  const importModule = options.importModule ?? defaultImport;
  const nodeModule = options.nodeModule ?? NODE_MODULE;
  const raw = 'override' in options ? options.override : process.env[TF_BACKEND_ENV];
  const wanted = raw === undefined || raw.trim() === '' ? undefined : raw.trim().toLowerCase();
  if (wanted !== undefined && !(wanted in OVERRIDES)) {
    throw new StepInputError(`${TF_BACKEND_ENV}=${raw} is not a TensorFlow.js backend: use node, wasm or cpu (or unset it to choose automatically)`);
  }
  const forced = wanted !== undefined ? OVERRIDES[wanted] : undefined;
  const asked = options.overrideSource ?? `${TF_BACKEND_ENV}=${raw}`;
  const why = `forced by ${options.overrideSource ?? TF_BACKEND_ENV}`;

  let nodeProblem: string | undefined;
  if (forced === undefined || forced === 'tensorflow') {
    const node = await tryNode(importModule, nodeModule);
    if ('tf' in node) return { tf: node.tf, backend: 'tensorflow', reason: forced ? why : `${nodeModule} is installed` };
    nodeProblem = node.error;
    if (forced) {
      throw new StepInputError(
        `${asked} asks for the native TensorFlow backend, but ${nodeModule} could not be loaded (${nodeProblem}): ` +
          `install it with \`npm install ${nodeModule}\` (its install step downloads libtensorflow, so it needs network access), or ask for wasm`,
      );
    }
  }

  const tf = (await importModule('@tensorflow/tfjs')) as Tf;
  // PROD silences tfjs's console banner ("install the node backend"); the backend is logged by the caller instead.
  tf.env().set('PROD', true);
  if (forced === undefined || forced === 'wasm') {
    const wasm = await tryWasm(tf, importModule);
    if ('ok' in wasm) return { tf, backend: 'wasm', reason: forced ? why : `${nodeModule} ${nodeProblem}` };
    if (forced) {
      throw new StepInputError(
        `${asked} asks for the WebAssembly backend, but ${WASM_MODULE} could not be loaded (${wasm.error}): ` +
          `reinstall it with \`npm install ${WASM_MODULE}\`, or ask for cpu`,
      );
    }
    nodeProblem = `${nodeModule} ${nodeProblem}; ${WASM_MODULE}: ${wasm.error}`;
  }

  if (!(await tf.setBackend('cpu'))) throw new StepInputError('the TensorFlow.js cpu backend failed to initialise: reinstall @tensorflow/tfjs');
  return { tf, backend: 'cpu', reason: forced ? why : (nodeProblem ?? 'fallback') };
}

const cached = new Map<string, Promise<LoadedTf>>();

/**
 * TensorFlow.js on a backend, chosen once per process and request: `requested` (a step's
 * `backend:` parameter) or, when absent, MEDPIPE_TF_BACKEND or the best one installed. tfjs's
 * backend is global state shared by the steps of one worker, so it is set again on every call.
 */
export async function loadTf(requested?: 'node' | 'wasm' | 'cpu'): Promise<LoadedTf> {
  const key = requested ?? 'auto';
  let pending = cached.get(key);
  if (!pending) {
    pending = selectTfBackend(requested ? { override: requested, overrideSource: `backend: ${requested}` } : {});
    cached.set(key, pending);
    pending.catch(() => cached.delete(key));
  }
  const loaded = await pending;
  if (loaded.tf.getBackend() !== loaded.backend) await loaded.tf.setBackend(loaded.backend);
  return loaded;
}
