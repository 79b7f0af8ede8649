/**
 * Molecule standardisation before featurizing: the parent structure a chemist means by a record.
 * Salts and solvents are stripped (the largest organic fragment is kept), charges are neutralised
 * where a hydrogen can be added or removed, and organometallics and inorganics are dropped, so that
 * a hydrochloride and its free base, or a carboxylate and its acid, get one set of descriptors.
 *
 * The rules follow RDKit's MolStandardize (LargestFragmentChooser with preferOrganic, Uncharger),
 * which MinimalLib 2026.09.1 does not expose: they are re-implemented here on the molecule's JSON.
 * MinimalLib offers no tautomer canonicaliser either, so tautomers are left as written.
 */
import type { MolList } from '@rdkit/rdkit';
import { moleculeGraph, withCharges, type MoleculeGraph } from './molecule-graph.js';
import { parseMolecule, type Molecule, type RDKit } from './rdkit.js';

export type DropReason = 'metal' | 'no_carbon';

export type Standardized =
  | {
      readonly status: 'kept';
      /** A new molecule the caller must `delete()`. */
      readonly mol: Molecule;
      /** Fragments of the input (1 when nothing was stripped). */
      readonly fragments: number;
      /** Formal charges removed by adding or removing hydrogens. */
      readonly neutralised: number;
    }
  | { readonly status: 'dropped'; readonly reason: DropReason };

export interface StandardizationSettings {
  readonly fragment: string;
  readonly charges: string;
  readonly tautomer: string;
  readonly dropped: string;
}

/** What the standardisation does, as recorded with its output. */
export function standardizationSettings(rdkitVersion: string): StandardizationSettings {
  return {
    fragment: 'largest organic fragment (with carbon, most heavy atoms; ties: smallest canonical SMILES)',
    charges:
      'neutralised where a proton can be added to an anion or taken from a cationic heteroatom (as the ChEMBL standardiser does); kept charged: the anions balancing a quaternary N+ (the strongest acids), nitro groups and N-oxides',
    tautomer: `not available in RDKit MinimalLib ${rdkitVersion}`,
    dropped: `molecules whose kept fragment has no carbon or any metal, or with a metal other than ${COUNTER_ION_SYMBOLS.join('/')} counter-ions in any fragment`,
  };
}

/** Non-metals, metalloids and noble gases (and 0, a dummy atom): every other element is a metal. */
const NOT_METALS = new Set([0, 1, 2, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 32, 33, 34, 35, 36, 51, 52, 53, 54, 85, 86, 117, 118]);
/** Alkali and alkaline-earth metals: counter-ions of salts (sodium acetate), stripped with their fragment. */
const COUNTER_ION_METALS = new Set([3, 11, 19, 37, 55, 12, 20, 38, 56]);
const COUNTER_ION_SYMBOLS = ['Li', 'Na', 'K', 'Rb', 'Cs', 'Mg', 'Ca', 'Sr', 'Ba'];
/** Atoms an alkali or alkaline-earth metal is ionically bonded to: N, O, F, S, Cl, Br, I. */
const IONIC_PARTNERS = new Set([7, 8, 9, 16, 17, 35, 53]);
/** Anions that take a hydrogen to a valid neutral atom (C, N, O, P, S, Se); [B-] of a borate would not. */
const PROTONATABLE = new Set([6, 7, 8, 15, 16, 34]);

const isMetal = (z: number): boolean => !NOT_METALS.has(z);

