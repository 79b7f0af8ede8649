/** Shared by the generative tests: the repository root, the breast-cancer halves, seeded Gaussian tables. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRng } from '../../src/rng.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(`${ROOT}test/fixtures/generative/${name}`, 'utf8')) as T;
}

/** The breast-cancer CSV: feature names, feature columns, and the diagnosis per row. */
export function breastCancer(): { names: string[]; columns: Float64Array[]; diagnosis: string[] } {
  const lines = readFileSync(`${ROOT}data/breast-cancer-wisconsin.csv`, 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const body = lines.slice(1).map((l) => l.split(','));
  const t = header.indexOf('diagnosis');
  const names = header.filter((_, j) => j !== t);
  const columns = names.map((name) => Float64Array.from(body, (r) => Number(r[header.indexOf(name)])));
  return { names, columns, diagnosis: body.map((r) => r[t]) };
}

/** Rows with index % 2 == parity (the fixture script's halves). */
export function half(col: Float64Array, parity: 0 | 1): Float64Array {
  return col.filter((_, i) => i % 2 === parity);
}

/**
 * n rows of a 2-D Gaussian with unit variances and correlation rho, plus `shift` on both means,
 * as two columns.
 */
export function gaussian2(n: number, rho: number, seed: number, shift = 0): Float64Array[] {
  const rng = createRng(seed);
  const x = new Float64Array(n),
    y = new Float64Array(n);
  const s = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < n; i++) {
    const a = rng.normal(),
      b = rng.normal();
    x[i] = a + shift;
    y[i] = rho * a + s * b + shift;
  }
  return [x, y];
}

export function closeTo(actual: number, expected: number, tol: number, what: string): void {
  const ok = Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
  if (!ok) throw new Error(`${what}: ${actual} vs expected ${expected} (tol ${tol})`);
}
