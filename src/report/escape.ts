/**
 * Escaping for text put into the report's HTML and SVG. Every string that comes from a pipeline,
 * a run record or a metrics file (step ids, feature names, class labels, error messages) goes
 * through `esc` before it reaches the page, so a step called `<script>` stays text.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in element content and in double- or single-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A string cut to `max` characters with an ellipsis, for labels in fixed-size boxes (the full text goes in a tooltip). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
