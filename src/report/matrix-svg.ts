/**
 * The confusion matrix as a heatmap: rows are the true classes, columns the predicted ones, each
 * cell shaded by its share of its row (so a rare class is as readable as a common one) and
 * labelled with its count. The diagonal (correct) and off-diagonal (errors) use different hues.
 */
import { esc, truncate } from './escape.js';
import { px } from './format.js';
import { svgChart } from './svg.js';

const CELL = 64;
const LEFT = 110;
const TOP = 42;

export function confusionSvg(labels: readonly string[], counts: readonly (readonly number[])[]): string {
  const k = labels.length;
  const cells: string[] = [];
  counts.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, j) => {
      const share = total > 0 ? count / total : 0;
      const x = LEFT + j * CELL;
      const y = TOP + i * CELL;
      const tip = `true ${labels[i]}, predicted ${labels[j]}: ${count} (${(share * 100).toFixed(1)}% of true ${labels[i]})`;
      // Opacity from the row share, with a floor so an empty cell still shows its border.
      cells.push(
        `<g class="cell ${i === j ? 'correct' : 'error'}"><title>${esc(tip)}</title><rect x="${x}" y="${y}" width="${CELL - 2}" height="${CELL - 2}" fill-opacity="${px(0.08 + 0.82 * share)}"/>` +
          `<text class="count${share > 0.55 ? ' on-dark' : ''}" x="${px(x + CELL / 2 - 1)}" y="${px(y + CELL / 2 + 4)}" text-anchor="middle">${esc(Number.isInteger(count) ? count : count.toFixed(1))}</text></g>`,
      );
    });
  });
  const colLabels = labels
    .map((l, j) => `<text class="tick-label" x="${px(LEFT + j * CELL + CELL / 2 - 1)}" y="${TOP - 8}" text-anchor="middle">${esc(truncate(l, 10))}</text>`)
    .join('');
  const rowLabels = labels
    .map((l, i) => `<text class="tick-label" x="${LEFT - 8}" y="${px(TOP + i * CELL + CELL / 2 + 4)}" text-anchor="end">${esc(truncate(l, 14))}</text>`)
    .join('');
  const titles = `<text class="axis-label" x="${px(LEFT + (k * CELL) / 2)}" y="14" text-anchor="middle">predicted</text><text class="axis-label" transform="translate(14 ${px(TOP + (k * CELL) / 2)}) rotate(-90)" text-anchor="middle">true</text>`;
  return svgChart('confusion', LEFT + k * CELL + 10, TOP + k * CELL + 10, `confusion matrix, ${k} classes`, titles + colLabels + rowLabels + cells.join(''));
}
