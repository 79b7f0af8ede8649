/** Morgan (ECFP-like) fingerprints from RDKit, written straight into a packed bit table (see bits.ts). */
import { wordsFor } from './bits.js';
import type { Molecule } from './rdkit.js';

export interface MorganOptions {
  radius: number;
  bits: number;
}

/** RDKit's option string for get_morgan_fp*, built once per featurization rather than per molecule. */
export function morganDetails(options: MorganOptions): string {
  return JSON.stringify({ radius: options.radius, nBits: options.bits });
}

/**
 * Writes the fingerprint of `mol` as row `row` of `packed`. RDKit returns ceil(bits / 8) bytes,
 * bit b in byte b >> 3 at position b & 7, which is the same bit order as our words.
 */
export function writeMorgan(mol: Molecule, details: string, bits: number, packed: Uint32Array, row: number): void {
  const bytes = mol.get_morgan_fp_as_uint8array(details) as Uint8Array;
  const words = wordsFor(bits);
  const base = row * words;
  for (let k = 0; k < bytes.length; k++) packed[base + (k >>> 2)] |= bytes[k] << ((k & 3) << 3);
}
