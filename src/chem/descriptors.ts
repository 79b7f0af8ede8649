/**
 * Descriptor values of one molecule. RDKit's MinimalLib computes its whole descriptor table in one
 * call (there is no per-descriptor entry point), so the cost is the same whichever names are asked.
 */
import { DESCRIPTOR_KEYS, type DescriptorName } from './descriptor-names.js';
import type { Molecule } from './rdkit.js';

/** Writes the descriptors `names` of `mol` into `out[offset ...]`, in the order of `names`. */
export function writeDescriptors(mol: Molecule, names: readonly DescriptorName[], out: Float64Array, offset: number): void {
  const table = JSON.parse(mol.get_descriptors()) as Record<string, unknown>;
  for (let j = 0; j < names.length; j++) {
    const value = table[DESCRIPTOR_KEYS[names[j]]];
    // Only a different RDKit build could lack a key; that is a bug to report, not bad user data.
    if (typeof value !== 'number') throw new Error(`RDKit did not report descriptor ${DESCRIPTOR_KEYS[names[j]]} (for ${names[j]})`);
    out[offset + j] = value;
  }
}

/** The descriptors of `mol` by name (for tests and single molecules). */
export function descriptorsOf(mol: Molecule, names: readonly DescriptorName[]): Record<string, number> {
  const values = new Float64Array(names.length);
  writeDescriptors(mol, names, values, 0);
  return Object.fromEntries(names.map((n, j) => [n, values[j]]));
}
