/**
 * The input digest of a logged prediction: sha256 of the row's canonical JSON over the model's
 * input columns (registry/canonical.ts's canonicalJson of `{column: value}`, an absent column as
 * null), so the same clinical input has the same digest whatever else the client sent, and anyone
 * holding the row can find its predictions in the log. Built by hand for speed (a request of 100
 * rows would otherwise spend most of its time in the generic encoder); a test holds it equal to
 * canonicalJson.
 */
import { createHash } from 'node:crypto';
import type { ModelBundle } from '../bundle/bundle.js';

/** Keys in canonicalJson's order (UTF-16 code units), each with its `"name":` prefix. */
const keysByBundle = new WeakMap<ModelBundle, readonly (readonly [name: string, prefix: string])[]>();

function keysOf(bundle: ModelBundle): readonly (readonly [string, string])[] {
  let keys = keysByBundle.get(bundle);
  if (!keys) {
    keys = bundle.signature.columns
      .map((c) => c.name)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((name) => [name, `${JSON.stringify(name)}:`] as const);
    keysByBundle.set(bundle, keys);
  }
  return keys;
}

/**
 * The canonical JSON of one row's model inputs. Values are what the row reader accepted: finite
 * numbers, strings, booleans or null (absent: null).
 */
export function canonicalRow(bundle: ModelBundle, row: Readonly<Record<string, unknown>>): string {
  let text = '{';
  for (const [name, prefix] of keysOf(bundle)) {
    const v = Object.hasOwn(row, name) ? row[name] : null;
    // A finite number's JSON is its String() (the row reader refused the others).
    text += `${text.length > 1 ? ',' : ''}${prefix}${v === null || v === undefined ? 'null' : typeof v === 'number' ? String(v) : JSON.stringify(v)}`;
  }
  return `${text}}`;
}

export function inputDigest(bundle: ModelBundle, row: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(canonicalRow(bundle, row)).digest('hex');
}
