/**
 * Two versions' metrics side by side. Metrics may nest (per-class scores, a confusion matrix):
 * they are flattened to dotted paths (`per_class.malignant.recall`, `confusion.0.1`) so every
 * number gets its own row and a delta.
 */

export interface MetricComparison {
  /** Dotted path of the metric. */
  metric: string;
  /** The value in A, or undefined when A does not have this metric. */
  a: unknown;
  b: unknown;
  /** b - a when both are numbers. */
  delta?: number;
}

export function flattenMetrics(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.set(prefix, value);
    for (const [k, v] of entries) flattenMetrics(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, value);
  return out;
}

/** Rows in A's metric order, then the metrics only B has. */
export function compareMetrics(a: unknown, b: unknown): MetricComparison[] {
  const fa = flattenMetrics(a);
  const fb = flattenMetrics(b);
  const names = [...fa.keys(), ...[...fb.keys()].filter((k) => !fa.has(k))];
  return names.map((metric) => {
    const va = fa.get(metric);
    const vb = fb.get(metric);
    const row: MetricComparison = { metric, a: va, b: vb };
    if (typeof va === 'number' && typeof vb === 'number') row.delta = vb - va;
    return row;
  });
}
