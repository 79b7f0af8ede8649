/**
 * The molecular descriptors featurize.molecules offers: a stable snake_case name (the output
 * column) for each key of RDKit MinimalLib's `get_descriptors()` JSON. Kept apart from the RDKit
 * code so the step's parameter schema can list the names without loading RDKit.
 *
 * H-bond counts: `hbd`/`hba` are RDKit's NumHBD/NumHBA (Lipinski-free definitions from
 * rdMolDescriptors, e.g. aspirin 1/3); `lipinski_hbd`/`lipinski_hba` are the NHOH and NO counts
 * of Lipinski's rule of five (aspirin 1/4).
 */
export const DESCRIPTOR_KEYS = {
  molecular_weight: 'amw',
  exact_mass: 'exactmw',
  clogp: 'CrippenClogP',
  molar_refractivity: 'CrippenMR',
  tpsa: 'tpsa',
  hbd: 'NumHBD',
  hba: 'NumHBA',
  lipinski_hbd: 'lipinskiHBD',
  lipinski_hba: 'lipinskiHBA',
  rotatable_bonds: 'NumRotatableBonds',
  heavy_atoms: 'NumHeavyAtoms',
  atoms: 'NumAtoms',
  heteroatoms: 'NumHeteroatoms',
  amide_bonds: 'NumAmideBonds',
  fraction_csp3: 'FractionCSP3',
  rings: 'NumRings',
  aromatic_rings: 'NumAromaticRings',
  aliphatic_rings: 'NumAliphaticRings',
  saturated_rings: 'NumSaturatedRings',
  heterocycles: 'NumHeterocycles',
  aromatic_heterocycles: 'NumAromaticHeterocycles',
  saturated_heterocycles: 'NumSaturatedHeterocycles',
  aliphatic_heterocycles: 'NumAliphaticHeterocycles',
  spiro_atoms: 'NumSpiroAtoms',
  bridgehead_atoms: 'NumBridgeheadAtoms',
  stereocenters: 'NumAtomStereoCenters',
  unspecified_stereocenters: 'NumUnspecifiedAtomStereoCenters',
  labute_asa: 'labuteASA',
  chi0v: 'chi0v',
  chi1v: 'chi1v',
  chi2v: 'chi2v',
  chi3v: 'chi3v',
  chi4v: 'chi4v',
  chi0n: 'chi0n',
  chi1n: 'chi1n',
  chi2n: 'chi2n',
  chi3n: 'chi3n',
  chi4n: 'chi4n',
  hall_kier_alpha: 'hallKierAlpha',
  kappa1: 'kappa1',
  kappa2: 'kappa2',
  kappa3: 'kappa3',
  phi: 'Phi',
} as const;

export type DescriptorName = keyof typeof DESCRIPTOR_KEYS;

export const DESCRIPTOR_NAMES = Object.keys(DESCRIPTOR_KEYS) as DescriptorName[];

/** The default set: what a medicinal chemist reads first (size, lipophilicity, polarity, H-bonding, flexibility, rings, shape). */
export const DEFAULT_DESCRIPTORS: readonly DescriptorName[] = [
  'molecular_weight',
  'exact_mass',
  'clogp',
  'molar_refractivity',
  'tpsa',
  'hbd',
  'hba',
  'rotatable_bonds',
  'heavy_atoms',
  'heteroatoms',
  'rings',
  'aromatic_rings',
  'aliphatic_rings',
  'heterocycles',
  'fraction_csp3',
  'amide_bonds',
  'stereocenters',
];
