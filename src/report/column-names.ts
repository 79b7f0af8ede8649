/**
 * Long lists of column names in one line: a run of numbered columns (the 256 Morgan fingerprint
 * bits fp_0 … fp_255) reads as one item, "fp_0 … fp_255 (256 columns)", instead of a wall of text.
 */

/** Names in their order, with every run of 3 or more consecutive `prefix_N` collapsed. */
export function summariseNames(names: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < names.length) {
    const m = /^(.*?)(\d+)$/.exec(names[i]);
    let j = i + 1;
    if (m) {
      const [, prefix, digits] = m;
      let n = Number(digits);
      while (j < names.length && names[j] === `${prefix}${n + 1}`) {
        n++;
        j++;
      }
    }
    out.push(j - i >= 3 ? `${names[i]} … ${names[j - 1]} (${j - i} columns)` : names[i]);
    if (j - i < 3) j = i + 1;
    i = j;
  }
  return out;
}

/**
 * Items written as "name (reason), name (reason), …" (evaluate.generative's "not compared" note)
 * grouped by reason, each group's names summarised: "not in the synthetic dataset: pic50,
 * exact_mass, fp_0 … fp_255 (256 columns)". undefined when the text is not in that form.
 */
export function summariseReasons(text: string): { reason: string; names: string[]; count: number }[] | undefined {
  const items = [...text.matchAll(/\s*([^,()]+?) \(([^()]*)\)\s*(?:,|$)/g)];
  if (!items.length || items.map((m) => m[0]).join('').length !== text.length) return undefined;
  const groups = new Map<string, string[]>();
  for (const [, name, reason] of items) (groups.get(reason) ?? groups.set(reason, []).get(reason)!).push(name);
  return [...groups].map(([reason, names]) => ({ reason, names: summariseNames(names), count: names.length }));
}
