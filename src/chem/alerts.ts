/**
 * Structural alerts: the PAINS (A, B, C) and Brenk SMARTS shipped in data/alerts/ (see its README
 * for sources and license), compiled once per run.
 *
 * Hydrogens: many PAINS SMARTS name hydrogen atoms ([#1]). RDKit's FilterCatalog merges them into
 * H-count queries on their neighbours; MinimalLib's get_qmol cannot (it has no mergeQueryHs
 * option), so such an alert is matched against the molecule with its hydrogens added as atoms,
 * which is equivalent for these SMARTS (no PAINS SMARTS counts explicit connections with D). An
 * alert without [#1] is matched against the molecule as parsed: Brenk's `[R0;D2]` chains would
 * otherwise count the hydrogens as neighbours.
 *
 * Speed: each alert is first screened with RDKit's pattern fingerprint (a substructure can only
 * match if its bits are a subset of the molecule's), which skips most substructure searches and
 * gives the same hits (checked on the 5,000 NCI molecules).
 */
import { readFileSync } from 'node:fs';
import { dataDirectory } from '../data/builtin.js';
import { tokenizeSample } from '../data/csv-sample.js';
import type { Molecule, RDKit } from './rdkit.js';

import type { AlertFamily } from './rule-names.js';

export interface Alert {
  readonly family: AlertFamily;
  readonly name: string;
  readonly smarts: string;
}

/** The alerts of `families`, in file order, from data/alerts/<family>.csv. */
export function readAlerts(families: readonly AlertFamily[]): Alert[] {
  return families.flatMap((family) => {
    const file = `${dataDirectory()}alerts/${family}.csv`;
    const { records } = tokenizeSample(readFileSync(file), 44, Number.POSITIVE_INFINITY, true);
    const header = records[0]?.fields.join(',');
    // The files ship with the package: another layout is a packaging bug, not a user error.
    if (header !== 'family,name,smarts') throw new Error(`${file}: expected the header family,name,smarts, found ${header}`);
    return records.slice(1).map(({ fields: [f, name, smarts] }): Alert => {
      if (f !== family) throw new Error(`${file}: alert ${name} is of family ${f}`);
      return { family, name, smarts };
    });
  });
}

/** `family:name`, as alerts are listed in a table. */
export const alertLabel = (a: Alert): string => `${a.family}:${a.name}`;

/** Compiled alerts; `delete()` frees their WASM memory. */
export class AlertMatcher {
  private readonly queries: Molecule[] = [];
  private readonly screens: Uint8Array[] = [];
  /** Whether each alert names hydrogen atoms, so is matched on the molecule with explicit Hs. */
  private readonly onExplicitH: boolean[] = [];

  constructor(
    private readonly rdkit: RDKit,
    readonly alerts: readonly Alert[],
  ) {
    this.onExplicitH = alerts.map((a) => HYDROGEN_ATOM.test(a.smarts));
    try {
      for (const a of alerts) {
        const q = rdkit.get_qmol(a.smarts);
        if (!q?.is_valid()) {
          q?.delete();
          throw new Error(`alert ${alertLabel(a)}: RDKit cannot parse its SMARTS ${a.smarts}`);
        }
        this.queries.push(q);
        this.screens.push(screenOf(q, HYDROGEN_ATOM.test(a.smarts)));
      }
    } catch (e) {
      this.delete();
      throw e;
    }
  }

  /** Indices (into `alerts`) of the alerts `mol` matches, ascending. */
  matches(mol: Molecule): number[] {
    const fp = mol.get_pattern_fp_as_uint8array() as Uint8Array;
    // The molecule with explicit Hs, made only when an alert naming hydrogens passes the screen.
    let withH: Molecule | null = null;
    try {
      const hits: number[] = [];
      for (let k = 0; k < this.queries.length; k++) {
        if (!covers(fp, this.screens[k])) continue;
        let target = mol;
        if (this.onExplicitH[k]) {
          if (!withH) {
            withH = this.rdkit.get_mol_copy(mol)!;
            withH.add_hs_in_place();
          }
          target = withH;
        }
        if (target.get_substruct_match(this.queries[k]) !== '{}') hits.push(k);
      }
      return hits;
    } finally {
      (withH as Molecule | null)?.delete();
    }
  }

  delete(): void {
    for (const q of this.queries) q.delete();
    this.queries.length = 0;
  }
}

/** A hydrogen atom in a SMARTS: #1 not followed by another digit (#15 is phosphorus). */
const HYDROGEN_ATOM = /#1(?![0-9])/;

/**
 * The pattern-fingerprint bits an alert needs in the molecule as parsed (without explicit Hs):
 * for an alert naming hydrogens, those of the alert without its hydrogen atoms, a weaker
 * requirement that every match still meets.
 */
function screenOf(query: Molecule, namesHydrogens: boolean): Uint8Array {
  if (!namesHydrogens) return query.get_pattern_fp_as_uint8array() as Uint8Array;
  const heavy = query.copy()!;
  try {
    heavy.remove_hs_in_place();
    return heavy.get_pattern_fp_as_uint8array() as Uint8Array;
  } finally {
    heavy.delete();
  }
}

/** Whether every bit set in `query` is set in `fp`. */
function covers(fp: Uint8Array, query: Uint8Array): boolean {
  for (let b = 0; b < query.length; b++) if ((fp[b] & query[b]) !== query[b]) return false;
  return true;
}
