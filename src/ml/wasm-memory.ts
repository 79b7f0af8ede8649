/**
 * Laying out the linear memory of medpipe's compiled modules (the SVM's solver, the forest's tree
 * grower, the GAN's kernels, ALS): the JavaScript side hands out each array's region and grows the
 * memory to hold them all, and the module is given the addresses.
 */

/**
 * Regions handed out upwards from `at`, each starting on a multiple of `align` bytes (16 where
 * the module reads them with SIMD); `end` is the first byte not handed out.
 */
export function linearRegions(at: number, align: number): { take(bytes: number): number; readonly end: number } {
  return {
    take(bytes: number): number {
      const start = at;
      at += Math.ceil(bytes / align) * align;
      return start;
    },
    get end() {
      return at;
    },
  };
}

/** Grows `memory` to hold `bytes` (whole 64 KiB pages); throws what `Memory.grow` throws when refused. */
export function growMemoryTo(memory: WebAssembly.Memory, bytes: number): void {
  const pages = Math.ceil(bytes / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}
