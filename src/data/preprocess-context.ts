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

/** What carrying `name` needs: a context column, nothing (the output already has its values; `note` says how), or it cannot be done (`why`). */
type Plan = { carry: true } | { carry: false; note?: string; why?: string };

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
  if (ct.type === 'pass-through') return { carry: false, note: `${name} passes through preprocessing unchanged` };
  if (!t.outputColumns.includes(name)) return { carry: true };
  // The column keeps its name in the output: its values are raw unless clipped, scaled or encoded in place.
  if (ct.type === 'numeric' && !ct.clip && !ct.scale)
    return {
      carry: false,
      note: ct.impute
        ? `${name} stays a feature under its own name: subgroups by it use its values with missing ones imputed (${ct.impute.strategy})`
        : `${name} stays a feature under its own name, with its raw values`,
    };
  return {
    carry: false,
    why: `keep_for_evaluation: "${name}" stays a feature under its own name with transformed values (${ct.type === 'numeric' ? 'clipped or scaled' : 'encoded in place'}), so its raw values cannot be carried beside it: leave it out of keep_for_evaluation, or do not clip or scale it`,
  };
}

/** Checks `names` against a fitted transform before any table is written; returns what to tell the user about names that need no context column. */
export function checkContextNames(t: PreprocessTransform, names: readonly string[]): string[] {
  const notes: string[] = [];
  for (const name of names) {
    const p = plan(t, name);
    if (p.carry) continue;
    if (p.why) throw new StepInputError(p.why);
    if (p.note) notes.push(p.note);
  }
  return notes;
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
