/**
 * Source columns carried through preprocessing for evaluation only (`keep_for_evaluation:` on the
 * preprocess step): a column that preprocessing encodes into other columns (`sex` into `sex=female`,
 * `sex=male`) or drops is copied, raw values and all, as a column of kind `context` under its source
 * name, so `evaluate` can report subgroups by it. Context columns are never features, and they are
 * not part of the fitted transform: the model and the transform a registered model replays are the
 * same with or without them.
 */
import { StepInputError } from '../errors.js';
import { columnListText } from '../suggest.js';
import type { Column, Dataset } from './dataset.js';
import type { PreprocessTransform } from './preprocess-transform.js';

/** What carrying `name` needs: a context column, nothing (the output already has its raw values), or it cannot be done. */
type Plan = { carry: true } | { carry: false; why?: string };

function plan(t: PreprocessTransform, name: string): Plan {
  const ct = t.columns.find((c) => c.name === name);
  if (!ct) {
    throw new StepInputError(
      `keep_for_evaluation: "${name}" is not a column of the training table ${columnListText(
        name,
        t.columns.map((c) => c.name),
      )}`,
    );
  }
  if (ct.type === 'pass-through') return { carry: false };
  if (!t.outputColumns.includes(name)) return { carry: true };
  // The column keeps its name in the output: it is only raw when nothing changed its values.
  if (ct.type === 'numeric' && !ct.impute && !ct.clip && !ct.scale) return { carry: false };
  return {
    carry: false,
    why: `keep_for_evaluation: "${name}" stays a feature under its own name with transformed values, so its raw values cannot be carried beside it: leave it out of keep_for_evaluation (subgroups would then use the transformed values), or turn off the scaling, clipping or imputation that changes it`,
  };
}

/** Checks `names` against a fitted transform before any table is written; one error naming the problem. */
export function checkContextNames(t: PreprocessTransform, names: readonly string[]): void {
  for (const name of names) {
    const p = plan(t, name);
    if (!p.carry && p.why) throw new StepInputError(p.why);
  }
}

/**
 * The context columns of `table` (the rows the transform kept, in their order) for `names`:
 * categorical stays categorical, numbers stay numbers, text stays text.
 */
export function contextColumns(t: PreprocessTransform, table: Dataset, names: readonly string[]): Column[] {
  const out: Column[] = [];
  for (const name of names) {
    if (!plan(t, name).carry) continue;
    const c = table.columns.find((x) => x.name === name);
    // A test table lacking a column the transform needs has already failed with its own message.
    if (c) out.push({ name, kind: 'context', data: c.data });
  }
  return out;
}
