/**
 * Drug-likeness rules on computed properties: Lipinski's rule of five (Lipinski et al., Adv. Drug
 * Deliv. Rev. 1997: MW <= 500, cLogP <= 5, at most 5 NH+OH donors and 10 N+O acceptors, one
 * violation tolerated) and Veber's oral bioavailability rule (Veber et al., J. Med. Chem. 2002: at
 * most 10 rotatable bonds, TPSA <= 140 Å²). Each returns the limits broken, worded for a chemist.
 */
import type { DescriptorName } from './descriptor-names.js';

/** The RDKit descriptors the rules read (src/chem/descriptor-names.ts). */
export const RULE_DESCRIPTORS = [
  'molecular_weight',
  'clogp',
  'lipinski_hbd',
  'lipinski_hba',
  'rotatable_bonds',
  'tpsa',
] as const satisfies readonly DescriptorName[];
export type RuleProperties = Record<(typeof RULE_DESCRIPTORS)[number], number>;

export interface RuleOutcome {
  readonly pass: boolean;
  /** The limits broken, e.g. "MW 512.6 > 500" (empty when none). */
  readonly violations: readonly string[];
}

/** One decimal place for masses and areas, two for logP: what a chemist reads, not noise. */
const fixed = (x: number, digits: number): string => String(Number(x.toFixed(digits)));

export function lipinski(p: RuleProperties, maxViolations: number): RuleOutcome {
  const violations = [
    p.molecular_weight > 500 ? `MW ${fixed(p.molecular_weight, 1)} > 500` : '',
    p.clogp > 5 ? `cLogP ${fixed(p.clogp, 2)} > 5` : '',
    p.lipinski_hbd > 5 ? `HBD ${p.lipinski_hbd} > 5` : '',
    p.lipinski_hba > 10 ? `HBA ${p.lipinski_hba} > 10` : '',
  ].filter((v) => v !== '');
  return { pass: violations.length <= maxViolations, violations };
}

export function veber(p: RuleProperties): RuleOutcome {
  const violations = [p.rotatable_bonds > 10 ? `rotatable bonds ${p.rotatable_bonds} > 10` : '', p.tpsa > 140 ? `TPSA ${fixed(p.tpsa, 1)} > 140` : ''].filter(
    (v) => v !== '',
  );
  return { pass: violations.length === 0, violations };
}

/** A report cell: "pass", "pass (MW 512.6 > 500)" for a tolerated violation, or "fail (…)". */
export function outcomeText(o: RuleOutcome): string {
  const why = o.violations.length ? ` (${o.violations.join('; ')})` : '';
  return `${o.pass ? 'pass' : 'fail'}${why}`;
}
