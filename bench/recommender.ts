/**
 * Benchmark of the recommender library: explicit ALS (32 factors, 10 iterations) and item-kNN
 * (cosine, 50 neighbours) on 1,000,000 generated observations (50,000 patients x 2,000
 * treatments), plus the generator itself. Each measurement runs in a fresh child process so its
 * peak RSS (getrusage maxrss) is its own; the table shows the median of the repeats.
 * Target from issue 6: ALS under 10 s and under 1 GB on a 2-core machine.
 *
 * Run: `node dist/bench/recommender.js` (or via the bench runner, which calls `benchRecommender()`).
 * A single measurement: `node dist/bench/recommender.js --one TASK` (TASK one of TASKS below; the
 * `-typescript` ALS tasks force the TypeScript half-step instead of the WebAssembly one).
 */
import { fileURLToPath } from 'node:url';
import { generatePatientTreatmentOutcomes } from '../src/data/generators/patient-treatment-outcomes.js';
import { fitAls, fitAlsParallel } from '../src/ml/recommender/als.js';
import { fitItemKnn } from '../src/ml/recommender/item-knn.js';
import { measureNode, median, printTable } from './measure.js';

const SIZE = { patients: 50_000, treatments: 2_000, observations: 1_000_000, rank: 10, noise: 0.5, seed: 20261126 };
const REPEATS = 3;
const TASKS = ['generate', 'als', 'als-2-threads', 'als-typescript', 'als-2-threads-typescript', 'item-knn'] as const;
type Task = (typeof TASKS)[number];

/** Runs one task in this process and prints its own time (excluding generation) as JSON. */
async function runOne(task: Task): Promise<void> {
  const t0 = performance.now();
  const g = generatePatientTreatmentOutcomes(SIZE);
  const genMs = performance.now() - t0;
  const obs = { user: g.observations.patient, item: g.observations.treatment, value: g.observations.outcome };
  const t1 = performance.now();
  // 'auto' is the WebAssembly half-step when built; '-typescript' forces the fallback (same factors).
  const als = { factors: 32, iterations: 10, lambda: 0.05, seed: 1, solver: task.endsWith('-typescript') ? ('typescript' as const) : ('auto' as const) };
  if (task === 'als' || task === 'als-typescript') fitAls(obs, SIZE.patients, SIZE.treatments, als);
  if (task === 'als-2-threads' || task === 'als-2-threads-typescript') await fitAlsParallel(obs, SIZE.patients, SIZE.treatments, { ...als, threads: 2 });
  if (task === 'item-knn') fitItemKnn(obs, SIZE.patients, SIZE.treatments, { neighbours: 50, similarity: 'cosine' });
  const ms = task === 'generate' ? genMs : performance.now() - t1;
  console.log(JSON.stringify({ task, ms, observations: obs.user.length }));
}

export async function benchRecommender(): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const rows: string[][] = [['task (50,000 x 2,000, 1M obs)', 'median time (s)', 'median peak RSS (MB)', 'runs']];
  for (const task of TASKS) {
    const times: number[] = [],
      rss: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const m = await measureNode(script, ['--one', task], process.cwd());
      if (m.code !== 0) throw new Error(`bench ${task} failed: ${m.stderr}`);
      times.push(JSON.parse(m.stdout.trim().split('\n').pop() ?? '{}').ms / 1000);
      rss.push(m.peakRssMb);
    }
    const labels: Record<Task, string> = {
      generate: 'generate outcomes',
      als: 'ALS 32 factors x 10 iterations, 1 thread (WebAssembly)',
      'als-2-threads': 'ALS 32 factors x 10 iterations, 2 threads (WebAssembly)',
      'als-typescript': 'ALS 32 factors x 10 iterations, 1 thread (TypeScript)',
      'als-2-threads-typescript': 'ALS 32 factors x 10 iterations, 2 threads (TypeScript)',
      'item-knn': 'item-kNN cosine, 50 neighbours',
    };
    const label = labels[task];
    rows.push([label, median(times).toFixed(2), median(rss).toFixed(0), times.map((t) => t.toFixed(2)).join(' / ')]);
  }
  printTable('Recommender (peak RSS includes generating the data; machine may be shared)', rows);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--one');
  if (at >= 0) await runOne(process.argv[at + 1] as Task);
  else await benchRecommender();
}
