/**
 * A molecule's atoms and bonds as plain data, read from RDKit MinimalLib's JSON (`get_json()`,
 * the rdkitjson/commonchem format), and that JSON rebuilt after its charges and hydrogen counts
 * are edited. MinimalLib has no atom-editing API; a JSON round trip is exact (the canonical SMILES
 * of all 6,008 shipped molecules survive `get_mol(get_json())` unchanged) and needs no 2D
 * coordinates, unlike a molblock.
 */

/** The JSON as RDKit writes it: `defaults` fill the fields an atom or bond leaves out. */
interface RDKitJson {
  defaults: { atom: { z: number; impHs: number; chg: number }; bond: { bo: number } };
  molecules: { atoms: { z?: number; impHs?: number; chg?: number }[]; bonds?: { bo?: number; atoms: [number, number] }[] }[];
}

export interface MoleculeGraph {
  /** Atomic number of each atom (1 for an explicit hydrogen atom). */
  readonly z: readonly number[];
  /** Formal charge of each atom. */
  readonly charge: readonly number[];
  /** Hydrogens on each atom that are not atoms of their own (implicit and bracket Hs). */
  readonly hydrogens: readonly number[];
  /** Bonded atoms of each atom. */
  readonly neighbours: readonly (readonly number[])[];
  /** Bond order of each atom's bonds, parallel to `neighbours` (1, 2, 3; aromatic bonds are written kekulized). */
  readonly bondOrders: readonly (readonly number[])[];
  /** The bonds as (atom, atom, order), in the JSON's order. */
  readonly bonds: readonly (readonly [number, number, number])[];
  /** The parsed JSON, for `withCharges`. */
  readonly json: RDKitJson;
}

/** The graph of a `get_json()` string of one molecule. */
export function moleculeGraph(jsonText: string): MoleculeGraph {
  const json = JSON.parse(jsonText) as RDKitJson;
  const d = json.defaults;
  const mol = json.molecules[0];
  const z = mol.atoms.map((a) => a.z ?? d.atom.z);
  const neighbours: number[][] = z.map(() => []);
  const bondOrders: number[][] = z.map(() => []);
  const bonds: [number, number, number][] = [];
  for (const b of mol.bonds ?? []) {
    const [i, j] = b.atoms;
    const bo = b.bo ?? d.bond.bo;
    bonds.push([i, j, bo]);
    neighbours[i].push(j);
    neighbours[j].push(i);
    bondOrders[i].push(bo);
    bondOrders[j].push(bo);
  }
  return {
    z,
    charge: mol.atoms.map((a) => a.chg ?? d.atom.chg),
    hydrogens: mol.atoms.map((a) => a.impHs ?? d.atom.impHs),
    neighbours,
    bondOrders,
    bonds,
    json,
  };
}

/**
 * The JSON of `graph` with the charge and hydrogen count of some atoms replaced and, optionally,
 * some bonds (indices into `graph.bonds`) removed (for `get_mol`).
 */
export function withCharges(
  graph: MoleculeGraph,
  edits: ReadonlyMap<number, { charge: number; hydrogens: number }>,
  removedBonds: ReadonlySet<number> = new Set(),
): string {
  const json = structuredClone(graph.json);
  const mol = json.molecules[0];
  for (const [i, e] of edits) mol.atoms[i] = { ...mol.atoms[i], chg: e.charge, impHs: e.hydrogens };
  if (removedBonds.size) {
    mol.bonds = mol.bonds?.filter((_, b) => !removedBonds.has(b));
    // Per-bond extension data (aromatic bond indices, stereo references) would point at the wrong bonds: RDKit re-perceives them.
    for (const m of json.molecules as { extensions?: unknown }[]) delete m.extensions;
  }
  return JSON.stringify(json);
}
