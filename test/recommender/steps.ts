/** Helpers for the recommender step tests: the steps by name, and small tables as files. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStep, type StepRunResult } from '../helpers/step-harness.js';
import { builtinSteps } from '../../src/builtin-steps.js';
import { writeDatasetFile } from '../../src/data/arrow.js';
import { makeDataset, type Column } from '../../src/data/dataset.js';

/** Runs the built-in step `id` (the harness fills in its schema defaults, as the engine does). */
export function run(id: string, inputs: Record<string, string | string[]>, params: Record<string, unknown> = {}, pipelineDir?: string): Promise<StepRunResult> {
  const step = builtinSteps.get(id);
  if (!step) throw new Error(`no step ${id}`);
  return runStep(step, inputs, params, pipelineDir);
}

export const FEATURES = ['age', 'sex', 'diabetes', 'hypertension', 'ckd', 'copd', 'heart_failure', 'egfr_z'];

export async function generated(options: Record<string, unknown>): Promise<string> {
  return (await run('load.builtin', {}, { name: 'patient-treatment-outcomes', ...options })).outputs.data;
}

const dir = mkdtempSync(join(tmpdir(), 'medpipe-recommender-test-'));
let counter = 0;

/** A long table file from rows [patient, treatment, outcome] (outcome null = missing), plus extra numeric columns. */
export async function tableFile(rows: readonly (readonly [string, string, number | null])[], extra: Record<string, number[]> = {}): Promise<string> {
  const columns: Column[] = [
    { name: 'patient', kind: 'id', data: { type: 'text', values: rows.map((r) => r[0]) } },
    { name: 'treatment', kind: 'id', data: { type: 'text', values: rows.map((r) => r[1]) } },
    { name: 'outcome', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(rows, (r) => (r[2] === null ? NaN : r[2])) } },
    ...Object.entries(extra).map(([name, v]): Column => ({ name, kind: 'numeric', data: { type: 'numeric', values: Float64Array.from(v) } })),
  ];
  const path = join(dir, `${counter++}.arrow`);
  await writeDatasetFile(path, makeDataset(columns));
  return path;
}
