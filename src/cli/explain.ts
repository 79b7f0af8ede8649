/**
 * `medpipe explain NAME@ALIAS --input rows.csv [--output file.json|file.csv] [--top K] [--json]`:
 * each feature's contribution to each prediction of a registered model (src/explain). Without
 * --output a person reads each row's largest contributions; --output writes every contribution,
 * as CSV when the file name ends in .csv and as JSON otherwise.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readRegisteredPredictor } from './registered-bundle.js';
import { writeOutputFile } from './output-file.js';

export interface ExplainArgs {
  ref: string;
  input: string;
  output?: string;
  top?: string;
  seed?: string;
  samples?: string;
  json?: boolean;
  storeDir: string;
  cwd: string;
}

function wholeNumber(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= min)) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${v}"`);
  return n;
}

export async function explainCommand(a: ExplainArgs, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  const top = wholeNumber('top', a.top, 1) ?? 5;
  const seed = wholeNumber('seed', a.seed, 0);
  const samples = wholeNumber('samples', a.samples, 2);
  const found = await readRegisteredPredictor(a.ref, a.storeDir, 'explain');
  if ('problem' in found) {
    io.err(`medpipe: ${found.problem}`);
    return 1;
  }
  const { bundle, label } = found;
  if (!bundle.explain) {
    io.err(
      `medpipe: ${label} was registered without its training rows, so it cannot be explained: wire them into its register step (in: { train: split.train }) and run the pipeline again`,
    );
    return 1;
  }
  const { readRowsForBundle } = await import('../bundle/predict.js');
  const { explainBundle } = await import('../explain/index.js');
  const { explanationCsv, explanationJson, explanationLines } = await import('../explain/format.js');
  const rows = await readRowsForBundle(resolve(a.cwd, a.input), bundle, a.input);
  const e = await explainBundle(bundle, rows, { seed, samples, source: a.input });
  if (a.output) {
    writeOutputFile(a.output, a.output.toLowerCase().endsWith('.csv') ? explanationCsv(rows, e) : explanationJson(e), a.cwd);
    io.err(`medpipe: ${label}: explanations of ${e.rows.length} row${e.rows.length === 1 ? '' : 's'} written to ${a.output}`);
  } else if (a.json) io.out(explanationJson(e).trimEnd());
  else io.out(explanationLines(e, top, bundle.signature.target.positive).join('\n'));
  return 0;
}
