/**
 * The retrieve.nearest step against a brute-force retrieval written out here (every query against
 * every library molecule), on real featurized molecules: ChEMBL compounds as queries, the NCI
 * screening library as the library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readDatasetFile } from '../../src/data/arrow.js';
import { getColumn, makeDataset, takeRows, type Column, type Dataset } from '../../src/data/dataset.js';
import { StepInputError } from '../../src/errors.js';
import featurize from '../../src/steps/featurize.molecules.js';
import retrieve from '../../src/steps/retrieve.nearest.js';
import { runStep } from '../helpers/step-harness.js';
import { chembl, datasetFile, nci } from './helpers.js';

const DESCRIPTORS = ['molecular_weight', 'clogp', 'tpsa', 'hbd', 'hba', 'rotatable_bonds', 'rings', 'aromatic_rings', 'fraction_csp3'];
const BITS = 128;

async function featurized(ds: Dataset): Promise<string> {
  const r = await runStep(featurize, { data: await datasetFile(ds) }, { descriptors: DESCRIPTORS, fingerprint: { bits: BITS }, invalid: 'drop' });
  return r.outputs.data;
}

// One featurization of each table, shared by the tests below.
const libraryPath = nci(600).then(featurized);
const queryPath = chembl(40).then(featurized);

const values = (ds: Dataset, name: string): Float64Array => {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'numeric', name);
  return d.values;
};
const texts = (ds: Dataset, name: string): string[] => {
  const d = getColumn(ds, name)?.data;
  assert.ok(d?.type === 'text', name);
  return d.values.map((v) => v ?? '');
};

interface Retrieved {
  ids: string[];
  similarity: number[];
  queryRow: number[];
  hits: number[];
}

/** Brute force: every query scores every library row; top k per query (ties to the lower row); merged by best score. */
function bruteRetrieve(nq: number, nl: number, k: number, score: (q: number, l: number) => number, ids: readonly string[]): Retrieved {
  const best = new Map<number, { s: number; q: number; hits: number }>();
  for (let q = 0; q < nq; q++) {
    const ranked = Array.from({ length: nl }, (_, l) => ({ l, s: score(q, l) })).sort((a, b) => b.s - a.s || a.l - b.l);
    for (const { l, s } of ranked.slice(0, k)) {
      const e = best.get(l);
      if (!e) best.set(l, { s, q, hits: 1 });
      else {
        e.hits++;
        if (s > e.s) Object.assign(e, { s, q });
      }
    }
  }
  const rows = [...best.entries()].sort((a, b) => b[1].s - a[1].s || a[0] - b[0]);
  return { ids: rows.map(([l]) => ids[l]), similarity: rows.map(([, e]) => e.s), queryRow: rows.map(([, e]) => e.q), hits: rows.map(([, e]) => e.hits) };
}

function read(out: Dataset, id = 'canonical_smiles'): Retrieved {
  return {
    ids: texts(out, id),
    similarity: Array.from(values(out, 'similarity')),
    queryRow: Array.from(values(out, 'query_row')),
    hits: Array.from(values(out, 'query_hits')),
  };
}

function assertRetrieved(actual: Retrieved, expected: Retrieved, tolerance: number): void {
  assert.deepEqual(actual.ids, expected.ids, 'the same molecules in the same order');
  assert.deepEqual(actual.queryRow, expected.queryRow);
  assert.deepEqual(actual.hits, expected.hits);
  actual.similarity.forEach((s, i) => assert.ok(Math.abs(s - expected.similarity[i]) <= tolerance, `similarity ${i}: ${s} vs ${expected.similarity[i]}`));
}

