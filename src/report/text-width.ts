/**
 * Widths of monospace labels, so a box can be sized to its label without a browser to measure
 * it. Labels that must never be cut (step ids in the DAG, row labels of the charts) are drawn in
 * the page's monospace font, whose every glyph has the same advance: about 0.6 em in the fonts
 * the stylesheet lists (DejaVu Sans Mono and Menlo 0.602, SF Mono 0.6, Consolas 0.55). 0.62 leaves
 * a margin for a font we did not measure.
 */

const ADVANCE_EM = 0.62;

/** The width in px of `text` drawn in the monospace font at `fontPx`. Counts code points, so an emoji or accented id is one glyph. */
export function monoWidth(text: string, fontPx: number): number {
  return [...text].length * ADVANCE_EM * fontPx;
}
