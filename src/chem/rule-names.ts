/**
 * The names of filter.molecules' rules, apart from their implementation: the step's parameter
 * schema needs them when the CLI starts, and the rules' modules load the alert files and the
 * dataset readers, which a command that filters nothing should not pay for.
 */
export const ALERT_FAMILIES = ['pains_a', 'pains_b', 'pains_c', 'brenk'] as const;
export type AlertFamily = (typeof ALERT_FAMILIES)[number];

export const RULE_NAMES = ['lipinski', 'veber', ...ALERT_FAMILIES] as const;
export type RuleName = (typeof RULE_NAMES)[number];
