/**
 * Prints diagnostics the way a compiler does: `error: file:line:col: message`, the source line
 * with the range underlined (`^`), then each related location (an edge of a cycle, the step a
 * `--set` changes) as a note with its own line underlined (`-`). A command-line argument is shown
 * as typed, with the part that is wrong underlined.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDiagnostic, formatLocation, type Diagnostic, type SourceLocation } from '../errors.js';

/** `cwd`: the folder the file names in the diagnostics are relative to (where the command was run). */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], withExcerpt: boolean, cwd: string): string {
  const texts = new Map<string, readonly string[] | undefined>();
  const linesOf = (file: string): readonly string[] | undefined => {
    if (!texts.has(file)) {
      try {
        texts.set(file, readFileSync(resolve(cwd, file), 'utf8').split(/\r?\n/));
      } catch {
        texts.set(file, undefined);
      }
    }
    return texts.get(file);
  };
  const out: string[] = [];
  for (const d of diagnostics) {
    out.push(`${d.severity}: ${formatDiagnostic(d)}`);
    if (withExcerpt) out.push(...excerpt(d, '^', linesOf));
    for (const r of d.related) {
      out.push(`  note: ${formatLocation(r)}: ${r.message}`);
      if (withExcerpt) out.push(...excerpt(r, '-', linesOf));
    }
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  out.push(
    warnings === 0
      ? `${errors} problem${errors === 1 ? '' : 's'} found`
      : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} found`,
  );
  return out.join('\n');
}

/** The first line of a location's range with the range underlined; nothing when there is no text to show. */
function excerpt(l: SourceLocation, mark: string, linesOf: (file: string) => readonly string[] | undefined): string[] {
  if (!l.range) return [];
  const { start, end } = l.range;
  const line = l.commandLine ? (start.line === 1 ? l.file : undefined) : linesOf(l.file)?.[start.line - 1];
  if (line === undefined) return [];
  const gutter = l.commandLine ? '' : String(start.line);
  // A range over several lines is underlined to the end of its first.
  const last = end.line === start.line ? end.column : line.length + 1;
  const width = Math.max(1, last - start.column);
  // Tabs before the range stay tabs, so the underline lines up however the terminal shows them.
  const pad = [...line.slice(0, Math.max(0, start.column - 1))].map((c) => (c === '\t' ? '\t' : ' ')).join('');
  return [`  ${gutter} | ${line}`, `  ${' '.repeat(gutter.length)} | ${pad}${mark.repeat(width)}`];
}
