/**
 * `npm run bench`: every benchmark, one table each. Pass names to run a subset:
 * `npm run bench -- engine data models`. The tables are also saved as JSON and Markdown
 * (`--out FILE.json`, default bench/results/latest.json, rewritten after each suite so an
 * interrupted run keeps what it measured); `npm run bench:compare -- OLD.json NEW.json` prints
 * two such files side by side.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchChem } from './chem.js';
import { benchData } from './data.js';
import { benchDurability } from './durability.js';
import { benchEngine } from './engine.js';
import { benchExplain } from './explain.js';
import { benchForest } from './models-forest.js';
import { benchGan } from './gan.js';
import { beginSuite, printedTables } from './measure.js';
import type { BenchResults } from './results.js';
import { benchSvm } from './models-svm.js';
import { benchQueue } from './queue.js';
import { benchRecommender } from './recommender.js';
import { benchRemoteCache } from './remote-cache.js';
import { benchRemoteTransfer } from './remote-transfer.js';
import { benchServe } from './serve.js';

const suites: Record<string, () => Promise<void>> = {
  engine: benchEngine,
  durability: benchDurability,
  data: benchData,
  models: async () => {
    await benchSvm();
    await benchForest();
  },
  recommender: benchRecommender,
  gan: benchGan,
  chem: benchChem,
  explain: benchExplain,
  'remote-transfer': benchRemoteTransfer,
  'remote-cache': benchRemoteCache,
  serve: benchServe,
  queue: benchQueue,
};

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = resolve(outAt >= 0 ? (args[outAt + 1] ?? '') : fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url)));
const wanted = outAt >= 0 ? args.filter((_, i) => i !== outAt && i !== outAt + 1) : args;

const started = new Date().toISOString();
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
})();

/** Writes what has been measured so far, JSON and Markdown, each replaced whole (written aside, then renamed). */
function save(): void {
  const results: BenchResults = {
    format: 'medpipe.bench/1',
    started,
    commit,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      platform: `${process.platform} ${process.arch}`,
      node: process.version,
    },
    tables: printedTables(),
  };
  mkdirSync(dirname(out), { recursive: true });
  const md = out.replace(/\.json$/, '') + '.md';
  const markdown = [
    `# medpipe benchmarks, ${started}${commit ? ` (commit ${commit})` : ''}`,
    `${results.machine.cpus} x ${results.machine.cpu}, ${results.machine.memoryGiB} GiB, ${results.machine.platform}, node ${results.machine.node}`,
    ...results.tables.map((t) => `\n## ${t.suite}: ${t.title}\n\n${markdownTable(t.rows)}`),
  ].join('\n');
  for (const [path, text] of [
    [out, `${JSON.stringify(results, null, 1)}\n`],
    [md, `${markdown}\n`],
  ] as const) {
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  }
}

function markdownTable(rows: readonly (readonly string[])[]): string {
  const line = (r: readonly string[]): string => `| ${r.join(' | ')} |`;
  return [line(rows[0]), `|${rows[0].map(() => '---').join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

for (const name of wanted.length ? wanted : Object.keys(suites)) {
  const suite = suites[name];
  if (!suite) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(suites).join(', ')}`);
    process.exitCode = 2;
    break;
  }
  console.log(`\n=== ${name} (${new Date().toISOString()}, ${process.platform} ${process.arch}, node ${process.version}) ===`);
  beginSuite(name);
  await suite();
  save();
}
if (printedTables().length) console.log(`\nresults: ${out} (and .md); compare two with npm run bench:compare -- OLD.json NEW.json`);
