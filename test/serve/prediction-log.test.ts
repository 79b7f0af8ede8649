/**
 * The prediction log on its own: daily files, requests crossing midnight together, one writer
 * per file, and a damaged log refused at start.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyPredictionLog } from '../../src/serve/log-verify.js';
import { type PredictionEntry, PredictionLog } from '../../src/serve/prediction-log.js';

const entry = (i: number): PredictionEntry => ({
  model: 'm',
  version: 1,
  alias: null,
  bundle: 'b'.repeat(64),
  input_sha256: [String(i).padStart(64, '0')],
  output: { predictions: ['yes'] },
});

test("requests crossing midnight together go to the next day's file, each file an intact chain", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-predlog-'));
  let now = '2026-12-01T23:59:59.000Z';
  const log = await PredictionLog.open({ dir, now: () => now });
  for (let i = 0; i < 3; i++) await log.append(entry(i));
  now = '2026-12-02T00:00:00.001Z';
  await Promise.all(Array.from({ length: 5 }, (_, i) => log.append(entry(10 + i))));
  await log.close();
  const checks = verifyPredictionLog(dir);
  assert.deepEqual(
    checks.map((c) => [c.file.slice(dir.length + 1), c.check.ok && c.check.lines, c.hasHead]),
    [
      ['2026-12-01.jsonl', 3, true],
      ['2026-12-02.jsonl', 5, true],
    ],
  );
  assert.ok(!existsSync(join(dir, '2026-12-01.jsonl.lock')) && !existsSync(join(dir, '2026-12-02.jsonl.lock')), 'locks released');
});

test('a second writer of the same file is refused; a reopened log continues its chain', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'medpipe-predlog-')), 'p.jsonl');
  const now = (): string => '2026-12-02T10:00:00.000Z';
  const first = await PredictionLog.open({ file, now });
  await first.append(entry(1));
  await assert.rejects(PredictionLog.open({ file, now }), /is being written by another medpipe serve .*give each server its own log with --log FILE/);
  await first.close();
  const again = await PredictionLog.open({ file, now });
  await again.append(entry(2));
  await again.close();
  const [check] = verifyPredictionLog(file);
  assert.deepEqual(check.check.ok && check.check.lines, 2);
});

test('a log whose end was cut is refused at start, naming it and what to do', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'medpipe-predlog-')), 'p.jsonl');
  const now = (): string => '2026-12-02T10:00:00.000Z';
  const log = await PredictionLog.open({ file, now });
  for (let i = 0; i < 3; i++) await log.append(entry(i));
  await log.close();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  writeFileSync(file, `${lines.slice(0, 2).join('\n')}\n`);
  await assert.rejects(
    PredictionLog.open({ file, now }),
    /p\.jsonl is damaged at line 2 \(the head file records line 3, but the log has 2 lines: its end was removed\); nothing is appended to it: keep it as evidence, move it/,
  );
});
