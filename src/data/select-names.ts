/**
 * "Did you mean …?" for column names a user typed in selection and preprocessing options:
 * offered only when it is plausibly a typo (within a third of the name's length, at least 2).
 */
import { closest } from '../suggest.js';

export function closestName(name: string, known: readonly string[]): string | undefined {
  return closest(name, known, Math.max(2, Math.ceil(name.length / 3)));
}
