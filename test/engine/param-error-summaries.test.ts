/** A conditional schema (if/then) that fails reports the parameter that breaks it, not also ajv's summary 'with must match "then" schema'. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

test('split method temporal with stratify: true is one problem, at stratify', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-if-then-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{}\n');
    writeFileSync(
      join(dir, 'p.yaml'),
      'medpipe: 1\nname: t\nsteps:\n  load:\n    uses: load.builtin\n    with: { name: hospital-readmission }\n  split:\n    uses: split\n    in: { data: load }\n    with: { method: temporal, column: admitted, stratify: true }\n',
    );
    const r = await runCli(dir, 'validate', 'p.yaml');
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.err + r.out, /must match "then" schema/);
    assert.match(r.err + r.out, /p\.yaml:10:59: step "split": with\.stratify must be one of: "auto", false/);
    assert.match(r.err + r.out, /^1 problem found$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
