#!/usr/bin/env node
/**
 * Writes data/breast-cancer-wisconsin-drifted.csv: a seeded, drifted copy of the Wisconsin data
 * for monitoring (pipelines/breast-cancer-monitoring.yaml, test/monitor). Two things change, as
 * they would when a model meets another clinic:
 *
 * - Case mix: 300 rows drawn without replacement, 165 malignant and 135 benign (55% malignant
 *   instead of the original 37%), as a referral centre sees more cancers.
 * - Scanner: about half the rows (column `scanner` = B) come from a second scanner whose
 *   calibration reads lengths 15% larger: radius and perimeter (mean, error, worst) x 1.15 and
 *   area x 1.15² = 1.3225; `mean_texture` is missing on about 1 in 10 of its rows (a field it
 *   does not export reliably). Scanner A rows are unchanged.
 *
 * Values keep 4 significant digits, as in the source. Reproducible byte for byte: one seeded
 * generator (mulberry32), no clock, no locale. Re-run: node scripts/drift-wisconsin.mjs [OUT]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SEED = 18;
const MALIGNANT = 165;
const BENIGN = 135;
const LENGTH_SCALE = 1.15;
const MISSING_TEXTURE = 0.1;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'data/breast-cancer-wisconsin-drifted.csv');

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
/** The first k of a seeded Fisher–Yates shuffle of a copy of `items`. */
function sample(items, k) {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}

const lines = readFileSync(join(root, 'data/breast-cancer-wisconsin.csv'), 'utf8').trimEnd().split(/\r?\n/);
const header = lines[0].split(',');
const rows = lines.slice(1).map((l) => l.split(','));
const diagnosis = header.indexOf('diagnosis');
const chosen = sample(
  [
    ...sample(
      rows.filter((r) => r[diagnosis] === 'malignant'),
      MALIGNANT,
    ),
    ...sample(
      rows.filter((r) => r[diagnosis] === 'benign'),
      BENIGN,
    ),
  ],
  MALIGNANT + BENIGN,
);
const factor = header.map((h) => (/(^|_)area(_|$)/.test(h) ? LENGTH_SCALE ** 2 : /(^|_)(radius|perimeter)(_|$)/.test(h) ? LENGTH_SCALE : 1));
const texture = header.indexOf('mean_texture');
const scaled = (x, f) => (f === 1 ? x : String(Number((Number(x) * f).toPrecision(4))));
const body = chosen.map((r) => {
  const b = rand() < 0.5;
  const cells = b ? r.map((x, i) => scaled(x, factor[i])) : [...r];
  if (b && rand() < MISSING_TEXTURE) cells[texture] = '';
  return [...cells, b ? 'B' : 'A'].join(',');
});
writeFileSync(out, [[...header, 'scanner'].join(','), ...body].join('\n') + '\n');
