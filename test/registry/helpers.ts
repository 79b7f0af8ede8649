/** Shared set-up for registry tests: a fresh store folder and versions with real bundle files in it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry, RegisterInput } from '../../src/registry/index.js';

export function tempStore(): string {
  return mkdtempSync(join(tmpdir(), 'medpipe-registry-'));
}

/** A bundle file stored in the registry's store; its content makes it distinct per label. */
export function storeBundle(reg: Registry, label: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'medpipe-bundle-')), 'bundle.json');
  writeFileSync(file, JSON.stringify({ kind: 'svm', label, coefficients: [label.length, 1, 2] }));
  return reg.storeBundle(file);
}

export function versionInput(reg: Registry, name: string, metrics: Record<string, unknown>, extra: Partial<RegisterInput> = {}): RegisterInput {
  return {
    name,
    bundleDigest: storeBundle(reg, `${name}-${JSON.stringify(metrics)}`),
    metrics,
    params: { kernel: 'rbf', C: 1 },
    lineage: { pipeline: 'pipelines/breast-cancer.yaml', git: { commit: 'abc123', dirty: false }, runId: 'run-1' },
    card: `# ${name}\n\nA support vector machine for the breast cancer data.\n`,
    ...extra,
  };
}
