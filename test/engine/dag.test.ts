/** `medpipe dag` in its three formats, on a diamond-shaped pipeline. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeProject } from './project.js';

const DIAMOND = 'medpipe: 1\nname: d\nsteps:\n  a: { uses: ./steps/counter.js }\n  b: { uses: ./steps/counter.js, in: { x: a } }\n  c: { uses: ./steps/counter.js, in: { x: a.out } }\n  d: { uses: ./steps/counter.js, in: { x: b }, needs: [c] }\n';

test('ascii draws every step once and refers back to a step with two parents', async () => {
  const p = makeProject({ 'p.yaml': DIAMOND });
  const r = await p.cli('dag', 'p.yaml');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trimEnd(), ['a (./steps/counter.js)', '├─ b (./steps/counter.js)', '│  └─ d (./steps/counter.js)', '└─ c (./steps/counter.js)', '   └─ d ↑ (drawn above)'].join('\n'));
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
