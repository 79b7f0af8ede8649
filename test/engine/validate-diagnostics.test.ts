/**
 * Diagnostics as values: each has a severity and a source range (start and end), and points at
 * the other places involved: every edge of a cycle, the step a `--set` changes. `validate --json`
 * gives them to editors and CI as they are; the text output underlines each place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/errors.js';
import { makeProject } from './project.js';

const HEAD = 'medpipe: 1\nname: t\n';

async function diagnostics(yaml: string, ...extra: string[]): Promise<{ code: number; diagnostics: Diagnostic[]; text: string }> {
  const p = makeProject({ 'p.yaml': yaml });
  const json = await p.cli('validate', 'p.yaml', '--json', ...extra);
  const text = await p.cli('validate', 'p.yaml', ...extra);
  assert.equal(json.code, text.code);
  return { code: json.code, diagnostics: (JSON.parse(json.out) as { diagnostics: Diagnostic[] }).diagnostics, text: text.err };
}

const at = (line: number, column: number, endColumn: number) => ({ start: { line, column }, end: { line, column: endColumn } });

test('a cycle of three steps points at each of its three edges, with line and column', async () => {
  const yaml = `${HEAD}steps:\n  a: { uses: ./steps/counter.js, in: { x: c } }\n  b: { uses: ./steps/counter.js, in: { x: a } }\n  c: { uses: ./steps/counter.js, in: { x: b } }\n`;
  const r = await diagnostics(yaml);
  assert.equal(r.code, 1);
  assert.equal(r.diagnostics.length, 1);
  const [cycle] = r.diagnostics;
  assert.equal(cycle.message, 'cycle: a -> b -> c -> a');
  assert.deepEqual(cycle.range, at(4, 3, 4));
  assert.deepEqual(cycle.related, [
    { file: 'p.yaml', range: at(5, 43, 44), message: '"b" reads "a" (in.x)' },
    { file: 'p.yaml', range: at(6, 43, 44), message: '"c" reads "b" (in.x)' },
    { file: 'p.yaml', range: at(4, 43, 44), message: '"a" reads "c" (in.x)' },
  ]);
  // Each edge is shown with its source line and the reference underlined.
  const lines = r.text.split('\n');
  const note = lines.indexOf('  note: p.yaml:6:43: "c" reads "b" (in.x)');
  assert.ok(note > 0, r.text);
  assert.equal(lines[note + 1], '  6 |   c: { uses: ./steps/counter.js, in: { x: b } }');
  assert.equal(lines[note + 2], `    | ${' '.repeat(42)}-`);
});

test('a cycle through needs: points at the needs entry', async () => {
  const yaml = `${HEAD}steps:\n  a: { uses: ./steps/counter.js, in: { x: b } }\n  b:\n    uses: ./steps/counter.js\n    needs: [other, a]\n  other: { uses: ./steps/counter.js }\n`;
  const r = await diagnostics(yaml);
  assert.deepEqual(
    r.diagnostics.map((d) => d.related.map((l) => [l.range?.start.line, l.range?.start.column, l.message])),
    [
      [
        [7, 20, '"b" needs "a"'],
        [4, 43, '"a" reads "b" (in.x)'],
      ],
    ],
  );
});

test('a --set error points at the override, underlining the wrong part, and at the step it changes', async () => {
  const yaml = `${HEAD}params: { n: 4 }\nsteps:\n  svm: { uses: ./steps/counter.js, with: { n: 2 } }\n  lr: { uses: ./steps/counter.js, with: { label: "\${params.n}", n: "\${params.n}" } }\n`;
  const r = await diagnostics(yaml, '--set', 'svm.nn=3', '--set', 'svm.n=abc', '--set', 'n=x', '--set', 'nosvm.n=1', '--set', 'lr=2');
  assert.equal(r.code, 1);
  const byArg = new Map(r.diagnostics.map((d) => [d.file, d]));
  // --set svm.nn=3: "nn" (columns 11-12 of the argument) is not a parameter of svm.
  const unknown = byArg.get('--set svm.nn=3');
  assert.equal(unknown?.commandLine, true);
  assert.deepEqual(unknown?.range, at(1, 11, 13));
  assert.deepEqual(unknown?.related, [{ file: 'p.yaml', range: at(5, 3, 6), message: 'step "svm", which this --set changes' }]);
  // --set svm.n=abc: the value is wrong; the file's value it replaces is the related place.
  const value = byArg.get('--set svm.n=abc');
  assert.deepEqual(value?.range, at(1, 13, 16));
  assert.deepEqual(value?.related, [{ file: 'p.yaml', range: at(5, 47, 48), message: 'the value in the file, which this --set replaces' }]);
  // --set n=x: a pipeline parameter whose value breaks a step: each use in the step is related.
  const param = byArg.get('--set n=x');
  assert.equal(param?.message, 'step "lr": with.n must be number');
  assert.deepEqual(param?.range, at(1, 9, 10));
  // Only the use the problem is about: with.n, not with.label, which takes any text.
  assert.deepEqual(
    param?.related.map((l) => [l.range?.start.line, l.range?.start.column, l.message]),
    [[6, 68, 'step "lr" uses ${params.n} here']],
  );
  // A step that does not exist has no place in the file: only the argument is pointed at.
  assert.deepEqual(byArg.get('--set nosvm.n=1')?.range, at(1, 7, 12));
  assert.deepEqual(byArg.get('--set nosvm.n=1')?.related, []);
  // A step named as a parameter: the step is the related place.
  assert.equal(byArg.get('--set lr=2')?.message, '"lr" is a step, not a pipeline parameter');
  assert.deepEqual(
    byArg.get('--set lr=2')?.related.map((l) => l.range?.start),
    [{ line: 6, column: 3 }],
  );
  // The text shows which --set, with the bad part underlined.
  assert.match(
    r.text,
    /error: --set svm\.nn=3: step "svm": with\.nn is not a known parameter.*\n {3}\| --set svm\.nn=3\n {3}\| {11}\^\^\n  note: p\.yaml:5:3: step "svm", which this --set changes\n  5 \|   svm: /,
  );
});

test('every diagnostic carries a severity and a range that ends after it starts', async () => {
  const yaml = [
    HEAD + 'parms: {}',
    'steps:',
    '  a: { uses: ./steps/counter.js, with: { spin_mss: 3, n: ten } }',
    '  b: { uses: ./steps/counter.js, in: { x: nosuch } }',
    '  c: { uses: ./steps/nothere.js }',
    '  d: { uses: no.such.type }',
    '',
  ].join('\n');
  const r = await diagnostics(yaml, '--set', 'a.x=1');
  assert.equal(r.diagnostics.length, 7, JSON.stringify(r.diagnostics, null, 1));
  for (const d of r.diagnostics) {
    assert.equal(d.severity, 'error');
    assert.ok(d.range, d.message);
    const { start, end } = d.range;
    assert.ok(end.line > start.line || (end.line === start.line && end.column > start.column), `${d.message}: ${JSON.stringify(d.range)}`);
  }
  // The range covers the name or the value, not just its first character.
  const byMessage = (re: RegExp): Diagnostic | undefined => r.diagnostics.find((d) => re.test(d.message));
  assert.deepEqual(byMessage(/spin_mss/)?.range, at(5, 42, 50));
  assert.deepEqual(byMessage(/with\.n must be number/)?.range, at(5, 58, 61));
  assert.deepEqual(byMessage(/unknown top-level key/)?.range, at(3, 1, 6));
  assert.deepEqual(byMessage(/unknown step type "no\.such\.type"/)?.range, at(8, 14, 26));
});

test('a file that cannot be read has no range, and says so without one', async () => {
  const p = makeProject();
  const r = await p.cli('validate', 'nope.yaml', '--json');
  assert.equal(r.code, 1);
  const [d] = (JSON.parse(r.out) as { diagnostics: Diagnostic[] }).diagnostics;
  assert.deepEqual(d, { severity: 'error', file: 'nope.yaml', message: 'no such file', related: [] });
});

test('validate --json of a valid pipeline', async () => {
  const p = makeProject({ 'p.yaml': `${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n` });
  const r = await p.cli('validate', 'p.yaml', '--json');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { ok: true, file: 'p.yaml', steps: 1, diagnostics: [] });
});

test('an input wired to an output that does not fit points at the step referenced, whose type decides its outputs', async () => {
  const yaml = `${HEAD}steps:\n  a: { uses: ./steps/counter.js }\n  d: { uses: ./steps/counter.js, in: { m: a.out, x: a.nope } }\n`;
  const r = await diagnostics(yaml);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.message, d.range?.start.column, d.related]),
    [
      ['step "d": in.m wants a model, but a.out is a dataset', 43, [{ file: 'p.yaml', range: at(4, 14, 32), message: 'step "a" is a counter' }]],
      ['step "d": in.x: step "a" (counter) has no output "nope"', 53, [{ file: 'p.yaml', range: at(4, 14, 32), message: 'step "a" is a counter' }]],
    ],
  );
});
