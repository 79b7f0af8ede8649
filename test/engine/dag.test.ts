/** `medpipe dag` in its three formats, on a diamond-shaped pipeline. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, runCli } from '../helpers/cli.js';
import { makeProject } from './project.js';

const DIAMOND =
  'medpipe: 1\nname: d\nsteps:\n  a: { uses: ./steps/counter.js }\n  b: { uses: ./steps/counter.js, in: { x: a } }\n  c: { uses: ./steps/counter.js, in: { x: a.out } }\n  d: { uses: ./steps/counter.js, in: { x: b }, needs: [c] }\n';

test('ascii draws every step once, a step with two parents under one of them with the other named inline', async () => {
  const p = makeProject({ 'p.yaml': DIAMOND });
  const r = await p.cli('dag', 'p.yaml');
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out.trimEnd(),
    ['a (./steps/counter.js)', '├─ b (./steps/counter.js)', '│  └─ d (./steps/counter.js) ← also c', '└─ c (./steps/counter.js)'].join('\n'),
  );
});

test('ascii draws a step under its deepest parent, so the shipped pipeline reads top to bottom with no step repeated', async () => {
  const r = await runCli(ROOT, 'dag', 'pipelines/breast-cancer.yaml');
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out.trimEnd(),
    [
      'load (load.csv)',
      '└─ split (split)',
      '   └─ prep (preprocess)',
      '      ├─ select (select-features)',
      '      │  └─ svm (train.svm)',
      '      │     └─ eval-svm (evaluate) ← also select',
      '      │        └─ register-svm (register) ← also svm, prep, select, split',
      '      └─ forest (train.random-forest)',
      '         └─ eval-forest (evaluate) ← also prep',
      '            └─ register-forest (register) ← also forest, prep, split',
    ].join('\n'),
  );
});

test('mermaid and dot list every edge with its ports', async () => {
  const p = makeProject({ 'p.yaml': DIAMOND });
  const mermaid = (await p.cli('dag', 'p.yaml', '--format', 'mermaid')).out;
  assert.match(mermaid, /^flowchart LR/);
  for (const edge of ['a -->|out → x| b', 'a -->|out → x| c', 'b -->|out → x| d', 'c -->|needs| d']) assert.ok(mermaid.includes(edge), edge);
  const dot = (await p.cli('dag', 'p.yaml', '--format', 'dot')).out;
  assert.match(dot, /^digraph "d" \{/);
  assert.equal((dot.match(/ -> /g) ?? []).length, 4);
  const bad = await p.cli('dag', 'p.yaml', '--format', 'svg');
  assert.equal(bad.code, 2);
});
