/**
 * A pipeline as an Argo Workflows `Workflow`: one container template per step, each running
 * `medpipe run PIPELINE --only STEP --remote URL --remote-required` in the project's image, and the
 * DAG as Argo `dag` tasks whose dependencies are the pipeline's edges.
 *
 * Artifacts travel through medpipe's remote cache, not Argo's artifact repository: a task's pod
 * starts with an empty store, finds every upstream step on the remote (`cached (remote)`: Argo
 * ran them first), downloads only the artifacts its step reads, computes the step and pushes it.
 * Content addressing makes a task idempotent, so a retried or repeated task recomputes nothing
 * that reached the remote. A `--only` run pushes no pipeline record (only a run of the whole
 * pipeline does, execute.ts), so a last task runs the whole pipeline, all of it cached, which
 * pushes the record that `medpipe pull` and `remote gc` go by.
 *
 * Secrets never enter the manifest: remote credentials and MEDPIPE_CACHE_KEY come from a
 * Kubernetes Secret through env (secretKeyRef, optional, so a pod role or an unsigned cache needs
 * no key). The remote URL holds none (remote-url.ts refuses one that does).
 */
import { dependenciesOf, requiredLabels, type Pipeline, type PipelineStep } from '../engine/pipeline.js';
import type { StepResources } from '../engine/step-resources.js';
import type { RemoteUrl } from '../remote/remote-url.js';
import { dnsLabel, NameAllocator } from './kubernetes-names.js';

export interface ArgoExportOptions {
  /** The image with the project (Dockerfile): medpipe on PATH, the working folder its root. */
  readonly image: string;
  /** The remote URL as the pods use it, and what it is. */
  readonly remote: string;
  readonly remoteUrl: RemoteUrl;
  /** The pipeline file relative to the project root, "/"-separated: where the image has it. */
  readonly pipelineFile: string;
  /** `--set` and `--params` arguments every task passes on (an experiment), in order; empty for the committed pipeline. */
  readonly experimentArgs: readonly string[];
  /** metadata.name; else metadata.generateName from the pipeline's name. */
  readonly name?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
  /** The Kubernetes Secret the env comes from. */
  readonly secret: string;
  /** A PersistentVolumeClaim mounted at a file:// remote's folder in every pod. */
  readonly remoteVolume?: string;
  /** Retries of a task after its first attempt. */
  readonly retries: number;
}

/** The parts of Argo's Workflow this export writes (see Argo's JSON Schema for the whole). */
export interface ArgoWorkflow {
  readonly apiVersion: 'argoproj.io/v1alpha1';
  readonly kind: 'Workflow';
  readonly metadata: ObjectMeta & { readonly name?: string; readonly generateName?: string; readonly namespace?: string };
  readonly spec: {
    readonly entrypoint: string;
    readonly serviceAccountName?: string;
    readonly volumes?: readonly Record<string, unknown>[];
    readonly templates: readonly ArgoTemplate[];
  };
}

interface ObjectMeta {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ArgoDagTask {
  readonly name: string;
  readonly template: string;
  readonly dependencies?: readonly string[];
}

export type ArgoTemplate =
  | { readonly name: string; readonly dag: { readonly tasks: readonly ArgoDagTask[] } }
  | {
      readonly name: string;
      readonly metadata?: ObjectMeta;
      readonly retryStrategy: Readonly<Record<string, unknown>>;
      readonly container: ArgoContainer;
    };

export interface ArgoContainer {
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly Record<string, unknown>[];
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> };
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
}

/** The DAG template, Argo's entry point. */
export const DAG_TEMPLATE = 'pipeline';
/** The last task: the whole pipeline, all cached, which pushes its record. */
export const RECORD_TASK = 'record';
/** Annotations: which step a template runs, and the worker labels it asks for. */
export const STEP_ANNOTATION = 'medpipe.dev/step';
export const LABELS_ANNOTATION = 'medpipe.dev/labels';

/** Remote credentials the S3 client reads from the environment (the AWS SDK's standard names). */
const S3_CREDENTIALS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
const REMOTE_VOLUME = 'medpipe-remote';
/** generateName gets 5 random characters from Kubernetes; a workflow name is at most 63. */
const GENERATE_NAME_PREFIX_LENGTH = 57;