test('euclidean on standardised descriptors equals the brute force, with distance and 1 / (1 + distance)', async () => {
  const lib = await readDatasetFile(await libraryPath);
  const qry = await readDatasetFile(await queryPath);
  const k = 4;
  const r = await runStep(retrieve, { query: await queryPath, library: await libraryPath }, { k });
  const out = await readDatasetFile(r.outputs.data);

  // The library has repeated structures: the step keeps the first row of each canonical SMILES.
  const ids = texts(lib, 'canonical_smiles');
  const first = ids.map((s, i) => ids.indexOf(s) === i);
  const keep = Int32Array.from(ids.flatMap((_, i) => (first[i] ? [i] : [])));
  const unique = takeRows(lib, keep);
  const n = unique.rowCount;
  const mean = DESCRIPTORS.map((d) => values(unique, d).reduce((a, b) => a + b, 0) / n);
  const std = DESCRIPTORS.map((d, j) => Math.sqrt(values(unique, d).reduce((a, v) => a + (v - mean[j]) ** 2, 0) / n) || 1);
  const z = (ds: Dataset, row: number, j: number): number => (values(ds, DESCRIPTORS[j])[row] - mean[j]) / std[j];
  const distance = (q: number, l: number): number => Math.sqrt(DESCRIPTORS.reduce((s, _, j) => s + (z(qry, q, j) - z(unique, l, j)) ** 2, 0));
  const expected = bruteRetrieve(qry.rowCount, n, k, (q, l) => 1 / (1 + distance(q, l)), texts(unique, 'canonical_smiles'));
  assertRetrieved(read(out), expected, 1e-12);
  const dist = values(out, 'distance');
  values(out, 'similarity').forEach((s, i) => assert.ok(Math.abs(s - 1 / (1 + dist[i])) < 1e-15));
  assert.equal(new Set(read(out).ids).size, out.rowCount, 'each molecule once');
  assert.equal(
    read(out).hits.reduce((a, b) => a + b, 0),
    qry.rowCount * k,
    'every query contributes k hits',
  );
  const summary = r.summary as { library: number; library_unique: number; columns: number };
  assert.equal(summary.library, lib.rowCount);
  assert.equal(summary.library_unique, n);
  assert.equal(summary.columns, DESCRIPTORS.length, 'compares the shared descriptors, not the bits, ids or the target');
  if (n < lib.rowCount) assert.ok(r.logs.some((l) => l.includes(`${lib.rowCount - n} rows repeat an earlier canonical_smiles`)));
});

test('tanimoto on fingerprint bits equals the brute force; a query of bit probabilities is read as its likely bits', async () => {
  const lib = await readDatasetFile(await libraryPath);
  const qry = await readDatasetFile(await queryPath);
  const k = 3;
  const r = await runStep(retrieve, { query: await queryPath, library: await libraryPath }, { k, metric: 'tanimoto' });
  const out = await readDatasetFile(r.outputs.data);
  assert.equal(getColumn(out, 'distance'), undefined, 'no distance for tanimoto');

  const ids = texts(lib, 'canonical_smiles');
  const keep = Int32Array.from(ids.flatMap((s, i) => (ids.indexOf(s) === i ? [i] : [])));
  const unique = takeRows(lib, keep);
  const bits = (ds: Dataset, row: number): number[] => Array.from({ length: BITS }, (_, b) => values(ds, `fp_${b}`)[row]);
  const tanimoto = (q: number, l: number): number => {
    const a = bits(qry, q);
    const b = bits(unique, l);
    const and = a.filter((v, i) => v && b[i]).length;
    const or = a.filter((v, i) => v || b[i]).length;
    return or ? and / or : 0;
  };
  assertRetrieved(read(out), bruteRetrieve(qry.rowCount, unique.rowCount, k, tanimoto, texts(unique, 'canonical_smiles')), 0);

  // A generator's output: only bit columns, as probabilities (0.9 for a set bit, 0.1 otherwise).
  const soft: Column[] = Array.from(
    { length: BITS },
    (_, b): Column => ({ name: `fp_${b}`, kind: 'numeric', data: { type: 'numeric', values: values(qry, `fp_${b}`).map((v) => (v ? 0.9 : 0.1)) } }),
  );
  const softPath = await datasetFile(makeDataset(soft));
  const s = await runStep(retrieve, { query: softPath, library: await libraryPath }, { k, metric: 'tanimoto' });
  assert.ok(readFileSync(s.outputs.data).equals(readFileSync(r.outputs.data)), 'probabilities >= 0.5 are set bits');
});

