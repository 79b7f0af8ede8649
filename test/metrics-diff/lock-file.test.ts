/** The lock file: deterministic bytes, unaffected by timing, run ids or insertion order; reads back. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { stringify as yamlStringify } from 'yaml';
import type { Pipeline } from '../../src/engine/pipeline.js';
import type { PipelineState } from '../../src/engine/plan.js';
import { lockFileFor, lockFilePath, parseLockFile } from '../../src/metrics/lock-file.js';
import { DataError } from '../../src/errors.js';

// Compile-time: the engine's own types fit the lock file's structural parameters.
const fitsEngineTypes: (pipeline: Pipeline, state: PipelineState) => string = lockFileFor;
void fitsEngineTypes;

const digest = (s: string): string => createHash('sha256').update(s).digest('hex');
const USES: Record<string, string> = { load: 'load.csv', split: 'split', svm: 'train.svm', 'eval-svm': 'evaluate' };
const PORTS: Record<string, string[]> = { load: ['data'], split: ['train', 'test'], svm: ['model'], 'eval-svm': ['metrics'] };

function pipeline(order: string[]): { name: string; steps: Map<string, { uses: string }> } {
  return { name: 'breast-cancer-diagnosis', steps: new Map(order.map((id) => [id, { uses: USES[id] }])) };
}

function state(order: string[], runId: string, durationMs: number) {
  const steps: Record<
    string,
    {
      key: string;
      version: string;
      paramsDigest: string;
      params: Record<string, unknown>;
      inputs: Record<string, string>;
      files: Record<string, string>;
      outputs: Record<string, { digest: string; size: number; kind: 'dataset'; durationMs: number }>;
    }
  > = {};
  for (const id of order) {
    const ports = [...PORTS[id]].reverse(); // insertion order differs from sorted order on purpose
    steps[id] = {
      key: digest(`key:${id}`),
      version: '1',
      paramsDigest: digest(`params:${id}`),
      params: {},
      inputs: {},
      files: {},
      outputs: Object.fromEntries(ports.map((p) => [p, { digest: digest(`${id}.${p}`), size: 10, kind: 'dataset' as const, durationMs }])),
    };
  }
  return { path: '/x/pipelines/breast-cancer.yaml', name: 'breast-cancer-diagnosis', lastRunId: runId, steps };
}

describe('lock file', () => {
  const ids = ['load', 'split', 'svm', 'eval-svm'];

  it('is the same bytes for the same state, whatever the run id, timings or insertion order', () => {
    const a = lockFileFor(pipeline(ids), state(ids, '20261126T100000Z-aaaaaa', 120));
    const b = lockFileFor(pipeline(ids), state(ids, '20261126T100000Z-aaaaaa', 120));
    const c = lockFileFor(pipeline([...ids].reverse()), state([...ids].reverse(), '20270101T000000Z-bbbbbb', 98765));
    assert.equal(a, b);
    assert.equal(a, c);
    assert.doesNotMatch(a, /20261126|aaaaaa|durationMs|120/);
  });

  it('lists steps and ports sorted, each with uses, key and output digests, and reads back', () => {
    const text = lockFileFor(pipeline(ids), state(ids, 'r', 1));
    const lock = parseLockFile(text, 'p.lock.yaml');
    assert.equal(lock.pipeline, 'breast-cancer-diagnosis');
    assert.deepEqual(Object.keys(lock.steps), [...ids].sort());
    assert.deepEqual(Object.keys(lock.steps.split.outputs), ['test', 'train']);
    assert.deepEqual(lock.steps.svm, { uses: 'train.svm', key: digest('key:svm'), outputs: { model: digest('svm.model') } });
    // Long digests stay on one line each: git diffs show one changed line per changed output.
    for (const id of ids) for (const p of PORTS[id]) assert.ok(text.split('\n').some((l) => l.trim() === `${p}: ${digest(`${id}.${p}`)}`));
  });

  it('changes when a result changes, and leaves out steps never run and steps no longer in the pipeline', () => {
    const s = state(ids, 'r', 1);
    const before = lockFileFor(pipeline(ids), s);
    s.steps.svm.outputs.model.digest = digest('other model');
    assert.notEqual(lockFileFor(pipeline(ids), s), before);
    const fewer = parseLockFile(lockFileFor(pipeline(['load', 'split', 'new-step']), s), 'p.lock.yaml');
    assert.deepEqual(Object.keys(fewer.steps), ['load', 'split']);
  });

  it('sits next to the pipeline file', () => {
    assert.equal(lockFilePath('pipelines/breast-cancer.yaml'), 'pipelines/breast-cancer.lock.yaml');
    assert.equal(lockFilePath('/a/b/diabetes.yml'), '/a/b/diabetes.lock.yaml');
  });

  it('rejects a file that is not a lock file, naming it', () => {
    assert.throws(
      () => parseLockFile('steps: {}\n', 'x.lock.yaml'),
      (e: unknown) => e instanceof DataError && e.message.includes('x.lock.yaml') && e.message.includes('medpipe_lock'),
    );
    assert.throws(() => parseLockFile('medpipe_lock: 1\npipeline: p\nsteps: { a: { uses: x } }\n', 'x.lock.yaml'), DataError);
  });
});

describe('the lock file text is what yaml writes', () => {
  // The reference: the lock file as yaml's stringify wrote it before it was written line by line.
  const viaYaml = (p: { name: string; steps: Map<string, { uses: string }> }, s: Record<string, { key: string; outputs: Record<string, string> }>): string => {
    const steps: Record<string, unknown> = {};
    for (const id of [...p.steps.keys()].sort()) {
      const st = s[id];
      if (!st) continue;
      steps[id] = {
        uses: p.steps.get(id)?.uses,
        key: st.key,
        outputs: Object.fromEntries(
          Object.keys(st.outputs)
            .sort()
            .map((k) => [k, st.outputs[k]]),
        ),
      };
    }
    return `${lockFileFor({ name: p.name, steps: new Map() }, { steps: {} }).split('\n')[0]}\n${yamlStringify({ medpipe_lock: 1, pipeline: p.name, steps }, { lineWidth: 0, sortMapEntries: false })}`;
  };
  const asState = (s: Record<string, { key: string; outputs: Record<string, string> }>) => ({
    steps: Object.fromEntries(
      Object.entries(s).map(([id, v]) => [id, { key: v.key, outputs: Object.fromEntries(Object.entries(v.outputs).map(([p, d]) => [p, { digest: d }])) }]),
    ),
  });

  it('every shipped lock file is written back byte for byte', () => {
    const dir = fileURLToPath(new URL('../../../pipelines/', import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith('.lock.yaml'));
    assert.ok(files.length >= 5);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      const lock = parseLockFile(text, f);
      const p = { name: lock.pipeline, steps: new Map(Object.entries(lock.steps).map(([id, s]) => [id, { uses: s.uses }])) };
      assert.equal(lockFileFor(p, asState(lock.steps)), text, f);
    }
  });

  it('names and digests YAML would read as something else are quoted as yaml quotes them', () => {
    const awkward = [
      'true',
      'No',
      'null',
      '~',
      '123',
      '1e5',
      '0x1f',
      '.5',
      '-x',
      'a b',
      'x: y',
      "it's",
      '#c',
      'ü',
      '',
      '.inf',
      'step-1',
      './steps/x.js',
      '../x.js',
      '/abs/x.js',
      '.hidden',
      '.5e3',
      '.Inf',
      '.NaN',
      '-.5',
      '.',
    ];
    const steps: Record<string, { key: string; outputs: Record<string, string> }> = {};
    awkward.forEach((name, i) => {
      steps[name] = { key: i % 2 ? '1'.repeat(64) : `${i}e${i}`, outputs: { [name]: digest(name), data: '0'.repeat(63) + '9' } };
    });
    const p = { name: 'true', steps: new Map(awkward.map((name) => [name, { uses: name }])) };
    const written = lockFileFor(p, asState(steps));
    assert.equal(written, viaYaml(p, steps));
    const back = parseLockFile(written, 'x.lock.yaml');
    assert.equal(back.pipeline, 'true');
    for (const name of awkward) assert.deepEqual(back.steps[name].outputs, Object.fromEntries(Object.entries(steps[name].outputs).sort()));
    assert.equal(lockFileFor({ name: 'p', steps: new Map() }, { steps: {} }), viaYaml({ name: 'p', steps: new Map() }, {}));
  });
});