/** The standardised form of `mol` (which is left as it is), or why it is dropped. */
export function standardizeMolecule(rdkit: RDKit, mol: Molecule): Standardized {
  const whole = moleculeGraph(mol.get_json());
  if (whole.z.some((z) => isMetal(z) && !COUNTER_ION_METALS.has(z))) return { status: 'dropped', reason: 'metal' };
  const disconnected = disconnectCounterIons(rdkit, whole);
  if (disconnected) {
    try {
      return standardizeMolecule(rdkit, disconnected);
    } finally {
      disconnected.delete();
    }
  }
  const components = fragmentsOf(whole);
  const chosen = components.length === 1 ? null : chooseFragment(mol, whole, components);
  const fragmentAtoms = chosen ? chosen.atoms : components[0];
  if (fragmentAtoms.some((i) => isMetal(whole.z[i]))) {
    chosen?.mol.delete();
    return { status: 'dropped', reason: 'metal' };
  }
  if (!fragmentAtoms.some((i) => whole.z[i] === 6)) {
    chosen?.mol.delete();
    return { status: 'dropped', reason: 'no_carbon' };
  }
  // A copy even when nothing changes: the caller owns what it gets and frees its input.
  const parent = chosen ? chosen.mol : rdkit.get_mol_copy(mol)!;
  const graph = chosen ? moleculeGraph(parent.get_json()) : whole;
  const edits = neutralisation(graph);
  if (edits.size === 0) return { status: 'kept', mol: parent, fragments: components.length, neutralised: 0 };
  const neutral = moleculeFromJson(rdkit, withCharges(graph, edits));
  // An edit RDKit cannot sanitise (an unusual valence) leaves the charges as they were.
  if (!neutral) return { status: 'kept', mol: parent, fragments: components.length, neutralised: 0 };
  parent.delete();
  let removed = 0;
  for (const [i, e] of edits) removed += Math.abs(graph.charge[i] - e.charge);
  return { status: 'kept', mol: neutral, fragments: components.length, neutralised: removed };
}

/** What changed, for a person reading the output ("" when nothing did). */
export function describeStandardization(s: { fragments: number; neutralised: number }): string {
  const parts: string[] = [];
  if (s.fragments > 1) parts.push(`salt/solvent stripped (kept 1 of ${s.fragments} fragments)`);
  if (s.neutralised > 0) parts.push(`neutralised ${s.neutralised} charge${s.neutralised === 1 ? '' : 's'}`);
  return parts.join('; ');
}

/**
 * A sodium salt written with a covalent bond (C(=O)O[Na]) as the ion pair it is (C(=O)[O-].[Na+]),
 * as RDKit's MetalDisconnector does: bonds from an alkali or alkaline-earth metal to N, O, S or a
 * halogen are removed, the metal taking the bond order as positive charge and its partner as
 * negative charge. Null when there is no such bond (or RDKit cannot read the result: the metal stays
 * bonded and the molecule is dropped as a metal compound).
 */
function disconnectCounterIons(rdkit: RDKit, g: MoleculeGraph): Molecule | null {
  const removed = new Set<number>();
  const charge = new Map<number, number>();
  g.bonds.forEach(([i, j, bo], b) => {
    const [metal, partner] = COUNTER_ION_METALS.has(g.z[i]) ? [i, j] : [j, i];
    if (!COUNTER_ION_METALS.has(g.z[metal]) || !IONIC_PARTNERS.has(g.z[partner])) return;
    removed.add(b);
    charge.set(metal, (charge.get(metal) ?? g.charge[metal]) + bo);
    charge.set(partner, (charge.get(partner) ?? g.charge[partner]) - bo);
  });
  if (removed.size === 0) return null;
  const edits = new Map([...charge].map(([i, c]) => [i, { charge: c, hydrogens: g.hydrogens[i] }]));
  return moleculeFromJson(rdkit, withCharges(g, edits, removed));
}

/**
 * The molecule of an edited JSON, or null when RDKit cannot sanitise it. RDKit's JSON reader keeps
 * double-bond stereo (E/Z) only under the new stereo perception, while MinimalLib defaults to the
 * legacy one (which the canonical SMILES of featurize.molecules are written with): the switch is
 * flipped for the parse alone, and the parsed molecule keeps its stereo afterwards.
 */
function moleculeFromJson(rdkit: RDKit, json: string): Molecule | null {
  rdkit.use_legacy_stereo_perception(false);
  try {
    return parseMolecule(rdkit, json);
  } finally {
    rdkit.use_legacy_stereo_perception(true);
  }
}

/** Connected components (atom indices, ascending), in order of their first atom. */
function fragmentsOf(g: MoleculeGraph): number[][] {
  const component = new Int32Array(g.z.length).fill(-1);
  const out: number[][] = [];
  for (let start = 0; start < g.z.length; start++) {
    if (component[start] >= 0) continue;
    const atoms: number[] = [];
    const stack = [start];
    component[start] = out.length;
    while (stack.length) {
      const a = stack.pop()!;
      atoms.push(a);
      for (const b of g.neighbours[a])
        if (component[b] < 0) {
          component[b] = out.length;
          stack.push(b);
        }
    }
    out.push(atoms.sort((x, y) => x - y));
  }
  return out;
}

