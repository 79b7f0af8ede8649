/**
 * The rules of filter.molecules applied to a column of SMILES: Lipinski and Veber on RDKit's
 * descriptors, structural alerts by family. A plain library over RDKit; the step adapts it to
 * datasets and tables.
 */
import { AlertMatcher, alertLabel, readAlerts } from './alerts.js';
import { ALERT_FAMILIES, type AlertFamily, type RuleName } from './rule-names.js';
import { descriptorsOf } from './descriptors.js';
import { lipinski, RULE_DESCRIPTORS, veber, type RuleOutcome, type RuleProperties } from './property-rules.js';
import { parseMolecule, type RDKit } from './rdkit.js';

export interface FilterOptions {
  rules: readonly RuleName[];
  lipinskiMaxViolations: number;
  onProgress?: (done: number, total: number) => void;
  progressEvery?: number;
}

/** One molecule's verdict: per property rule its outcome, per alert family the alerts hit (family:name). */
export interface MoleculeVerdict {
  readonly properties: Partial<Record<'lipinski' | 'veber', RuleOutcome>>;
  readonly alerts: Partial<Record<AlertFamily, readonly string[]>>;
  /** The rules failed, in `rules` order. */
  readonly failed: readonly RuleName[];
}

export type FilterResult = { verdicts: MoleculeVerdict[] } | { invalidRow: number };

const isFamily = (r: RuleName): r is AlertFamily => (ALERT_FAMILIES as readonly string[]).includes(r);

/** The verdict of each SMILES, or the first row that is missing or RDKit cannot read. One molecule per unit. */
export function* filterUnits(rdkit: RDKit, smiles: readonly (string | null)[], options: FilterOptions): Generator<void, FilterResult, void> {
  const families = options.rules.filter(isFamily);
  const matcher = families.length ? new AlertMatcher(rdkit, readAlerts(families)) : null;
  const wantsProperties = options.rules.includes('lipinski') || options.rules.includes('veber');
  const every = options.progressEvery ?? 500;
  const verdicts: MoleculeVerdict[] = [];
  try {
    for (let i = 0; i < smiles.length; i++) {
      if (options.onProgress && i > 0 && i % every === 0) options.onProgress(i, smiles.length);
      const s = smiles[i];
      const mol = s === null ? null : parseMolecule(rdkit, s);
      if (!mol) return { invalidRow: i };
      try {
        const p = wantsProperties ? (descriptorsOf(mol, RULE_DESCRIPTORS) as RuleProperties) : null;
        const properties: MoleculeVerdict['properties'] = {};
        if (p && options.rules.includes('lipinski')) properties.lipinski = lipinski(p, options.lipinskiMaxViolations);
        if (p && options.rules.includes('veber')) properties.veber = veber(p);
        const alerts: Partial<Record<AlertFamily, string[]>> = Object.fromEntries(families.map((f) => [f, []]));
        if (matcher) for (const k of matcher.matches(mol)) alerts[matcher.alerts[k].family]!.push(alertLabel(matcher.alerts[k]));
        const failed = options.rules.filter((r) => (isFamily(r) ? alerts[r]!.length > 0 : !properties[r]!.pass));
        verdicts.push({ properties, alerts, failed });
      } finally {
        mol.delete();
      }
      yield;
    }
  } finally {
    matcher?.delete();
  }
  return { verdicts };
}
