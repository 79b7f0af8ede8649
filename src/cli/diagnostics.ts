/** Prints diagnostics the way a compiler does: `file:line:col: message`, then the line with a caret. */
import { readFileSync } from 'node:fs';
import { formatDiagnostic, type Diagnostic } from '../errors.js';

export function renderDiagnostics(diagnostics: readonly Diagnostic[], withExcerpt: boolean): string {
  const texts = new Map<string, string[] | undefined>();
  const out: string[] = [];
  for (const d of diagnostics) {
    out.push(`error: ${formatDiagnostic(d)}`);
    if (!withExcerpt || d.line <= 0) continue;
    if (!texts.has(d.file)) {
      try {
        texts.set(d.file, readFileSync(d.file, 'utf8').split(/\r?\n/));
      } catch {
        texts.set(d.file, undefined);
      }
    }
    const line = texts.get(d.file)?.[d.line - 1];
    if (line === undefined) continue;
    const gutter = String(d.line);
    out.push(`  ${gutter} | ${line}`, `  ${' '.repeat(gutter.length)} | ${' '.repeat(Math.max(0, d.column - 1))}^`);
  }
  out.push(`${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'} found`);
  return out.join('\n');
}
