/**
 * Chemistry benchmark (issue 7): featurization throughput with RDKit's WebAssembly build on the
 * NCI screening library (4,999 SMILES), descriptors only and descriptors + 2,048-bit Morgan
 * fingerprints, and nearest-neighbour retrieval of 1,000 queries (ChEMBL molecules) in the 5k
 * library by Tanimoto (256 and 2,048 bits) and by Euclidean distance on standardised descriptors.
 * Also both steps end to end (Arrow in and out). Searches: medians of REPEATS runs in this process
 * after a warm-up; featurization: one run each after a warm-up pass over the library (RDKit's
 * module load is reported on its own).
 *
 * Run: `node dist/bench/chem.js` (or `npm run bench -- chem`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wordsFor } from '../src/chem/bits.js';
import { DEFAULT_DESCRIPTORS } from '../src/chem/descriptor-names.js';
import { featurizeSmiles, type Featurized } from '../src/chem/featurize.js';
import { nearestEuclidean, nearestTanimoto, mergeNeighbours } from '../src/chem/nearest.js';
import { loadRDKit, type RDKit } from '../src/chem/rdkit.js';
import { fitStandardiser, standardisedRows } from '../src/data/standardise.js';
import { writeDatasetFile } from '../src/data/arrow.js';
import { loadBuiltin } from '../src/data/builtin.js';
import { takeRows, type Dataset } from '../src/data/dataset.js';
import featurizeStep from '../src/steps/featurize.molecules.js';
import retrieveStep from '../src/steps/retrieve.nearest.js';
import { runStep } from '../test/helpers/step-harness.js';
import { median, printTable } from './measure.js';

const REPEATS = 3;
const QUERIES = 1000;

function smilesOf(ds: Dataset): (string | null)[] {
  const c = ds.columns.find((x) => x.name === 'smiles');
  if (c?.data.type !== 'text') throw new Error('no smiles column');
  return [...c.data.values];
}

function timeMs(fn: () => void, repeats = REPEATS, warmUp = true): number {
  if (warmUp) fn(); // JIT, and RDKit's lazily built tables
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function featurize(rdkit: RDKit, smiles: readonly (string | null)[], bits: number | null, descriptors = DEFAULT_DESCRIPTORS): Featurized {
  return featurizeSmiles(rdkit, smiles, { descriptors, fingerprint: bits ? { radius: 2, bits } : null, onInvalid: 'skip' });
}

export async function benchChem(): Promise<void> {
  const t0 = performance.now();
  const rdkit = await loadRDKit();
  const loadMs = performance.now() - t0;
  const library = smilesOf(await loadBuiltin('nci-screening-5k'));
  const queries = smilesOf(await loadBuiltin('chembl2321810-pic50')).slice(0, QUERIES);
  const n = library.length;

  const rows: string[][] = [['featurization (NCI 4,999 SMILES, RDKit ' + rdkit.version() + ')', 'median time (s)', 'molecules/s']];
  const rate = (ms: number): string => Math.round((n / ms) * 1000).toString();
  rows.push(['RDKit WASM module load (once per worker)', (loadMs / 1000).toFixed(3), '']);
  for (const [label, bits, descriptors] of [
    ['parse + canonical SMILES only', null, []],
    [`${DEFAULT_DESCRIPTORS.length} descriptors (default set)`, null, DEFAULT_DESCRIPTORS],
    ['2,048-bit Morgan fingerprint only', 2048, []],
    [`${DEFAULT_DESCRIPTORS.length} descriptors + 2,048-bit fingerprint`, 2048, DEFAULT_DESCRIPTORS],
  ] as const) {
    const ms = timeMs(() => featurize(rdkit, library, bits, descriptors), 1, label.startsWith('parse'));
    rows.push([label, (ms / 1000).toFixed(2), rate(ms)]);
  }
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-bench-chem-'));
  const nciPath = join(dir, 'nci.arrow');
  const chemblPath = join(dir, 'chembl.arrow');
  await writeDatasetFile(nciPath, await loadBuiltin('nci-screening-5k'));
  const chembl = await loadBuiltin('chembl2321810-pic50');
  await writeDatasetFile(
    chemblPath,
    takeRows(
      chembl,
      Int32Array.from({ length: QUERIES }, (_, i) => i),
    ),
  );
  const featurized: Record<number, { library: string; query: string }> = {};
  for (const bits of [256, 2048]) {
    const params = { smiles: 'smiles', descriptors: [...DEFAULT_DESCRIPTORS], fingerprint: { radius: 2, bits, prefix: 'fp_' }, invalid: 'drop', keep: null };
    const t = performance.now();
    const lib = await runStep(featurizeStep, { data: nciPath }, params);
    const ms = performance.now() - t;
    rows.push([`featurize.molecules step, default descriptors + ${bits} bits (Arrow in/out)`, (ms / 1000).toFixed(2), rate(ms)]);
    featurized[bits] = { library: lib.outputs.data, query: (await runStep(featurizeStep, { data: chemblPath }, params)).outputs.data };
  }
  printTable('Featurization', rows);

  const search: string[][] = [
    [`retrieval (${QUERIES.toLocaleString('en')} ChEMBL queries x ${n.toLocaleString('en')} NCI, k = 10)`, 'median time (ms)', 'pairs/s (millions)'],
  ];
  const pairs = (ms: number, nq: number, nl: number): string => ((nq * nl) / ms / 1000).toFixed(0);
  for (const bits of [256, 2048]) {
    const lib = featurize(rdkit, library, bits, []);
    const qry = featurize(rdkit, queries, bits, []);
    const w = wordsFor(bits);
    const nl = lib.rows.length;
    const nq = qry.rows.length;
    const ms = timeMs(() => mergeNeighbours(nearestTanimoto(qry.fingerprints, nq, lib.fingerprints, nl, w, 10), nq, nl));
    search.push([`tanimoto, ${bits}-bit Morgan`, ms.toFixed(0), pairs(ms, nq, nl)]);
    if (bits === 2048) {
      const self = timeMs(() => nearestTanimoto(lib.fingerprints, nl, lib.fingerprints, nl, w, 10), 1);
      search.push([`tanimoto, ${bits}-bit, library x library (${nl} x ${nl})`, self.toFixed(0), pairs(self, nl, nl)]);
    }
  }
  const lib = featurize(rdkit, library, null);
  const qry = featurize(rdkit, queries, null);
  const d = DEFAULT_DESCRIPTORS.length;
  const nl = lib.rows.length;
  const nq = qry.rows.length;
  const s = fitStandardiser(lib.descriptors);
  const L = standardisedRows(lib.descriptors, s);
  const Q = standardisedRows(qry.descriptors, s);
  const ms = timeMs(() => mergeNeighbours(nearestEuclidean(Q, nq, L, nl, d, 10), nq, nl));
  search.push([`euclidean, ${d} standardised descriptors`, ms.toFixed(0), pairs(ms, nq, nl)]);
  const self = timeMs(() => nearestEuclidean(L, nl, L, nl, d, 10), 1);
  search.push([`euclidean, library x library (${nl} x ${nl})`, self.toFixed(0), pairs(self, nl, nl)]);
  for (const metric of ['tanimoto', 'euclidean'] as const) {
    for (const bits of [256, 2048]) {
      const inputs = { query: featurized[bits].query, library: featurized[bits].library };
      const params = { k: 10, metric, columns: null, fingerprint_prefix: 'fp_', id: 'canonical_smiles', keep: null };
      await runStep(retrieveStep, inputs, params);
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const t = performance.now();
        await runStep(retrieveStep, inputs, params);
        times.push(performance.now() - t);
      }
      search.push([`retrieve.nearest step, ${metric}, library featurized with ${bits} bits (Arrow in/out)`, median(times).toFixed(0), '']);
    }
  }
  printTable('Nearest-neighbour retrieval', search);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchChem();
