/**
 * Free text is never a feature (issue 21): load.csv reads a near-unique string column as kind
 * `text` and says so in its log, and preprocess passes it through unencoded with a note. The rule
 * (src/data/csv-infer.ts): a string column with more than half of its sampled present values
 * distinct is text, unless its name reads as an identifier (patient_id, MRN) and no value repeats,
 * which makes it an id. Unique codes under another name (accession) are therefore text: not a
 * feature either way; declaring them `id:` keeps them as identifiers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readDatasetFile } from '../../src/data/arrow.js';
import loadCsv from '../../src/steps/load.csv.js';
import preprocess from '../../src/steps/preprocess.js';
import split from '../../src/steps/split.js';
import { runStep } from '../helpers/step-harness.js';

const WORDS = ['pain', 'chest', 'after', 'stairs', 'no', 'fever', 'mild', 'cough', 'seen', 'by', 'GP', 'last', 'week', 'daughter', 'worried'];

function csv(): string {
  const lines = ['patient_id,accession,note,ward,age,outcome'];
  for (let i = 0; i < 200; i++) {
    const note = Array.from({ length: 6 }, (_, k) => WORDS[(i * (k + 3) + k * k) % WORDS.length]).join(' ') + ` (visit ${i})`;
    lines.push(`P${i},AC-${String(7919 * i).padStart(7, '0')},${note},${['A', 'B', 'C', 'D'][i % 4]},${30 + (i % 50)},${i % 5 === 0 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

test('a free-text column is loaded as text with a note, and preprocess leaves it out of the features saying so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-free-text-'));
  writeFileSync(join(dir, 'notes.csv'), csv());
  const loaded = await runStep(loadCsv, {}, { path: 'notes.csv', target: 'outcome', positive: 'yes' }, dir);
  const ds = await readDatasetFile(loaded.outputs.data);
  assert.deepEqual(Object.fromEntries(ds.columns.map((c) => [c.name, c.kind])), {
    patient_id: 'id',
    accession: 'text',
    note: 'text',
    ward: 'categorical',
    age: 'numeric',
    outcome: 'target',
  });
  assert.ok(
    loaded.logs.includes(
      'note: free text, not a feature: accession, note (declare columns: { <name>: categorical } to encode one, or id: to keep it as an identifier)',
    ),
    loaded.logs.join('\n'),
  );

  const parts = await runStep(split, { data: loaded.outputs.data }, { seed: 1 });
  const prep = await runStep(preprocess, { train: parts.outputs.train, test: parts.outputs.test }, {});
  assert.ok(prep.logs.includes('note: free text, not a feature (passed through unencoded): accession, note'), prep.logs.join('\n'));
  const out = await readDatasetFile(prep.outputs.train);
  assert.deepEqual(
    out.columns.map((c) => c.name),
    ['patient_id', 'accession', 'note', 'ward=A', 'ward=B', 'ward=C', 'ward=D', 'age', 'outcome'],
  );
  assert.equal(out.columns.find((c) => c.name === 'note')?.kind, 'text');
});