test('deterministic: the same bytes on a re-run; the same molecules when the queries come in another order', async () => {
  const params = { k: 5, keep: ['canonical_smiles', 'nci_id'] };
  const a = await runStep(retrieve, { query: await queryPath, library: await libraryPath }, params);
  const b = await runStep(retrieve, { query: await queryPath, library: await libraryPath }, params);
  assert.ok(readFileSync(a.outputs.data).equals(readFileSync(b.outputs.data)));
  const out = await readDatasetFile(a.outputs.data);
  assert.deepEqual(
    out.columns.map((c) => [c.name, c.kind]),
    [
      ['canonical_smiles', 'id'],
      ['nci_id', 'id'],
      ['similarity', 'id'],
      ['distance', 'id'],
      ['query_row', 'id'],
      ['query_hits', 'id'],
    ],
  );

  // Repeating library rows changes nothing: a molecule is one row, the first of its id.
  const lib = await readDatasetFile(await libraryPath);
  const repeated = await datasetFile(takeRows(lib, Int32Array.from([...Array.from({ length: lib.rowCount }, (_, i) => i), 7, 0, 7, 3])));
  const d = await runStep(retrieve, { query: await queryPath, library: repeated }, params);
  assert.ok(readFileSync(d.outputs.data).equals(readFileSync(a.outputs.data)));
  assert.ok(d.logs.some((l) => l.includes('rows repeat an earlier canonical_smiles and are left out')));

  const qry = await readDatasetFile(await queryPath);
  const reversed = await datasetFile(
    takeRows(
      qry,
      Int32Array.from({ length: qry.rowCount }, (_, i) => qry.rowCount - 1 - i),
    ),
  );
  const c = await readDatasetFile((await runStep(retrieve, { query: reversed, library: await libraryPath }, params)).outputs.data);
  assert.deepEqual(texts(c, 'canonical_smiles'), texts(out, 'canonical_smiles'));
  assert.deepEqual(values(c, 'similarity'), values(out, 'similarity'));
  assert.deepEqual(values(c, 'query_hits'), values(out, 'query_hits'));
});

test('the output carries the library columns a QSAR model needs, and errors name what is wrong', async () => {
  const r = await runStep(retrieve, { query: await queryPath, library: await libraryPath }, { k: 2, columns: ['tpsa', 'clogp'] });
  const out = await readDatasetFile(r.outputs.data);
  const lib = await readDatasetFile(await libraryPath);
  for (const c of lib.columns) assert.equal(getColumn(out, c.name)?.kind, c.kind, `library column ${c.name} carried with its kind`);
  assert.equal((r.summary as { columns: number }).columns, 2);

  const run = (params: Record<string, unknown>, query?: string) =>
    queryPath.then(async (q) => runStep(retrieve, { query: query ?? q, library: await libraryPath }, params));
  await assert.rejects(
    run({ id: 'nci_ids' }),
    (e: unknown) => e instanceof StepInputError && /no id column "nci_ids" \(did you mean "nci_id"\?\)/.test(e.message),
  );
  await assert.rejects(run({ columns: ['tpsa', 'pic50'] }), /columns names "pic50", which is not in the library dataset/);
  await assert.rejects(run({ keep: ['nci_idd'] }), /keep names column "nci_idd".*did you mean "nci_id"/);
  const noBits = await datasetFile(makeDataset([{ name: 'tpsa', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from([50]) } }]));
  await assert.rejects(
    run({ metric: 'tanimoto' }, noBits),
    /tanimoto needs fingerprint bit columns \(named fp_0, fp_1, …\) in both the query and the library; 0 in the query/,
  );
  const unrelated = await datasetFile(makeDataset([{ name: 'age', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from([50]) } }]));
  await assert.rejects(run({}, unrelated), /share no numeric descriptor columns/);
  const gap = await datasetFile(makeDataset([{ name: 'tpsa', kind: 'numeric', data: { type: 'numeric', values: Float64Array.from([50, NaN]) } }]));
  await assert.rejects(run({}, gap), /column "tpsa" of the query dataset has a missing value \(data row 2\)/);
});