export function argoWorkflow(pipeline: Pipeline, options: ArgoExportOptions): ArgoWorkflow {
  const names = new NameAllocator([DAG_TEMPLATE, RECORD_TASK]);
  const taskOf = new Map([...pipeline.steps.keys()].map((id) => [id, names.allocate(id)]));
  const experiment = options.experimentArgs.length > 0;

  const tasks: ArgoDagTask[] = [...pipeline.steps.values()].map((step) => {
    const dependencies = dependenciesOf(step).map((d) => taskOf.get(d) as string);
    return { name: taskOf.get(step.id) as string, template: taskOf.get(step.id) as string, ...(dependencies.length ? { dependencies } : {}) };
  });
  const templates: ArgoTemplate[] = [...pipeline.steps.values()].map((step) =>
    containerTemplate(taskOf.get(step.id) as string, ['run', options.pipelineFile, '--only', step.id, ...remoteArgs(options)], options, step),
  );
  // An experiment pushes no record (execute.ts), so it has no record task.
  if (!experiment) {
    const used = new Set(tasks.flatMap((t) => t.dependencies ?? []));
    tasks.push({ name: RECORD_TASK, template: RECORD_TASK, dependencies: tasks.filter((t) => !used.has(t.name)).map((t) => t.name) });
    templates.push(containerTemplate(RECORD_TASK, ['run', options.pipelineFile, ...remoteArgs(options)], options));
  }

  const pipelineLabel = dnsLabel(pipeline.name, 63, 'pipeline');
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      ...(options.name ? { name: options.name } : { generateName: `${dnsLabel(pipeline.name, GENERATE_NAME_PREFIX_LENGTH - 1, 'medpipe')}-` }),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      labels: { 'medpipe.dev/pipeline': pipelineLabel },
      annotations: {
        'medpipe.dev/pipeline-file': options.pipelineFile,
        'medpipe.dev/pipeline-digest': pipeline.digest,
        'medpipe.dev/remote': options.remote,
        ...(experiment ? { 'medpipe.dev/experiment': options.experimentArgs.join(' ') } : {}),
      },
    },
    spec: {
      entrypoint: DAG_TEMPLATE,
      ...(options.serviceAccount ? { serviceAccountName: options.serviceAccount } : {}),
      ...(options.remoteVolume ? { volumes: [{ name: REMOTE_VOLUME, persistentVolumeClaim: { claimName: options.remoteVolume } }] } : {}),
      templates: [{ name: DAG_TEMPLATE, dag: { tasks } }, ...templates],
    },
  };
}

/** What every task passes after its own arguments: the remote (required: computing without it would lose the result) and the experiment. */
function remoteArgs(options: ArgoExportOptions): string[] {
  return ['--remote', options.remote, '--remote-required', ...options.experimentArgs];
}

function containerTemplate(name: string, args: readonly string[], options: ArgoExportOptions, step?: PipelineStep): ArgoTemplate {
  const labels = step ? requiredLabels(step) : [];
  const resources = step?.resources ? kubernetesResources(step.resources) : undefined;
  return {
    name,
    ...(step ? { metadata: { annotations: { [STEP_ANNOTATION]: step.id, ...(labels.length ? { [LABELS_ANNOTATION]: labels.join(',') } : {}) } } } : {}),
    retryStrategy: retryStrategy(options.retries),
    container: {
      image: options.image,
      command: ['medpipe'],
      args,
      env: environment(options),
      ...(resources ? { resources } : {}),
      ...(options.remoteVolume && options.remoteUrl.kind === 'file' ? { volumeMounts: [{ name: REMOTE_VOLUME, mountPath: options.remoteUrl.path }] } : {}),
    },
  };
}

/**
 * Retries, which are safe because a step's outputs are named by their content: a task that died
 * after pushing is all cached when retried. Every kind of failure is retried (a node lost, the
 * remote unreachable, an out-of-memory kill) except medpipe's exit code 2, an invalid pipeline or
 * usage, which fails the same way every time. Argo gives the exit code as a string ("-1" or empty
 * when the pod never ran it), so it is compared as one: no conversion that could fail.
 */
function retryStrategy(retries: number): Readonly<Record<string, unknown>> {
  return {
    limit: String(retries),
    retryPolicy: 'Always',
    expression: 'lastRetry.exitCode != "2"',
    backoff: { duration: '30s', factor: '2' },
  };
}

/** The env every pod gets: secrets by reference only, each optional (a pod role needs no keys, an unsigned cache no MEDPIPE_CACHE_KEY). */
function environment(options: ArgoExportOptions): Record<string, unknown>[] {
  const names = [...(options.remoteUrl.kind === 's3' ? S3_CREDENTIALS : []), 'MEDPIPE_CACHE_KEY'];
  return names.map((name) => ({ name, valueFrom: { secretKeyRef: { name: options.secret, key: name, optional: true } } }));
}

/**
 * `resources:` as a container's: CPU and memory as requests (what the scheduler reserves; no
 * limits, so a step may use idle cores), GPUs as `nvidia.com/gpu` limits (Kubernetes takes
 * extended resources from limits, and requests them equal).
 */
export function kubernetesResources(resources: StepResources): ArgoContainer['resources'] | undefined {
  const requests: Record<string, string> = {};
  if (resources.cpu !== undefined) requests.cpu = String(resources.cpu);
  if (resources.memory !== undefined) requests.memory = resources.memory;
  const gpu = resources.gpu ?? 0;
  const out = { ...(Object.keys(requests).length ? { requests } : {}), ...(gpu > 0 ? { limits: { 'nvidia.com/gpu': String(gpu) } } : {}) };
  return Object.keys(out).length ? out : undefined;
}
