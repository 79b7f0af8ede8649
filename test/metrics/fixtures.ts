/**
 * Reads the metric parity fixtures written by test/fixtures/metrics_fixtures.py (scikit-learn 1.2's
 * answers on fixed inputs), and a comparison to 1e-9.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BinaryFixture {
  y_true: number[];
  scores: number[];
  threshold: number;
  probabilities: boolean;
  metrics: Record<string, number>;
  confusion_matrix: number[][];
  roc_curve: { fpr: number[]; tpr: number[]; thresholds: number[] };
  calibration?: Record<string, { prob_true: number[]; prob_pred: number[] }>;
  youden_threshold: number;
  sensitivity_thresholds: Record<string, number>;
}

export interface MulticlassFixture {
  n_classes: number;
  y_true: number[];
  scores: number[];
  y_pred: number[];
  metrics: Record<string, number>;
  confusion_matrix: number[][];
}

export interface RegressionFixture {
  y_true: number[];
  y_pred: number[];
  metrics: Record<string, number>;
}

export const BINARY_CASES = ['breast-cancer', 'ties', 'decision', 'imbalanced'] as const;

export function readMetricsFixture<T>(name: string): T {
  return JSON.parse(readFileSync(`${ROOT}test/fixtures/metrics/${name}.json`, 'utf8')) as T;
}

/** Equal to 1e-9 relative, with a 1e-12 absolute floor for values near 0. */
export function assertClose(actual: number | null | undefined, expected: number, label: string): void {
  assert.ok(typeof actual === 'number', `${label}: got ${actual}, expected ${expected}`);
  const ok = actual === expected || Math.abs(actual - expected) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(expected)) + 1e-12;
  assert.ok(ok, `${label}: got ${actual}, expected ${expected}`);
}

export function assertAllClose(actual: ArrayLike<number>, expected: readonly number[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) assertClose(actual[i], expected[i], `${label}[${i}]`);
}
