/**
 * `medpipe predict NAME@ALIAS --input rows.csv --output out.csv [--strict]`: predictions from a
 * registered bundle. Rows with values far outside the model's training range are named on
 * stderr; with --strict they are refused and nothing is written.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readRegisteredPredictor } from './registered-bundle.js';
import { writeOutputFile } from './output-file.js';
import type { OutOfRange } from '../bundle/training-range.js';

export interface PredictArgs {
  ref: string;
  input: string;
  output?: string;
  storeDir: string;
  /** Refuse the input when any value is far outside the training range, instead of warning. */
  strict?: boolean;
  /** Also write the explanations as JSON next to --output (OUT.explanations.json). */
  explain?: boolean;
  /** The folder the command runs in: --input and --output are relative to it. */
  cwd: string;
}

/** Rows named one per line, up to this many, then a count: enough to act on, not a data dump. */
const MAX_FLAGGED_LINES = 20;

function describe(f: OutOfRange): string {
  return `row ${f.row + 1} (line ${f.row + 2}): ${f.column} is far ${f.side} the training range (${f.range.min} to ${f.range.max})`;
}

export async function predictCommand(a: PredictArgs, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  const found = await readRegisteredPredictor(a.ref, a.storeDir, 'predict');
  if ('problem' in found) {
    io.err(`medpipe: ${found.problem}`);
    return 1;
  }
  const { bundle, label } = found;
  // A side file rather than columns: the predictions CSV keeps the columns its readers expect, and a multi-class model has one set of contributions per class.
  if (a.explain && !a.output)
    throw new UsageError('--explain writes OUT.explanations.json next to the predictions: give --output OUT.csv (or use medpipe explain)');
  if (a.explain && !bundle.explain) {
    io.err(
      `medpipe: ${label} was registered without its training rows, so it cannot be explained (--explain): wire them into its register step (in: { train: split.train }) and run the pipeline again`,
    );
    return 1;
  }
  const { predictBundle, predictionsCsv, readRowsForBundle } = await import('../bundle/predict.js');
  const { outsideTrainingRange } = await import('../bundle/training-range.js');
  const rows = await readRowsForBundle(resolve(a.cwd, a.input), bundle, a.input);
  const flagged = outsideTrainingRange(bundle, rows);
  if (flagged.length) {
    const lines = flagged.slice(0, MAX_FLAGGED_LINES).map(describe);
    if (flagged.length > MAX_FLAGGED_LINES) lines.push(`… and ${flagged.length - MAX_FLAGGED_LINES} more`);
    const rowCount = new Set(flagged.map((f) => f.row)).size;
    if (a.strict) {
      io.err(
        `medpipe: ${a.input}: refused (--strict): ${rowCount} row${rowCount === 1 ? ' has' : 's have'} values far outside what ${label} was trained on; nothing was predicted\n${lines.map((l) => `  ${l}`).join('\n')}`,
      );
      return 1;
    }
    io.err(
      `medpipe: warning: ${a.input}: ${rowCount} row${rowCount === 1 ? ' has' : 's have'} values far outside what ${label} was trained on; their predictions are extrapolations (--strict refuses such input)\n${lines.map((l) => `  ${l}`).join('\n')}`,
    );
  }
  const predictions = await predictBundle(bundle, rows, a.input);
  const csv = predictionsCsv(rows, predictions);
  if (a.output) {
    writeOutputFile(a.output, csv, a.cwd);
    io.err(`medpipe: ${label}: ${predictions.rowCount} predictions written to ${a.output}`);
    if (a.explain) {
      const { explainBundle } = await import('../explain/index.js');
      const { explanationJson } = await import('../explain/format.js');
      const side = `${a.output.replace(/\.csv$/i, '')}.explanations.json`;
      writeOutputFile(side, explanationJson(await explainBundle(bundle, rows, { source: a.input })), a.cwd);
      io.err(`medpipe: ${label}: explanations written to ${side}`);
    }
  } else io.out(csv.trimEnd());
  return 0;
}