test('output: all ranks the whole library: the retrieved molecules as with hits, then every other by its nearest query', async () => {
  const params = { k: 2, metric: 'tanimoto', keep: ['canonical_smiles'] };
  const hits = await readDatasetFile((await runStep(retrieve, { query: await queryPath, library: await libraryPath }, params)).outputs.data);
  const r = await runStep(retrieve, { query: await queryPath, library: await libraryPath }, { ...params, output: 'all' });
  const all = await readDatasetFile(r.outputs.data);

  const lib = await readDatasetFile(await libraryPath);
  const qry = await readDatasetFile(await queryPath);
  const ids = texts(lib, 'canonical_smiles');
  const unique = takeRows(lib, Int32Array.from(ids.flatMap((s, i) => (ids.indexOf(s) === i ? [i] : []))));
  assert.equal(all.rowCount, unique.rowCount, 'every library molecule once');
  assert.deepEqual(new Set(texts(all, 'canonical_smiles')), new Set(texts(unique, 'canonical_smiles')));

  const m = hits.rowCount;
  for (const name of ['canonical_smiles', 'similarity', 'query_row', 'query_hits'])
    assert.deepEqual(
      getColumn(
        takeRows(
          all,
          Int32Array.from({ length: m }, (_, i) => i),
        ),
        name,
      )?.data,
      getColumn(hits, name)?.data,
      name,
    );
  assert.deepEqual(
    Array.from(values(all, 'retrieved')),
    Array.from({ length: all.rowCount }, (_, i) => (i < m ? 1 : 0)),
  );

  // The rest: brute force, each molecule's best Tanimoto to any query, best first, ties to the lower library row.
  const bits = (ds: Dataset, row: number): number[] => Array.from({ length: BITS }, (_, b) => values(ds, `fp_${b}`)[row]);
  const tanimoto = (a: number[], b: number[]): number => {
    const or = a.filter((v, i) => v || b[i]).length;
    return or ? a.filter((v, i) => v && b[i]).length / or : 0;
  };
  const retrievedIds = new Set(texts(hits, 'canonical_smiles'));
  const queries = Array.from({ length: qry.rowCount }, (_, q) => bits(qry, q));
  const rest = Array.from({ length: unique.rowCount }, (_, l) => l)
    .filter((l) => !retrievedIds.has(texts(unique, 'canonical_smiles')[l]))
    .map((l) => {
      const scores = queries.map((q) => tanimoto(q, bits(unique, l)));
      const best = Math.max(...scores);
      return { l, best, q: scores.indexOf(best) };
    })
    .sort((a, b) => b.best - a.best || a.l - b.l);
  const tail = (name: string): number[] => Array.from(values(all, name)).slice(m);
  assert.deepEqual(
    texts(all, 'canonical_smiles').slice(m),
    rest.map((e) => texts(unique, 'canonical_smiles')[e.l]),
  );
  assert.deepEqual(
    tail('similarity'),
    rest.map((e) => e.best),
  );
  assert.deepEqual(
    tail('query_row'),
    rest.map((e) => e.q),
  );
  assert.deepEqual(
    tail('query_hits'),
    rest.map(() => 0),
  );
  assert.equal((r.summary as { molecules: number; rows: number }).molecules, m, 'the summary counts the retrieved');
  assert.equal((r.summary as { rows: number }).rows, all.rowCount);
});
