/**
 * `medpipe export argo PIPELINE --image IMAGE --remote URL`: the pipeline as an Argo Workflows
 * manifest (src/export/argo-workflow.ts), printed or written to --output. Everything a pod needs
 * is decided here, where the user can still be told: the remote is given explicitly (never taken
 * from the environment of the machine exporting) and holds no credentials, the pipeline and any
 * --params file are inside the project (the image has the project at the same relative paths),
 * and the names are ones Kubernetes accepts.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { yaml } from '../yaml.js';
import { loadPipeline } from '../engine/open.js';
import { parseOverride } from '../engine/params.js';
import { findProjectRoot } from '../engine/store-location.js';
import { UsageError } from '../errors.js';
import { argoWorkflow } from '../export/argo-workflow.js';
import { DNS_LABEL, MAX_DNS_LABEL_LENGTH } from '../export/kubernetes-names.js';
import { projectRelativePath } from '../remote/remote-records.js';
import { parseRemoteUrl, redactRemoteUrl, RemoteUrlError, type RemoteUrl } from '../remote/remote-url.js';
import { catalogue } from '../steps/index.js';
import { didYouMean } from '../suggest.js';
import type { CliIO, ParsedArgs } from './cli.js';
import { writeOutputFile } from './output-file.js';
import { pipelineFileNames } from './pipeline-files.js';
import { chooseRemote } from './remote-option.js';

/** A Kubernetes object name (DNS-1123 subdomain) such as a Secret's or a service account's. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DEFAULT_SECRET = 'medpipe-remote';
const RETRIES = 2;

export async function exportCommand(rest: readonly string[], args: ParsedArgs, io: CliIO): Promise<number> {
  if (rest[0] !== 'argo')
    throw new UsageError(
      `export takes a target: argo${rest[0] === undefined ? '' : ` (got "${rest[0]}")`}, e.g. medpipe export argo pipelines/breast-cancer.yaml --image IMAGE --remote s3://bucket/prefix`,
    );
  if (rest.length !== 2)
    throw new UsageError('export argo takes one pipeline file, e.g. medpipe export argo pipelines/breast-cancer.yaml --image IMAGE --remote URL');
  const v = args.values;
  if (!v.image?.trim() || /\s/.test(v.image))
    throw new UsageError('export argo needs --image IMAGE: the image built from the Dockerfile, e.g. --image registry.example.org/medpipe:1.0');
  if (v.remote === undefined || v.remote === '')
    throw new UsageError(
      'export argo needs --remote NAME|URL: the remote cache the pods share artifacts through, e.g. --remote s3://bucket/prefix (MEDPIPE_REMOTE and default_remote are not read: the manifest says where its results go)',
    );
  checkName('--name', v.name, DNS_LABEL, MAX_DNS_LABEL_LENGTH);
  checkName('--namespace', v.namespace, DNS_LABEL, MAX_DNS_LABEL_LENGTH);
  checkName('--service-account', v['service-account'], DNS_SUBDOMAIN, 253);
  checkName('--secret', v.secret, DNS_SUBDOMAIN, 253);
  checkName('--remote-volume', v['remote-volume'], DNS_SUBDOMAIN, 253);

  // One line for a file that is not there (validation would report it as a diagnostic with a summary).
  if (!existsSync(resolve(io.cwd, rest[1]))) throw new UsageError(`there is no pipeline file ${rest[1]}${nearbyPipelines(resolve(io.cwd, rest[1]))}`);
  const pipeline = await loadPipeline(rest[1], { catalogue, overrides: (v.set ?? []).map(parseOverride), paramsFiles: v.params, cwd: io.cwd });
  const root = findProjectRoot(pipeline.path);
  const remote = podRemote(v.remote, io.cwd, v.secret ?? DEFAULT_SECRET);
  if (v['remote-volume'] && remote.url.kind !== 'file')
    throw new UsageError('--remote-volume mounts the folder of a file:// remote; an s3:// remote needs no volume');
  if (remote.url.kind === 'file' && !v['remote-volume'])
    io.err(
      `medpipe: warning: the remote ${remote.text} is a folder: every pod must see it at that path; give --remote-volume CLAIM (a ReadWriteMany PersistentVolumeClaim), or use an s3:// remote`,
    );
  const experimentArgs = [
    ...(v.params ?? []).flatMap((file) => ['--params', insideProject(file, io.cwd, root)]),
    ...(v.set ?? []).flatMap((s) => ['--set', s]),
  ];

  const workflow = argoWorkflow(pipeline, {
    image: v.image,
    remote: remote.text,
    remoteUrl: remote.url,
    pipelineFile: projectRelativePath(pipeline.path),
    experimentArgs,
    ...(v.name ? { name: v.name } : {}),
    ...(v.namespace ? { namespace: v.namespace } : {}),
    ...(v['service-account'] ? { serviceAccount: v['service-account'] } : {}),
    secret: v.secret ?? DEFAULT_SECRET,
    ...(v['remote-volume'] ? { remoteVolume: v['remote-volume'] } : {}),
    retries: RETRIES,
  });
  const header = `# Argo Workflow for ${projectRelativePath(pipeline.path)}, written by medpipe export argo (docs/distributed.md).\n# Submit: argo submit${v.namespace ? ` -n ${v.namespace}` : ''} THIS-FILE --watch\n`;
  const text = header + yaml().stringify(workflow, { lineWidth: 0, sortMapEntries: false });
  if (v.output) writeOutputFile(v.output, text, io.cwd);
  else io.out(text.trimEnd());
  return 0;
}

function checkName(option: string, value: string | undefined, pattern: RegExp, max: number): void {
  if (value === undefined) return;
  if (!pattern.test(value) || value.length > max)
    throw new UsageError(
      `${option} "${value}" is not a Kubernetes name: lower-case letters, digits and "-"${pattern === DNS_SUBDOMAIN ? ' (and ".")' : ''}, starting and ending with a letter or digit, at most ${max} characters`,
    );
}

/**
 * The remote as the pods name it: a name from medpipe.config.yaml resolved to its URL, a folder
 * as an absolute file:// URL (a relative one would be relative to the pod's working folder).
 * A URL holding credentials is refused, as everywhere (remote-url.ts).
 */
