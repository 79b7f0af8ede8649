/** Columns of text for the terminal: each column as wide as its widest cell, two spaces apart. */

/** The rows as lines; the last column is not padded, and no line ends in spaces. `indent` starts every line. */
export function tableLines(rows: readonly (readonly string[])[], indent = ''): string[] {
  if (!rows.length) return [];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd());
}

export function table(rows: readonly (readonly string[])[]): string {
  return tableLines(rows).join('\n');
}
