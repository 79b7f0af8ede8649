/**
 * The remote cache end to end (issue 16): the flagship and drug-discovery pipelines run by the
 * CLI from an empty local store, side by side in one run:
 *   - cold compute: no remote, everything computed (the reference);
 *   - everything local: the same store again, every step a local hit;
 *   - cold remote: a file:// and an S3 (s3rver on loopback) remote that are empty: computed and pushed;
 *   - warm remote: another empty local store with that remote: every step taken from the remote.
 * Each run is a child process (`medpipe run --plain`), timed from spawn to exit. Bytes moved come
 * from the run record (RunRecord.remote.stats); "on the remote" is everything the cold run pushed,
 * so "downloaded / on remote" shows that a warm run fetches only what it reads (the published
 * metrics files and the register steps' bundles and cards).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunRecord } from '../src/engine/record.js';
import { S3RVER_ENV, startS3Server } from '../test/helpers/s3-server.js';
import { measureNode, printTable } from './measure.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'dist/src/cli/bin.js');
const PIPELINES = ['pipelines/breast-cancer.yaml', 'pipelines/drug-discovery.yaml'];

function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-remote-cache-'));
  cpSync(join(ROOT, 'pipelines'), join(dir, 'pipelines'), { recursive: true });
  cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{}\n');
  return dir;
}

function lastRecord(store: string): RunRecord {
  const runs = readdirSync(join(store, 'runs')).sort();
  return JSON.parse(readFileSync(join(store, 'runs', runs[runs.length - 1]), 'utf8')) as RunRecord;
}

interface Outcome {
  seconds: number;
  computed: number;
  fromRemote: number;
  cached: number;
  down: number;
  up: number;
}

async function run(dir: string, pipeline: string, store: string, remote: string | undefined): Promise<Outcome> {
  const args = ['run', pipeline, '--plain', '--store', store, ...(remote ? ['--remote', remote, '--remote-required'] : [])];
  const m = await measureNode(BIN, args, dir, S3RVER_ENV);
  if (m.code !== 0) throw new Error(`medpipe ${args.join(' ')} failed (${m.code}): ${m.stderr || m.stdout}`);
  const record = lastRecord(join(dir, store));
  const steps = Object.values(record.steps);
  return {
    seconds: m.wallMs / 1000,
    computed: steps.filter((s) => s.status === 'done').length,
    fromRemote: steps.filter((s) => s.status === 'cached' && s.source === 'remote').length,
    cached: steps.filter((s) => s.status === 'cached').length,
    down: record.remote?.stats.bytesDownloaded ?? 0,
    up: record.remote?.stats.bytesUploaded ?? 0,
  };
}

const mb = (n: number): string => (n / 1e6).toFixed(2);

export async function benchRemoteCache(): Promise<void> {
  const server = await startS3Server({ prefix: 'bench' });
  const rows = [['pipeline', 'scenario', 's', 'x cold compute', 'computed', 'from remote', 'MB down', 'MB up', 'down / on remote', 'MB/s']];
  try {
    for (const pipeline of PIPELINES) {
      const dir = projectCopy();
      const remoteDir = mkdtempSync(join(tmpdir(), 'medpipe-bench-remote-'));
      try {
        const name = pipeline.replace(/^pipelines\/|\.yaml$/g, '');
        const cold = await run(dir, pipeline, 'store-cold', undefined);
        const local = await run(dir, pipeline, 'store-cold', undefined);
        const line = (scenario: string, o: Outcome, onRemote?: number): string[] => [
          name,
          scenario,
          o.seconds.toFixed(2),
          `${((100 * o.seconds) / cold.seconds).toFixed(1)}%`,
          String(o.computed),
          String(o.fromRemote),
          mb(o.down),
          mb(o.up),
          onRemote ? `${((100 * o.down) / onRemote).toFixed(1)}% of ${mb(onRemote)} MB` : '',
          o.down ? (o.down / 1e6 / o.seconds).toFixed(1) : '',
        ];
        rows.push(line('cold compute (no remote)', cold), line('everything local', local));
        for (const [label, url] of [
          ['file://', pathToFileURL(remoteDir).href],
          ['s3 (s3rver)', server.url.replace('/bench', `/bench-${name}`)],
        ] as const) {
          const coldRemote = await run(dir, pipeline, `store-${label.slice(0, 2)}-a`, url);
          const warm = await run(dir, pipeline, `store-${label.slice(0, 2)}-b`, url);
          rows.push(line(`cold remote ${label}`, coldRemote), line(`warm remote ${label}`, warm, coldRemote.up));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(remoteDir, { recursive: true, force: true });
      }
    }
  } finally {
    await server.stop();
  }
  printTable('Remote cache: a run from an empty local store (wall time of `medpipe run`, one run each)', rows);
}