function podRemote(asked: string, cwd: string, secret: string): { text: string; url: RemoteUrl } {
  const chosen = chooseRemote({ remote: asked }, cwd);
  const given = chosen?.url ?? asked;
  let url: RemoteUrl;
  try {
    url = parseRemoteUrl(given, findProjectRoot(cwd));
  } catch (e) {
    if (!(e instanceof RemoteUrlError)) throw e;
    // The manifest is no place for a secret either: say where the pods get credentials.
    const withCredentials = redactRemoteUrl(given) !== given;
    throw new UsageError(
      withCredentials
        ? `--remote: a remote URL must not hold credentials (the manifest is not a secret): remove the user and password; the pods read AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the Kubernetes Secret ${secret} (--secret), or use a service account with a cloud role`
        : `--remote: ${e.message}`,
    );
  }
  return { text: url.kind === 'file' ? pathToFileURL(url.path).href : given, url };
}

/** A --params file as the pods name it: relative to the project root, which the image has as its working folder. */
function insideProject(file: string, cwd: string, root: string): string {
  const rel = relative(root, resolve(cwd, file));
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new UsageError(`--params ${file} is outside the project (${root}): the pods see only the project's files; move it into the project`);
  return rel.split(sep).join('/');
}

/** For a pipeline file that is not there: the nearest pipeline of its folder by name, or the folder's pipelines. */
function nearbyPipelines(file: string): string {
  const names = pipelineFileNames(dirname(file));
  if (!names.length) return '';
  const near = didYouMean(basename(file), names);
  return near || `; the pipelines beside it are: ${names.join(', ')}`;
}
