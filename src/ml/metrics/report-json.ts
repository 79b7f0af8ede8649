/**
 * The metrics report as text meant for git: keys in the order the report builds them (the same on
 * every run), small objects (one metric with its interval) and arrays of numbers on one line each,
 * larger objects expanded, so a diff shows which metric moved.
 */

const INLINE_WIDTH = 120;

const isPrimitive = (x: unknown): boolean => x === null || typeof x !== 'object';

/** An array of numbers, or an object of plain values (one metric with its interval): one line whatever its width. */
function isFlat(v: object): boolean {
  return Array.isArray(v) ? v.every(isPrimitive) : Object.values(v).every(isPrimitive);
}

function render(v: unknown, indent: string): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  const flat = JSON.stringify(v);
  if (isFlat(v) || flat.length <= INLINE_WIDTH) return flat;
  const inner = indent + '  ';
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + render(x, inner)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (!entries.length) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${render(x, inner)}`).join(',\n')}\n${indent}}`;
}

export function formatReportJson(report: unknown): string {
  return render(report, '') + '\n';
}
