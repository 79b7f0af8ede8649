/** The compiler-style rendering of diagnostics: severity, the source line, the range underlined, related places as notes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDiagnostics } from '../../src/cli/diagnostics.js';
import type { Diagnostic } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'medpipe-diagnostics-'));
writeFileSync(join(dir, 'p.yaml'), 'steps:\n\ta: { uses: x }\n  b:\n    uses: y\n');

test('a warning is rendered as one, and counted apart from the errors', () => {
  const warning: Diagnostic = {
    severity: 'warning',
    file: 'p.yaml',
    range: { start: { line: 2, column: 3 }, end: { line: 2, column: 4 } },
    message: 'odd',
    related: [],
  };
  const error: Diagnostic = { ...warning, severity: 'error', message: 'bad' };
  const text = renderDiagnostics([error, warning], false, dir);
  assert.equal(text, 'error: p.yaml:2:3: bad\nwarning: p.yaml:2:3: odd\n1 error, 1 warning found');
  assert.equal(renderDiagnostics([error], false, dir), 'error: p.yaml:2:3: bad\n1 problem found');
});

test('the range is underlined on its line, tabs kept so the marks line up; a range over several lines to the end of its first', () => {
  const d: Diagnostic = {
    severity: 'error',
    file: 'p.yaml',
    range: { start: { line: 2, column: 7 }, end: { line: 2, column: 15 } },
    message: 'here',
    related: [{ file: 'p.yaml', range: { start: { line: 3, column: 3 }, end: { line: 5, column: 1 } }, message: 'and there' }],
  };
  assert.equal(
    renderDiagnostics([d], true, dir),
    [
      'error: p.yaml:2:7: here',
      '  2 | \ta: { uses: x }',
      '    | \t     ^^^^^^^^',
      '  note: p.yaml:3:3: and there',
      '  3 |   b:',
      '    |   --',
      '1 problem found',
    ].join('\n'),
  );
});

test('a command-line argument is shown as typed; a file that cannot be read shows no excerpt', () => {
  const d: Diagnostic = {
    severity: 'error',
    file: '--set a.b=1',
    commandLine: true,
    range: { start: { line: 1, column: 9 }, end: { line: 1, column: 10 } },
    message: 'no b',
    related: [{ file: 'gone.yaml', range: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } }, message: 'was here' }],
  };
  assert.equal(
    renderDiagnostics([d], true, dir),
    ['error: --set a.b=1: no b', '   | --set a.b=1', '   |         ^', '  note: gone.yaml:1:1: was here', '1 problem found'].join('\n'),
  );
});
