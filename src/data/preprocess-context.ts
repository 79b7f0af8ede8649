/**
 * Source columns carried through preprocessing for evaluation only (`keep_for_evaluation:` on the
 * preprocess step): a column that preprocessing encodes into other columns (`sex` into `sex=female`,
 * `sex=male`) or drops is copied, raw values and all, as a column of kind `context` under its source
 * name, so `evaluate` can report subgroups by it. A column whose transformed values keep the name
 * (ward frequency- or target-encoded in place, age imputed or scaled) is carried as `ward (source)`,
 * since two columns cannot share a name; evaluate finds either (contextColumnNames). Context columns are never features, and they are
 * not part of the fitted transform: the model and the transform a registered model replays are the
 * same with or without them.
 */
import { StepInputError } from '../errors.js';
import { columnListText } from '../suggest.js';
import type { Column, Dataset } from './dataset.js';
import type { PreprocessTransform } from './preprocess-transform.js';

/** Suffix of a context column whose source name an output column keeps (ward encoded in place, age scaled). */
const SOURCE_SUFFIX = ' (source)';

/**
 * Where the raw values of source column `name` are in a preprocessed table: the context column
 * `name` when the name was free, `name (source)` when a transformed feature kept the name. evaluate
 * looks a subgroup column up through this, so `{ column: ward }` finds the raw wards either way.
 */
export function contextColumnNames(name: string): [string, string] {
  return [`${name}${SOURCE_SUFFIX}`, name];
}

/** What carrying `name` needs: a context column under `as`, or nothing (the output has its raw values; `note` says so). */
type Plan = { as: string } | { as?: undefined; note: string };

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
  if (ct.type === 'pass-through') return { note: `${name} passes through preprocessing unchanged` };
  if (!t.outputColumns.includes(name)) return { as: name };
  if (ct.type === 'numeric' && !ct.impute && !ct.clip && !ct.scale) return { note: `${name} stays a feature under its own name, with its raw values` };
  // A transformed feature keeps the name (encoded in place, imputed, clipped or scaled): the raw values go beside it.
  return { as: `${name}${SOURCE_SUFFIX}` };
}

/** Checks `names` against a fitted transform before any table is written; returns what to tell the user. */
export function checkContextNames(t: PreprocessTransform, names: readonly string[]): string[] {
  return names.flatMap((name) => {
    const p = plan(t, name);
    if (p.as === undefined) return [p.note];
    return p.as === name
      ? []
      : [`${name} stays a feature under its own name, transformed; its raw values are carried as "${p.as}" (subgroups: [{ column: ${name} }] uses them)`];
  });
}

/**
 * The context columns of `table` (the rows the transform kept, in their order) for `names`:
 * categorical stays categorical, numbers stay numbers, text stays text.
 */
export function contextColumns(t: PreprocessTransform, table: Dataset, names: readonly string[]): Column[] {
  const out: Column[] = [];
  for (const name of names) {
    const { as } = plan(t, name);
    const c = table.columns.find((x) => x.name === name);
    // A test table lacking a column the transform needs has already failed with its own message.
    if (as !== undefined && c) out.push({ name: as, kind: 'context', data: c.data });
  }
  return out;
}
