/**
 * `npm run bench`: every benchmark, one table each. Pass names to run a subset:
 * `npm run bench -- engine data models`.
 */
import { benchChem } from './chem.js';
import { benchData } from './data.js';
import { benchDurability } from './durability.js';
import { benchEngine } from './engine.js';
import { benchExplain } from './explain.js';
import { benchForest } from './models-forest.js';
import { benchGan } from './gan.js';
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

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(suites)) {
  const suite = suites[name];
  if (!suite) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(suites).join(', ')}`);
    process.exitCode = 2;
    break;
  }
  console.log(`\n=== ${name} (${new Date().toISOString()}, ${process.platform} ${process.arch}, node ${process.version}) ===`);
  await suite();
}
