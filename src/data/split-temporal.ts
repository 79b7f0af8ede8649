/**
 * A split by time, as clinical validation asks: the model is trained on the earliest rows and
 * tested on the latest, so the test set stands for the patients who come after the model is
 * built. Rows are ordered by date, ties by row order (stable: the same table always gives the
 * same split, with no seed). The test set is the last `testSize` of them (sized as the random
 * split sizes it), widened backwards so that rows sharing the boundary date all go to the test
 * set: a date is never on both sides.
 */
import { StepInputError } from '../errors.js';
import { splitSizes, type TrainTestSplit } from './split.js';

/** `days`: one date per row (days since 1970, as date columns hold them). Both parts in date order. */
export function temporalSplit(days: Float64Array, testSize: number, column: string): TrainTestSplit {
  const n = days.length;
  let missing = 0;
  let first = -1;
  for (let i = 0; i < n; i++)
    if (Number.isNaN(days[i])) {
      missing++;
      if (first < 0) first = i;
    }
  if (missing)
    throw new StepInputError(
      `a temporal split needs a date on every row, but "${column}" is missing on ${missing} row${missing > 1 ? 's' : ''} (the first is row ${first + 1}): drop or fill them before splitting`,
    );
  const { nTrain } = splitSizes(n, testSize);
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => days[a] - days[b] || a - b);
  let cut = nTrain;
  const boundary = days[order[cut]];
  while (cut > 0 && days[order[cut - 1]] === boundary) cut--;
  if (cut === 0)
    throw new StepInputError(
      `a temporal split by "${column}" leaves no training rows: every row up to the test boundary has the same date; lower test_size or split by another column`,
    );
  return { train: order.slice(0, cut), test: order.slice(cut) };
}
