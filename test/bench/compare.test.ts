/**
 * `npm run bench:compare`: two results files of `npm run bench` side by side, tables matched by
 * suite and title (dates aside), rows by their label cells, changed numbers shown with the change.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { cellNumber, compareCell } from '../../bench/compare.js';
import type { BenchResults } from '../../bench/results.js';

const COMPARE = fileURLToPath(new URL('../../bench/compare.js', import.meta.url));

const results = (started: string, rows: string[][], extra: BenchResults['tables'] = []): BenchResults => ({
  format: 'medpipe.bench/1',
  started,
  commit: 'abc1234',
  machine: { cpus: 2, cpu: 'test cpu', memoryGiB: 8, platform: 'linux x64', node: 'v20' },
  tables: [{ suite: 'models', title: `Random forest, 100 trees; ${started.slice(0, 10)}; median of 5 runs`, rows }, ...extra],
});

test('numbers are read with their units; a changed one is shown old → new with the change in percent', () => {
  assert.deepEqual(cellNumber('0.41 s'), { value: 0.41, unit: 's' });
  assert.deepEqual(cellNumber('1,234 rows/s'), { value: 1234, unit: 'rows/s' });
  assert.deepEqual(cellNumber('1.18x'), { value: 1.18, unit: 'x' });
  assert.equal(cellNumber('scikit-learn n_jobs=2'), null);
  assert.equal(compareCell('0.80', '0.60'), '0.80 → 0.60 (-25%)');
  assert.equal(compareCell('2.0 s', '3.0 s'), '2.0 s → 3.0 s (+50%)');
  assert.equal(compareCell('0.5', '0.5'), '0.5');
  assert.equal(compareCell('5 ms', '0.005 s'), '5 ms → 0.005 s', 'different units are not compared as numbers');
});

test('two results files side by side: matched tables and rows, new and dropped rows marked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-compare-'));
  try {
    const header = ['data', 'implementation', 'warm fit s', 'accuracy'];
    const old = results('2026-12-02T10:00:00.000Z', [
      header,
      ['digits', 'scikit-learn n_jobs=2', '0.19', '0.97'],
      ['digits', 'medpipe', '0.62', '0.97'],
      ['digits', 'gone', '1.00', '0.5'],
    ]);
    const now = results(
      '2026-12-03T10:00:00.000Z',
      [header, ['digits', 'scikit-learn n_jobs=2', '0.19', '0.97'], ['digits', 'medpipe', '0.17', '0.97'], ['digits', 'added', '0.30', '0.96']],
      [
        {
          suite: 'engine',
          title: 'Engine',
          rows: [
            ['what', 'ms'],
            ['no-op', '250'],
          ],
        },
      ],
    );
    writeFileSync(join(dir, 'old.json'), JSON.stringify(old));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(now));
    const r = spawnSync(process.execPath, [COMPARE, join(dir, 'old.json'), join(dir, 'new.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| digits \| medpipe \| 0\.62 → 0\.17 \(-73%\) \| 0\.97 \|/);
    assert.match(r.stdout, /\| digits \| scikit-learn n_jobs=2 \| 0\.19 \| 0\.97 \|/);
    assert.match(r.stdout, /\| digits \(new\) \| added \|/);
    assert.match(r.stdout, /\| digits \(only in the old run\) \| gone \|/);
    assert.match(r.stdout, /## engine: Engine \(not in the old run\)/);
    assert.doesNotMatch(r.stdout, /## models: .*not in the old run/, 'the date in the title does not separate the tables');

    writeFileSync(join(dir, 'bad.json'), '{"tables": []}');
    const bad = spawnSync(process.execPath, [COMPARE, join(dir, 'bad.json'), join(dir, 'new.json')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad\.json is not a results file of npm run bench/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
