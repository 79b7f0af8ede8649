/**
 * Loads a WebAssembly module that `npm run build:wasm` compiled next to its loader (the forest's
 * tree grower, the GAN's kernels): read and compiled once per thread and file. For modules that
 * are always built with medpipe and have no fallback, so a missing or broken file is an error
 * that says how to fix it, in the loader's words.
 */
import { readFileSync } from 'node:fs';

export interface WasmFileMessages {
  /** The file could not be read (`code`: its error code, e.g. ENOENT): what it is and what to do. */
  unreadable(path: string, code: string): string;
  /** The file does not compile here (`why`: the engine's message): what it is and what to do. */
  invalid(path: string, why: string): string;
}

const compiled = new Map<string, WebAssembly.Module>();

export function compiledWasmFile(url: URL, messages: WasmFileMessages): WebAssembly.Module {
  const cached = compiled.get(url.href);
  if (cached) return cached;
  let bytes: Buffer;
  try {
    bytes = readFileSync(url);
  } catch (e) {
    throw new Error(messages.unreadable(url.pathname, (e as NodeJS.ErrnoException).code ?? String(e)));
  }
  let mod: WebAssembly.Module;
  try {
    mod = new WebAssembly.Module(new Uint8Array(bytes));
  } catch (e) {
    throw new Error(messages.invalid(url.pathname, (e as Error).message));
  }
  compiled.set(url.href, mod);
  return mod;
}
