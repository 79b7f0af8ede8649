/**
 * What the load step says about date columns: each one's range (a summary, not a row) and that it
 * is not a feature until preprocess derives features from it. A date one-hot encoded into hundreds
 * of columns is a silent modelling error; saying so at load time is the first guard against it.
 */
import type { Dataset } from './dataset.js';
import { formatDays } from './dates.js';

/** One line per date column: `admitted: date (2019-01-03 to 2024-12-30), not a feature; …`. */
export function describeDateColumns(ds: Dataset): string[] {
  const lines: string[] = [];
  for (const c of ds.columns) {
    if (c.kind !== 'date' || c.data.type !== 'numeric') continue;
    let min = Infinity;
    let max = -Infinity;
    for (const x of c.data.values) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const range = min <= max ? `${formatDays(min)} to ${formatDays(max)}` : 'no values';
    lines.push(`${c.name}: date (${range}), not a feature; derive features with preprocess dates: { ${c.name}: [year, month, day_of_week] }`);
  }
  return lines;
}
