/** The JSON file `npm run bench` writes (run.ts) and `npm run bench:compare` reads (compare.ts). */
import type { BenchTable } from './measure.js';

export interface BenchResults {
  readonly format: 'medpipe.bench/1';
  /** When the run started, ISO 8601 UTC. */
  readonly started: string;
  /** The commit measured (short hash), null outside a git checkout. */
  readonly commit: string | null;
  readonly machine: { readonly cpus: number; readonly cpu: string; readonly memoryGiB: number; readonly platform: string; readonly node: string };
  readonly tables: readonly BenchTable[];
}
