/**
 * A small project for the queue's fault tests: a custom step that takes a given time (checking its
 * AbortSignal and reporting progress while it waits), in a chain a → b → c where b is slow, so a
 * test can act while b runs on a worker.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const SLOW_STEP = `
import { readFileSync, writeFileSync } from 'node:fs';
export default {
  id: 'slow', version: '1', description: 'adds n to its input after waiting ms', defaultOutput: 'out',
  inputs: { x: { kind: 'dataset', description: 'a number', optional: true } },
  outputs: { out: { kind: 'dataset', description: 'a number' } },
  params: { type: 'object', additionalProperties: false, properties: { n: { type: 'number' }, ms: { type: 'integer', minimum: 0, default: 0 }, fail: { type: 'boolean', default: false } } },
  async run(ctx, p) {
    const base = ctx.input('x') ? Number(readFileSync(ctx.input('x'), 'utf8')) : 0;
    const end = Date.now() + p.ms;
    while (Date.now() < end) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      ctx.progress('waiting', 1 - (end - Date.now()) / Math.max(1, p.ms));
      await new Promise((r) => setTimeout(r, 50));
    }
    if (p.fail) throw Object.assign(new Error('asked to fail'), { name: 'StepInputError' });
    writeFileSync(ctx.output('out'), String(base + p.n));
    return { value: base + p.n };
  },
};
`;

export const CHAIN = `medpipe: 1
name: q
steps:
  a: { uses: ./steps/slow.js, with: { n: 1 } }
  b: { uses: ./steps/slow.js, in: { x: a }, with: { n: 2, ms: SLOW_MS } }
  c: { uses: ./steps/slow.js, in: { x: b }, with: { n: 3, ms: 1500 } }
`;

export function slowProject(slowMs = 4000, step = SLOW_STEP, pipeline = CHAIN.replace('SLOW_MS', String(slowMs))): string {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-queue-'));
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  write('package.json', '{ "type": "module" }\n');
  write('steps/slow.js', step);
  write('p.yaml', pipeline);
  return dir;
}
