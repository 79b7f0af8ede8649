/**
 * Step `check.data`: a data-quality report of a table (missing values and the tokens that marked
 * them, distributions, outliers, category counts, duplicate rows and ids, class balance, possible
 * leakage), train/test shift when given both parts, and declared expectations that fail the step.
 * Adapter over src/data/quality*.ts. The report holds counts and row numbers, never row values.
 */
import { writeFile } from 'node:fs/promises';
import { defineStep } from '../engine/step-type.js';
import { GateError, StepInputError } from '../errors.js';
import { CHECK_DATA_FORMAT } from '../report-formats.js';
import type { ExpectationSpec } from '../data/quality-expect.js';

const FINDINGS = ['expectations', 'duplicates', 'leakage', 'shift'] as const;
type Finding = (typeof FINDINGS)[number];

interface Params {
  expect: Record<string, ExpectationSpec>;
  leakage_threshold: number;
  shift_threshold: number;
  fail_on: Finding[];
  report_file: string | null;
}

const ruleSchema = {
  oneOf: [
    { const: 'unique', description: 'Shorthand for { unique: true }.' },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        min: { type: 'number', description: 'No value below this.' },
        max: { type: 'number', description: 'No value above this.' },
        unique: { type: 'boolean', description: 'No value on more than one row.' },
        missing: { type: 'string', description: 'A condition on the fraction of rows missing, e.g. "<= 0.1".' },
        levels: { type: 'array', items: { type: 'string' }, description: 'The only levels allowed.' },
      },
    },
  ],
};

export default defineStep<Params>({
  id: 'check.data',
  version: '1',
  description:
    'A data-quality report: missing values and their tokens, distributions, outliers, category counts, duplicate rows and ids, class balance, possible leakage, train/test shift, and declared expectations that fail the step.',
  inputs: {
    data: { kind: 'dataset', description: 'The table to check (e.g. the load step).' },
    train: { kind: 'dataset', optional: true, description: 'With test: the training part, for train/test shift (e.g. split.train).' },
    test: { kind: 'dataset', optional: true, description: 'With train: the test part, for train/test shift (e.g. split.test).' },
  },
  outputs: { report: { kind: 'report', description: 'The checks as JSON (counts and row numbers, no values).' } },
  defaultOutput: 'report',
  publish: { param: 'report_file', port: 'report' },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      expect: {
        type: 'object',
        additionalProperties: ruleSchema,
        default: {},
        description: 'Per column, rules the data must meet, e.g. { age: { min: 0, max: 120 }, patient_id: unique, bmi: { missing: "<= 0.1" } }.',
      },
      leakage_threshold: {
        type: 'number',
        minimum: 0.5,
        maximum: 1,
        default: 0.98,
        description: 'A column whose one-column AUC against the binary target reaches this is named as possible leakage.',
      },
      shift_threshold: { type: 'number', exclusiveMinimum: 0, default: 0.2, description: 'A column whose train/test PSI exceeds this is flagged as shifted.' },
      fail_on: {
        type: 'array',
        items: { enum: [...FINDINGS] },
        uniqueItems: true,
        default: ['expectations'],
        description: 'Findings that fail the step; the others are warnings in the report and the log.',
      },
      report_file: {
        type: ['string', 'null'],
        default: null,
        description: 'Also write the report to this file (relative to the pipeline file), for git.',
      },
    },
  },
  async run(ctx, params) {
    const trainPath = ctx.input('train');
    const testPath = ctx.input('test');
    if ((trainPath === undefined) !== (testPath === undefined))
      throw new StepInputError('shift needs both `train` and `test` wired (e.g. in: { data: load, train: split.train, test: split.test }), or neither');
    const dataPath = ctx.input('data');
    if (dataPath === undefined) throw new StepInputError('check.data needs `data` wired (e.g. in: { data: load })');
    const { readDatasetFile } = await import('../data/arrow.js');
    const { profileDataset } = await import('../data/quality.js');
    const { leakageScores, shiftScores } = await import('../data/quality-signals.js');
    const { checkExpectations, violationLines } = await import('../data/quality-expect.js');

    const ds = await readDatasetFile(dataPath);
    const profile = profileDataset(ds);
    const scores = leakageScores(ds);
    const leaks = scores.filter((s) => s.auc >= params.leakage_threshold);
    const shift =
      trainPath && testPath
        ? shiftScores(await readDatasetFile(trainPath), await readDatasetFile(testPath)).map((s) => ({ ...s, flagged: s.psi > params.shift_threshold }))
        : undefined;
    const expectations = checkExpectations(ds, params.expect);

    const warnings: Record<Finding, string[]> = {
      expectations: violationLines(expectations),
      duplicates: [
        ...(profile.duplicate_rows.rows
          ? [
              `${profile.duplicate_rows.rows} duplicate row(s) (rows ${profile.duplicate_rows.examples.join(', ')}${profile.duplicate_rows.rows > profile.duplicate_rows.examples.length ? ', …' : ''})`,
            ]
          : []),
        ...profile.duplicate_ids
          .filter((d) => d.rows)
          .map(
            (d) =>
              `${d.ids} id(s) of "${d.column}" on more than one row: ${d.rows} rows (rows ${d.examples.join(', ')}${d.rows > d.examples.length ? ', …' : ''})`,
          ),
      ],
      leakage: leaks.map(
        (l) => `possible leakage: column "${l.column}" alone predicts the target with AUC ${l.auc.toFixed(3)} (>= ${params.leakage_threshold})`,
      ),
      shift: (shift ?? [])
        .filter((s) => s.flagged)
        .map((s) => `train/test shift: column "${s.column}" has PSI ${s.psi.toFixed(3)} (> ${params.shift_threshold})`),
    };
    const report = {
      format: CHECK_DATA_FORMAT,
      ...profile,
      leakage: { threshold: params.leakage_threshold, columns: scores, flagged: leaks.map((l) => l.column) },
      ...(shift ? { shift: { threshold: params.shift_threshold, columns: shift } } : {}),
      expectations,
      fail_on: params.fail_on,
    };
    // Written before judging, so a failed check still leaves its report (the engine publishes it to report_file).
    await writeFile(ctx.output('report'), `${JSON.stringify(report, null, 2)}\n`);
    const failedExpectations = expectations.filter((e) => !e.passed).length;
    ctx.log(
      `${profile.rows} rows x ${profile.columns.length} columns; ${expectations.length - failedExpectations} of ${expectations.length} expectations hold; ${leaks.length} possible leak(s); ${shift ? `${shift.filter((x) => x.flagged).length} shifted column(s)` : 'no train/test given'}`,
    );
    for (const f of FINDINGS) if (!params.fail_on.includes(f)) for (const w of warnings[f]) ctx.log(`warning: ${w}`);
    const failing = params.fail_on.flatMap((f) => warnings[f]);
    if (failing.length) throw new GateError(failing.join('\n'));
    return {
      rows: profile.rows,
      columns: profile.columns.length,
      expectations_passed: expectations.filter((e) => e.passed).length,
      leakage: leaks.map((l) => l.column),
      duplicate_rows: profile.duplicate_rows.rows,
      duplicate_id_rows: profile.duplicate_ids.reduce((s, d) => s + d.rows, 0),
    };
  },
});
