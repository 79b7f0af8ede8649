/**
 * RDKit's WebAssembly build (@rdkit/rdkit, the MinimalLib), loaded once per thread: instantiating
 * the module compiles ~10 MB of WASM, so every caller in a worker shares one promise.
 *
 * A molecule lives on the WASM heap, not the JS heap: whoever gets one from `parseMolecule` must
 * call `mol.delete()` (use `withMolecule`, which does it in a `finally`).
 */
import type { MainModule, Mol } from '@rdkit/rdkit';

export type RDKit = MainModule;
export type Molecule = Mol;

let loading: Promise<RDKit> | undefined;

/** The package is CommonJS: its module.exports (the factory) arrives as the ESM default export, which NodeNext's typing of its .d.ts does not see. */
type Factory = (options?: unknown) => Promise<RDKit>;

/** The RDKit module of this thread, loaded on first use. */
export function loadRDKit(): Promise<RDKit> {
  loading ??= import('@rdkit/rdkit')
    .then((m) => (m as unknown as { default: Factory }).default())
    .catch((e: unknown) => {
      // A failed load must not poison later attempts in a reused worker.
      loading = undefined;
      throw e;
    });
  return loading;
}

/**
 * The molecule of a SMILES string, or null when RDKit cannot parse or sanitise it. An empty or
 * blank string is invalid here although RDKit reads it as a molecule with no atoms: a blank cell
 * in a table is a missing structure, not a real one.
 */
export function parseMolecule(rdkit: RDKit, smiles: string): Molecule | null {
  if (smiles.trim() === '') return null;
  let mol: Molecule | null;
  try {
    mol = rdkit.get_mol(smiles);
  } catch {
    return null;
  }
  if (mol && !mol.is_valid()) {
    mol.delete();
    return null;
  }
  return mol;
}

/** Runs `fn` on the parsed molecule and frees it afterwards; null when the SMILES is invalid. */
export function withMolecule<T>(rdkit: RDKit, smiles: string, fn: (mol: Molecule) => T): T | null {
  const mol = parseMolecule(rdkit, smiles);
  if (!mol) return null;
  try {
    return fn(mol);
  } finally {
    mol.delete();
  }
}

/** RDKit's canonical SMILES, or null for an invalid one: two spellings of one molecule give one string. */
export function canonicalSmiles(rdkit: RDKit, smiles: string): string | null {
  return withMolecule(rdkit, smiles, (mol) => mol.get_smiles());
}
