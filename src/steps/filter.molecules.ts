/**
 * Step `filter.molecules`: drug-likeness rules (Lipinski, Veber) and structural alerts (PAINS A/B/C,
 * Brenk) on a SMILES column, so that assay-interference, reactive and non-drug-like molecules are
 * removed (or flagged) before candidates are ranked. A report table gives one row per molecule and
 * one column per rule, so a chemist can see why a molecule went. Adapter over
 * src/chem/molecule-filters.ts.
 */
import { writeFile } from 'node:fs/promises';
import { RULE_NAMES, type RuleName } from '../chem/rule-names.js';
import { defineStep } from '../engine/step-type.js';
import { StepInputError } from '../errors.js';

interface Params {
  smiles: string;
  rules: RuleName[];
  lipinski_max_violations: number;
  mode: 'drop' | 'flag';
  allow_empty: boolean;
  report_file: string | null;
}

/** Columns this step adds to the data. */
const ALERTS = 'alerts';
const FAILURES = 'rule_failures';
const PASSES = 'passes_filters';

export default defineStep<Params>({
  id: 'filter.molecules',
  version: '1',
  description: 'Drug-likeness rules (Lipinski, Veber) and structural alerts (PAINS A/B/C, Brenk) on a SMILES column: drop or flag the molecules that fail.',
  inputs: { data: { kind: 'dataset', description: 'A table with a SMILES column, e.g. featurize.molecules output (canonical_smiles).' } },
  outputs: {
    data: {
      kind: 'dataset',
      description: `The rows that pass every rule (mode: drop) or all rows (mode: flag), with ${ALERTS} (family:alert hit, "; "-separated), ${FAILURES} (rules failed) and ${PASSES} ("true"/"false") appended as text columns.`,
    },
    report: {
      kind: 'report',
      description:
        'CSV, one row per input molecule: its id columns and SMILES, passes_filters, and one column per rule (pass/fail with the limits broken, or the alerts hit).',
    },
  },
  defaultOutput: 'data',
  publish: { param: 'report_file', port: 'report' },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      smiles: { type: 'string', minLength: 1, default: 'canonical_smiles', description: 'The column holding SMILES strings.' },
      rules: {
        type: 'array',
        items: { enum: [...RULE_NAMES] },
        uniqueItems: true,
        minItems: 1,
        default: [...RULE_NAMES],
        description:
          'Rules a molecule must pass: lipinski (MW <= 500, cLogP <= 5, NH+OH donors <= 5, N+O acceptors <= 10), veber (rotatable bonds <= 10, TPSA <= 140), and the structural alert families pains_a, pains_b, pains_c (Baell & Holloway 2010) and brenk (Brenk et al. 2008), as in RDKit FilterCatalog.',
      },
      lipinski_max_violations: {
        type: 'integer',
        minimum: 0,
        maximum: 3,
        default: 1,
        description: "Lipinski limits a molecule may break and still pass (1, as Lipinski's rule of five states).",
      },
      mode: {
        enum: ['drop', 'flag'],
        default: 'drop',
        description: `drop keeps only the molecules passing every rule; flag keeps every row and marks it (${PASSES}).`,
      },
      allow_empty: { type: 'boolean', default: false, description: 'Whether no molecule passing is acceptable in mode drop (by default it fails the step).' },
      report_file: { type: ['string', 'null'], default: null, description: 'Also write the report CSV to this file (relative to the pipeline file).' },
    },
  },
  async run(ctx, params) {
    const { readDatasetFile, writeDatasetFile } = await import('../data/arrow.js');
    const { makeDataset, takeRows } = await import('../data/dataset.js');
    const { datasetCsv } = await import('../data/csv-write.js');
    const { loadRDKit } = await import('../chem/rdkit.js');
    const { smilesOf, invalidSmilesText } = await import('../chem/smiles-column.js');
    const { filterUnits } = await import('../chem/molecule-filters.js');
    const { outcomeText } = await import('../chem/property-rules.js');
    const { runUnitsCancellable } = await import('../ml/cancellation-point.js');
    type Column = import('../data/dataset.js').Column;

    const ds = await readDatasetFile(ctx.input('data')!);
    const names = ds.columns.map((c) => c.name);
    const smiles = smilesOf(ds, params.smiles);
    const clash = [ALERTS, FAILURES, PASSES].find((n) => names.includes(n));
    if (clash) throw new StepInputError(`input column "${clash}" has the name of a column this step adds (filtered twice?): rename or drop it first`);

    const rdkit = await loadRDKit();
    const started = performance.now();
    const result = await runUnitsCancellable(
      filterUnits(rdkit, smiles, {
        rules: params.rules,
        lipinskiMaxViolations: params.lipinski_max_violations,
        onProgress: (done, total) => ctx.progress(`${done}/${total} molecules`, done / total),
      }),
      ctx.signal,
    );
    if ('invalidRow' in result) {
      const i = result.invalidRow;
      const what = invalidSmilesText(smiles[i]);
      throw new StepInputError(
        `column "${params.smiles}", data row ${i + 1} of in.data: ${what}; run featurize.molecules with invalid: drop first, or set smiles: to the right column`,
      );
    }
    const verdicts = result.verdicts;
    const seconds = (performance.now() - started) / 1000;

    const alertsText = verdicts.map((v) => Object.values(v.alerts).flat().join('; '));
    const failuresText = verdicts.map((v) => v.failed.join('; '));
    const passes = verdicts.map((v) => (v.failed.length === 0 ? 'true' : 'false'));
    const text = (name: string, values: string[]): Column => ({ name, kind: 'text', data: { type: 'text', values } });
    const flagged = makeDataset([...ds.columns, text(ALERTS, alertsText), text(FAILURES, failuresText), text(PASSES, passes)], ds.target);
    const kept = passes.flatMap((p, i) => (p === 'true' ? [i] : []));
    if (params.mode === 'drop' && kept.length === 0 && ds.rowCount > 0 && !params.allow_empty)
      throw new StepInputError(
        `no molecule of ${ds.rowCount} passes ${params.rules.join(', ')}: check the rules, use mode: flag to see why, or set allow_empty: true`,
      );
    await writeDatasetFile(ctx.output('data'), params.mode === 'drop' ? takeRows(flagged, kept) : flagged);

    // The report: who each molecule is (its id columns and SMILES), then one column per rule.
    const idColumns = ds.columns.filter((c) => c.kind === 'id' || c.name === params.smiles);
    const ruleCell = (rule: RuleName, i: number): string => {
      const v = verdicts[i];
      if (rule === 'lipinski' || rule === 'veber') return outcomeText(v.properties[rule]!);
      const hits = v.alerts[rule]!;
      return hits.length ? hits.map((h) => h.slice(rule.length + 1)).join('; ') : 'pass';
    };
    const report = makeDataset([
      ...idColumns,
      text(PASSES, passes),
      ...params.rules.map((rule) =>
        text(
          rule,
          verdicts.map((_, i) => ruleCell(rule, i)),
        ),
      ),
    ]);
    await writeFile(ctx.output('report'), datasetCsv(report));

    const failedBy = Object.fromEntries(params.rules.map((r) => [r, verdicts.filter((v) => v.failed.includes(r)).length]));
    ctx.log(
      `${kept.length} of ${ds.rowCount} molecules pass ${params.rules.join(', ')} (${seconds.toFixed(1)} s); failing: ${params.rules.map((r) => `${r} ${failedBy[r]}`).join(', ')}`,
    );
    return {
      molecules: ds.rowCount,
      passed: kept.length,
      failed: ds.rowCount - kept.length,
      mode: params.mode,
      rules: params.rules,
      lipinski_max_violations: params.lipinski_max_violations,
      failed_by_rule: failedBy,
      rows: params.mode === 'drop' ? kept.length : ds.rowCount,
    };
  },
});
