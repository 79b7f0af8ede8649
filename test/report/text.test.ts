/**
 * The report's text helpers: numbered columns (256 fingerprint bits) kept to one item, the
 * generative step's "not compared" note in one line, the model card read by its headings, and the
 * candidate table's CSV.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelCard } from '../../src/report/card-text.js';
import { summariseNames, summariseReasons } from '../../src/report/column-names.js';
import { parseCsv } from '../../src/report/csv-text.js';
import { noteLine } from '../../src/report/generative-section.js';

test('numbered columns collapse into one item; a "name (reason), …" note groups by reason', () => {
  const names = ['pic50', 'exact_mass', ...Array.from({ length: 256 }, (_, i) => `fp_${i}`), 'x1', 'x2'];
  assert.deepEqual(summariseNames(names), ['pic50', 'exact_mass', 'fp_0 … fp_255 (256 columns)', 'x1', 'x2']);
  const note = `not compared: ${names.map((n) => `${n} (not in the synthetic dataset)`).join(', ')}, smiles (not numeric in the synthetic dataset)`;
  assert.deepEqual(summariseReasons(note.slice('not compared: '.length)), [
    { reason: 'not in the synthetic dataset', names: summariseNames(names), count: names.length },
    { reason: 'not numeric in the synthetic dataset', names: ['smiles'], count: 1 },
  ]);
  const line = noteLine(note);
  assert.equal(
    line,
    '<span class="not-compared">not compared, 261 columns: pic50, exact_mass, fp_0 … fp_255 (256 columns), x1, x2 (not in the synthetic dataset); smiles (not numeric in the synthetic dataset)</span>',
  );
  assert.equal(noteLine('a <b> note'), 'a &lt;b&gt; note', 'other notes as they are, escaped');
});

test('the model card is read by its headings; the candidate CSV by RFC 4180', () => {
  const card = parseModelCard(
    [
      '# Model card: m',
      '',
      'What it is.',
      '',
      '## Intended use',
      '',
      'For `x`.',
      '',
      '## Model',
      '',
      '- Algorithm: a',
      '- Input: 2 columns — a (numeric), b (numeric)',
      '',
      '## Evaluation',
      '',
      '| metric |',
      '',
      '## Limitations',
      '',
      'One site.',
      'Old data.',
      '',
    ].join('\n'),
  );
  assert.deepEqual(card, {
    title: 'm',
    description: 'What it is.',
    intendedUse: 'For `x`.',
    limitations: 'One site.\nOld data.',
    model: ['Algorithm: a', 'Input: 2 columns — a (numeric), b (numeric)'],
    data: [],
  });
  assert.deepEqual(parseCsv('rank,smiles\r\n1,"C(=O)O,x"\n2,"a""b"\n'), [
    ['rank', 'smiles'],
    ['1', 'C(=O)O,x'],
    ['2', 'a"b'],
  ]);
});
