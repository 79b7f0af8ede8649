/**
 * Rebuilds, in TypeScript, the tables test/fixtures/sklearn_data_fixtures.py computed its
 * reference values on: the shipped breast-cancer CSV, split by row index, with the documented
 * blanking pattern and derived categorical column. The design numbers are read from the fixture
 * file itself, so the two sides cannot drift apart. Shared by the preprocess and select tests.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeDataset, takeRows, type Column, type Dataset } from '../../src/data/dataset.js';

/** The repository root (tests run from dist/test/<area>/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Design {
  csv: string;
  target: string;
  positive: string;
  testEvery: number;
  blankEvery: number;
  blankColumns: number;
  band: { column: string; source: string; edges: number[]; labels: string[]; missingEvery: number };
  kBest: number;
  varianceThresholds: number[];
  correlationThreshold: number;
  iqrK: number;
  zscoreZ: number;
  constantFill: number;
  miNeighbors: number;
  forestTrees: number;
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(`${ROOT}test/fixtures/data/${name}`, 'utf8')) as T;
}

interface Table {
  features: string[];
  values: Float64Array[];
  diagnosis: string[];
}

function readTable(design: Design): Table {
  const lines = readFileSync(ROOT + design.csv, 'utf8')
    .trim()
    .split(/\r?\n/);
  const header = lines[0].split(',');
  const t = header.indexOf(design.target);
  const body = lines.slice(1).map((l) => l.split(','));
  const features = header.filter((_, j) => j !== t);
  const sourceIndex = header.map((_, j) => j).filter((j) => j !== t);
  const values = sourceIndex.map((j) => Float64Array.from(body, (r) => Number(r[j])));
  return { features, values, diagnosis: body.map((r) => r[t]) };
}

function targetColumn(design: Design, diagnosis: string[]): Column {
  // Categories in order of first appearance, so nothing relies on sorted class codes.
  const categories = [...new Set(diagnosis)];
  return { name: design.target, kind: 'target', data: { type: 'categorical', codes: Int32Array.from(diagnosis, (d) => categories.indexOf(d)), categories } };
}

function split(ds: Dataset, design: Design): { train: Dataset; test: Dataset } {
  const trainRows: number[] = [],
    testRows: number[] = [];
  for (let i = 0; i < ds.rowCount; i++) (i % design.testEvery === 0 ? testRows : trainRows).push(i);
  return { train: takeRows(ds, trainRows), test: takeRows(ds, testRows) };
}

/** The complete table (no blanks), split; used by feature selection. */
export function selectionTables(design: Design): { train: Dataset; test: Dataset; features: string[] } {
  const t = readTable(design);
  const columns: Column[] = t.features.map((name, j) => ({ name, kind: 'numeric', data: { type: 'numeric', values: t.values[j] } }));
  const ds = makeDataset([...columns, targetColumn(design, t.diagnosis)], { column: design.target, positive: design.positive });
  return { ...split(ds, design), features: t.features };
}

/** The table with blanks and the derived `size_band` column, split; used by preprocessing. */
export function preprocessTables(design: Design): { train: Dataset; test: Dataset; features: string[] } {
  const t = readTable(design);
  const n = t.diagnosis.length;
  const blanked = t.values.map((v) => Float64Array.from(v));
  for (let i = 0; i < n; i += design.blankEvery) blanked[Math.floor(i / design.blankEvery) % design.blankColumns][i] = NaN;
  const b = design.band;
  const area = t.values[t.features.indexOf(b.source)];
  const codes = Int32Array.from(area, (a, i) => {
    if (i % b.missingEvery === 0) return -1;
    const k = b.edges.findIndex((e) => a < e);
    return k < 0 ? b.labels.length - 1 : k;
  });
  const columns: Column[] = t.features.map((name, j) => ({ name, kind: 'numeric', data: { type: 'numeric', values: blanked[j] } }));
  const band: Column = { name: b.column, kind: 'categorical', data: { type: 'categorical', codes, categories: b.labels } };
  const ds = makeDataset([...columns, band, targetColumn(design, t.diagnosis)], { column: design.target, positive: design.positive });
  return { ...split(ds, design), features: t.features };
}

/** Equal to 1e-9 relative, with a 1e-12 absolute floor for values that should be 0. */
export function assertClose(actual: number, expected: number, label: string, rel = 1e-9): void {
  const ok = actual === expected || Math.abs(actual - expected) <= rel * Math.max(Math.abs(actual), Math.abs(expected)) + 1e-12;
  if (!ok) throw new Error(`${label}: got ${actual}, expected ${expected} (relative difference ${Math.abs(actual - expected) / Math.abs(expected)})`);
}

export function numericValues(ds: Dataset, name: string): Float64Array {
  const c = ds.columns.find((x) => x.name === name);
  if (c?.data.type !== 'numeric') throw new Error(`no numeric column "${name}"`);
  return c.data.values;
}