/**
 * The largest organic fragment as its own molecule: fragments with carbon first, then most heavy
 * atoms, then the smallest canonical SMILES, so that the choice does not depend on how the record
 * ordered its fragments.
 */
function chooseFragment(mol: Molecule, whole: MoleculeGraph, components: number[][]): { mol: Molecule; atoms: number[] } {
  const { molList, mappings } = mol.get_frags('{}') as { molList: MolList; mappings: string };
  const atomsOf = (JSON.parse(mappings) as { fragsMolAtomMapping: number[][] }).fragsMolAtomMapping;
  try {
    const candidates = atomsOf.map((atoms, k) => {
      const m = molList.at(k)!;
      const smiles = m.get_smiles();
      m.delete();
      return {
        k,
        atoms,
        organic: atoms.some((i) => whole.z[i] === 6) ? 1 : 0,
        heavy: atoms.filter((i) => whole.z[i] !== 1).length,
        smiles,
      };
    });
    // RDKit and the graph agree on how many fragments there are; a mismatch is a bug, not user data.
    if (candidates.length !== components.length) throw new Error(`RDKit found ${candidates.length} fragments, the molecule graph ${components.length}`);
    candidates.sort((a, b) => b.organic - a.organic || b.heavy - a.heavy || (a.smiles < b.smiles ? -1 : a.smiles > b.smiles ? 1 : 0));
    const best = candidates[0];
    return { mol: molList.at(best.k)!, atoms: best.atoms };
  } finally {
    molList.delete();
  }
}

/**
 * The charge edits of RDKit's Uncharger: a positive atom with hydrogens and no negative neighbour
 * loses a proton ([NH3+] -> N); a negative atom with no positive neighbour gains one ([O-] -> O),
 * except that as many negative charges stay as there are positive charges no proton can leave
 * (quaternary N+), so betaines stay zwitterions; of a surplus, the weakest acids are protonated first. Charges on bonded
 * pairs (nitro, N-oxides, azides) are one group and are left.
 */
function neutralisation(g: MoleculeGraph): Map<number, { charge: number; hydrogens: number }> {
  const n = g.z.length;
  const hasNeighbour = (i: number, sign: 1 | -1): boolean => g.neighbours[i].some((j) => Math.sign(g.charge[j]) === sign);
  let fixedPositive = 0;
  const positiveWithH: number[] = [];
  const negative: number[] = [];
  let negativeCharge = 0;
  for (let i = 0; i < n; i++) {
    const c = g.charge[i];
    if (c > 0 && !hasNeighbour(i, -1)) {
      // Only a heteroatom gives up a proton: [CH2+] is a carbocation, not a protonated carbon.
      if (g.hydrogens[i] > 0 && PROTONATABLE.has(g.z[i]) && g.z[i] !== 6) positiveWithH.push(i);
      else fixedPositive += c;
    } else if (c < 0 && !hasNeighbour(i, 1)) {
      negative.push(i);
      negativeCharge -= c;
    }
  }
  const edits = new Map<number, { charge: number; hydrogens: number }>();
  for (const i of positiveWithH) {
    const removed = Math.min(g.charge[i], g.hydrogens[i]);
    edits.set(i, { charge: g.charge[i] - removed, hydrogens: g.hydrogens[i] - removed });
  }
  let surplus = negativeCharge - fixedPositive;
  // The weakest acids take the protons (an alkoxide or phenolate before a carboxylate), so the
  // anion that balances a quaternary N+ is the one that would be charged in water.
  const weakestFirst = [...negative.filter((i) => !isAcidOxygen(g, i)), ...negative.filter((i) => isAcidOxygen(g, i))];
  for (const i of weakestFirst) {
    if (surplus <= 0) break;
    if (!PROTONATABLE.has(g.z[i])) continue;
    const added = Math.min(-g.charge[i], surplus);
    edits.set(i, { charge: g.charge[i] + added, hydrogens: g.hydrogens[i] + added });
    surplus -= added;
  }
  return edits;
}

/** An [O-] of a carboxylate, phosphate or sulfonate: protonated last when only some anions can be. */
function isAcidOxygen(g: MoleculeGraph, i: number): boolean {
  if (g.z[i] !== 8) return false;
  return g.neighbours[i].some(
    (j) => (g.z[j] === 6 || g.z[j] === 15 || g.z[j] === 16) && g.neighbours[j].some((k, b) => g.z[k] === 8 && g.bondOrders[j][b] === 2),
  );
}
