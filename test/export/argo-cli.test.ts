/**
 * `medpipe export argo` as a user meets it: each mistake is one line on stderr with exit 2 (and
 * a remote URL holding credentials is refused without echoing them); --output writes what would
 * be printed; --set makes every task run the same experiment, with no record task (an experiment
 * pushes no record); a folder remote is mounted from a volume; the options name the Kubernetes
 * objects. The Dockerfile builds the image the manifest runs: medpipe on PATH, as the package's bin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { type ArgoContainer, type ArgoWorkflow, RECORD_TASK } from '../../src/export/argo-workflow.js';
import { ROOT, runCli, shippedProjectCopy } from '../helpers/cli.js';
import { assertValidWorkflow, exportArgo } from './argo-helpers.js';

const FILE = 'pipelines/breast-cancer.yaml';
const IMAGE = ['--image', 'registry.example.org/medpipe:1.0'];

async function refused(cwd: string, ...args: string[]): Promise<string> {
  const r = await runCli(cwd, 'export', ...args);
  assert.equal(r.code, 2, `exit code of export ${args.join(' ')}: ${r.err}`);
  assert.equal(r.out, '');
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.err}`);
  assert.match(lines[0], /^medpipe: /);
  return lines[0];
}

test('each mistake is one line naming what to do, exit 2', async () => {
  assert.match(await refused(ROOT), /export takes a target: argo, e\.g\. medpipe export argo pipelines/);
  assert.match(await refused(ROOT, 'kubeflow', FILE), /export takes a target: argo \(got "kubeflow"\)/);
  assert.match(await refused(ROOT, 'argo', ...IMAGE, '--remote', 's3://b/p'), /export argo takes one pipeline file/);
  assert.match(
    await refused(ROOT, 'argo', 'pipelines/breast-cancr.yaml', ...IMAGE, '--remote', 's3://b/p'),
    /no pipeline file pipelines\/breast-cancr\.yaml \(did you mean "breast-cancer\.yaml"\?\)/,
  );
  assert.match(await refused(ROOT, 'argo', 'nowhere/p.yaml', ...IMAGE, '--remote', 's3://b/p'), /there is no pipeline file nowhere\/p\.yaml$/);
  assert.match(await refused(ROOT, 'argo', FILE, '--remote', 's3://b/p'), /export argo needs --image IMAGE: the image built from the Dockerfile/);
  assert.match(await refused(ROOT, 'argo', FILE, '--image', 'a b', '--remote', 's3://b/p'), /needs --image IMAGE/);
  assert.match(await refused(ROOT, 'argo', FILE, ...IMAGE), /export argo needs --remote NAME\|URL/);
  assert.match(
    await refused(ROOT, 'argo', FILE, ...IMAGE, '--remote', 'https://example.org/cache'),
    /--remote: remote URLs are file:\/\/\/path or s3:\/\/bucket\/prefix, not https:/,
  );
  assert.match(await refused(ROOT, 'argo', FILE, ...IMAGE, '--remote', 'teamcache'), /there is no remote named "teamcache"/);
  assert.match(await refused(ROOT, 'argo', FILE, ...IMAGE, '--remote', 's3://b/p', '--name', 'Nightly_Run'), /--name "Nightly_Run" is not a Kubernetes name/);
  assert.match(
    await refused(ROOT, 'argo', FILE, ...IMAGE, '--remote', 's3://b/p', '--namespace', 'ml.team'),
    /--namespace "ml\.team" is not a Kubernetes name/,
  );
  assert.match(
    await refused(ROOT, 'argo', FILE, ...IMAGE, '--remote', 's3://b/p', '--remote-volume', 'shared'),
    /--remote-volume mounts the folder of a file:\/\/ remote/,
  );
  const outside = join(mkdtempSync(join(tmpdir(), 'medpipe-export-params-')), 'params.yaml');
  writeFileSync(outside, 'seed: 7\n');
  assert.match(
    await refused(ROOT, 'argo', FILE, ...IMAGE, '--remote', 's3://b/p', '--params', outside),
    /--params .* is outside the project .*: the pods see only the project's files/,
  );
});

test('a remote URL holding credentials is refused, without repeating them, and says where the pods get them', async () => {
  for (const url of ['s3://AKIAEXAMPLE:wJalrXUtnSECRET@bucket/prefix', 's3://bucket/prefix?endpoint=https://minio:wJalrXUtnSECRET@minio.example.org']) {
    const line = await refused(ROOT, 'argo', FILE, ...IMAGE, '--remote', url, '--secret', 'ml-remote');
    assert.match(line, /must not hold credentials .*the Kubernetes Secret ml-remote \(--secret\)/);
    assert.doesNotMatch(line, /wJalrXUtnSECRET|AKIAEXAMPLE/);
  }
});

test('--output writes the manifest that would be printed; the options name the Kubernetes objects', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-export-out-'));
  const options = [...IMAGE, '--remote', 's3://b/p', '--name', 'nightly', '--namespace', 'ml', '--service-account', 'medpipe-runner', '--secret', 'ml-remote'];
  const printed = await exportArgo(ROOT, FILE, ...options);
  const r = await runCli(ROOT, 'export', 'argo', FILE, ...options, '--output', join(dir, 'workflows/nightly.yaml'));
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '');
  const written = readFileSync(join(dir, 'workflows/nightly.yaml'), 'utf8');
  assert.equal(written.trimEnd(), printed.text.trimEnd());
  const w = parse(written) as ArgoWorkflow;
  assertValidWorkflow(w, 'nightly.yaml');
  assert.equal(w.metadata.name, 'nightly');
  assert.equal(w.metadata.generateName, undefined);
  assert.equal(w.metadata.namespace, 'ml');
  assert.equal(w.spec.serviceAccountName, 'medpipe-runner');
  const env = (w.spec.templates[1] as { container: ArgoContainer }).container.env;
  assert.ok(env.every((e) => (e.valueFrom as { secretKeyRef: { name: string } }).secretKeyRef.name === 'ml-remote'));
  assert.match(written, /^# Submit: argo submit -n ml THIS-FILE --watch$/m);
});

test('--set: every task runs the same experiment, and there is no record task (an experiment pushes no record)', async () => {
  const { workflow } = await exportArgo(ROOT, FILE, ...IMAGE, '--remote', 's3://b/p', '--set', 'svm.C=10', '--set', 'seed=7');
  assertValidWorkflow(workflow, 'experiment');
  const templates = workflow.spec.templates.slice(1) as { name: string; container: ArgoContainer }[];
  assert.ok(templates.length >= 10);
  for (const t of templates) assert.deepEqual(t.container.args.slice(-4), ['--set', 'svm.C=10', '--set', 'seed=7'], t.name);
  assert.equal(
    templates.some((t) => t.name === RECORD_TASK),
    false,
  );
  assert.equal(workflow.metadata.annotations?.['medpipe.dev/experiment'], '--set svm.C=10 --set seed=7');
  // A --set the pipeline refuses is refused here, before anything is submitted.
  const r = await runCli(ROOT, 'export', 'argo', FILE, ...IMAGE, '--remote', 's3://b/p', '--set', 'svm.C=-1');
  assert.equal(r.code, 2);
  assert.match(r.err, /svm/);
});

test('--params inside the project is passed on relative to the project root, as the image has it', async () => {
  const dir = shippedProjectCopy('export-params');
  writeFileSync(join(dir, 'pipelines/fast.params.yaml'), 'seed: 7\n');
  const { workflow } = await exportArgo(join(dir, 'pipelines'), 'breast-cancer.yaml', ...IMAGE, '--remote', 's3://b/p', '--params', 'fast.params.yaml');
  const args = (workflow.spec.templates[1] as { container: ArgoContainer }).container.args;
  assert.deepEqual(args.slice(0, 2), ['run', 'pipelines/breast-cancer.yaml']);
  assert.deepEqual(args.slice(-2), ['--params', 'pipelines/fast.params.yaml']);
});

test('a remote named in medpipe.config.yaml is written as its URL: a pod reads no config of the machine that exported', async () => {
  const dir = shippedProjectCopy('export-named-remote');
  writeFileSync(join(dir, 'medpipe.config.yaml'), 'remotes:\n  team: s3://hospital-ml/medpipe?region=eu-west-1\n');
  const { workflow } = await exportArgo(dir, FILE, ...IMAGE, '--remote', 'team');
  const args = (workflow.spec.templates[1] as { container: ArgoContainer }).container.args;
  assert.equal(args[args.indexOf('--remote') + 1], 's3://hospital-ml/medpipe?region=eu-west-1');
  assert.equal(workflow.metadata.annotations?.['medpipe.dev/remote'], 's3://hospital-ml/medpipe?region=eu-west-1');
});

test('a folder remote: an absolute file:// URL, mounted from --remote-volume in every pod (a warning without it)', async () => {
  const dir = shippedProjectCopy('export-file-remote');
  const bare = await exportArgo(dir, FILE, ...IMAGE, '--remote', '../shared-cache');
  assert.match(bare.err, /^medpipe: warning: the remote file:\/\/.*\/shared-cache is a folder: every pod must see it at that path; give --remote-volume CLAIM/);
  const { workflow } = await exportArgo(dir, FILE, ...IMAGE, '--remote', '../shared-cache', '--remote-volume', 'medpipe-cache');
  assertValidWorkflow(workflow, 'file remote');
  const folder = join(dir, '..', 'shared-cache');
  assert.deepEqual(workflow.spec.volumes, [{ name: 'medpipe-remote', persistentVolumeClaim: { claimName: 'medpipe-cache' } }]);
  for (const t of workflow.spec.templates.slice(1) as { container: ArgoContainer }[]) {
    assert.deepEqual(t.container.volumeMounts, [{ name: 'medpipe-remote', mountPath: folder }]);
    assert.equal(t.container.args[t.container.args.indexOf('--remote') + 1], `file://${folder}`);
    // No S3 credentials for a folder; the signing key still comes from the Secret.
    assert.deepEqual(
      t.container.env.map((e) => e.name),
      ['MEDPIPE_CACHE_KEY'],
    );
  }
});

test('the Dockerfile puts medpipe (the package’s bin) on PATH as the entry point, and keeps ignored files out', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { medpipe: string } }).bin.medpipe;
  assert.match(dockerfile, new RegExp(`^RUN ln -s /app/${bin.replace(/[./]/g, '\\$&')} /usr/local/bin/medpipe$`, 'm'));
  assert.match(dockerfile, /^WORKDIR \/app$/m);
  assert.match(dockerfile, /^ENTRYPOINT \["medpipe"\]$/m);
  assert.match(dockerfile, /^RUN npm ci && npm prune --omit=dev$/m);
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['node_modules/', 'dist/', '.medpipe/']) assert.ok(ignored.includes(entry), entry);
});

test('the Dockerfile’s cleaning step, run in a CI-like checkout: untracked and ignored files go, and no credential is left in .git', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  // The RUN instruction that cleans the copied checkout, as the image build runs it (sh -c).
  const step = /^RUN (if git rev-parse[\s\S]*?fi)$/m.exec(dockerfile)?.[1];
  assert.ok(step, 'the Dockerfile has its cleaning step');
  const dir = mkdtempSync(join(tmpdir(), 'medpipe-docker-clean-'));
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { encoding: 'utf8' });
    git('init', '-q');
    writeFileSync(join(dir, '.gitignore'), 'data/private.csv\n');
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/public.csv'), 'a\n1\n');
    git('add', '-A');
    git('commit', '-qm', 'c');
    writeFileSync(join(dir, 'data/private.csv'), 'patient rows\n');
    writeFileSync(join(dir, 'data/untracked.csv'), 'patient rows\n');
    git('config', 'http.https://github.com/.extraheader', 'AUTHORIZATION: basic c2VjcmV0LXRva2Vu');
    git('remote', 'add', 'origin', 'https://x-access-token:ghs_secret@github.com/o/r.git');
    // Docker joins a line ending in a backslash with the next one, then runs it with sh -c.
    execFileSync('sh', ['-c', step.replace(/\\\n/g, '')], { cwd: dir });
    assert.ok(existsSync(join(dir, 'data/public.csv')));
    assert.ok(!existsSync(join(dir, 'data/private.csv')), 'an ignored file is removed');
    assert.ok(!existsSync(join(dir, 'data/untracked.csv')), 'an untracked file is removed');
    const config = readFileSync(join(dir, '.git/config'), 'utf8');
    assert.doesNotMatch(config, /extraheader|secret|token|remote/i);
    assert.match(git('rev-parse', 'HEAD'), /^[0-9a-f]{40}\n$/, 'the commit is still readable');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
