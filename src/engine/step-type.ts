/**
 * The contract between the engine and a step type. A step type is one file in src/steps that
 * exports one `StepType` object: what it reads (input ports), what it writes (output ports), the
 * JSON Schema of its `with:` block, a version, and `run`.
 *
 * A step runs as a function from input artifact files to output artifact files: the engine hands
 * it the paths of its inputs (already in the store) and the paths to write its outputs to (in the
 * store's temporary area); it then hashes the outputs and moves them into the store. `run` is
 * executed in a worker thread, so it must get everything it needs from its context and params.
 *
 * Step files are imported on every CLI start for validation, so they must not import heavy
 * libraries (arrow, tfjs, rdkit, …) at top level: import them inside `run`.
 */

/** What flows along an edge of the pipeline graph. An output fits an input port only when the kinds match. */
export const ARTIFACT_KINDS = [
  'dataset', // a table, Apache Arrow IPC file
  'folds', // cross-validation fold assignment (JSON)
  'transform', // a fitted preprocessing transform (JSON)
  'selection', // a fitted feature selection (JSON)
  'model', // a trained model (JSON or binary)
  'bundle', // a model with its fitted preprocessing, selection and input signature (JSON)
  'metrics', // evaluation results (JSON)
  'report', // anything else a person reads (JSON/Markdown)
] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export interface Port {
  kind: ArtifactKind;
  description: string;
  /** An optional input may be left unwired. */
  optional?: boolean;
  /**
   * A fan-in input: wired to a swept step (`matrix:`), it receives the artifact of every
   * combination (read them with `ctx.inputs(port)`), instead of expanding this step per combination.
   */
  many?: boolean;
}

/** A JSON Schema object for a step's `with:` block. Kept loose here; ajv checks it at start-up. */
export interface ParamsSchema {
  type: 'object';
  properties: Record<string, object>;
  required?: readonly string[];
  additionalProperties?: false;
  [keyword: string]: unknown;
}

/**
 * Where and why a step is running, for steps that record lineage (register, select-best). The
 * run id, pipeline, git and the ancestors' keys are not part of the cache key: a step's outputs
 * must not depend on them, except for side effects keyed by the step's own cache key (so a
 * re-run does not repeat them). `upstream` without its keys is part of a lineage step's key.
 */
export interface RunInfo {
  readonly runId: string;
  /** This step's cache key. */
  readonly stepKey: string;
  readonly pipeline: { readonly name: string; readonly file: string; readonly path: string; readonly digest: string; readonly overrides: readonly string[] };
  readonly git: { readonly commit: string; readonly dirty: boolean } | null;
  /** The store folder (registry.db lives there). */
  readonly storeDir: string;
  /** Set when the run is an experiment (see engine/experiment.ts): why, and whether it may register models (`--register`). */
  readonly experiment?: RunExperiment;
  /** Every step this one depends on, transitively: its cache key and output digests (empty unless the step type sets `lineage`). */
  readonly upstream: Readonly<
    Record<
      string,
      {
        readonly stepType: string;
        readonly key: string;
        readonly outputs: Readonly<Record<string, string>>;
        readonly params: Readonly<Record<string, unknown>>;
        readonly dependsOn: readonly string[];
      }
    >
  >;
}

export interface RunExperiment {
  readonly reason: string;
  readonly register: boolean;
}

export interface StepContext {
  /** The step's id in the pipeline (the key under `steps:`). */
  readonly stepId: string;
  /** Directory of the pipeline file; relative paths in `with:` are resolved against it. */
  readonly pipelineDir: string;
  /** Path of the artifact wired into an input port, or undefined for an unwired optional port. */
  input(port: string): string | undefined;
  /** Paths of every artifact wired into a fan-in port (`many: true`), in the sweep's order. */
  inputs(port: string): readonly string[];
  /** Path the step must write the artifact of an output port to (every output port must be written). */
  output(port: string): string;
  /**
   * For a file parameter (fileParams) that names a data pointer (`PATH.medpipe`, or PATH with its
   * pointer beside it; see docs/data-files.md): a local file with exactly the bytes the pointer
   * records, checked by the engine before the step started. Undefined for a plain file, which the
   * step reads at its path (resolved against pipelineDir).
   */
  dataFile(param: string): string | undefined;
  /** Progress for long steps (trees built, solver iterations). fraction in [0, 1] when known. */
  progress(message: string, fraction?: number): void;
  /** A line for the step's log. Never log data rows: they may be about patients. */
  log(message: string): void;
  /**
   * Aborted when the run no longer wants this step (--fail-fast, Ctrl-C, a remote cancel). Long
   * steps call `signal.throwIfAborted()` between units of work (a tree, an epoch, a block of rows)
   * and yield to the event loop there now and then, so the abort can arrive; the engine ends the
   * step's worker anyway if it does not stop within a grace period.
   */
  readonly signal: AbortSignal;
  /** The run this step is part of (absent when a step is run outside the engine, e.g. in unit tests). */
  readonly run?: RunInfo;
}

/** What `run` may return besides its output files: a small JSON summary kept in the run record. */
export interface StepSummary {
  [key: string]: unknown;
}

export interface StepType<P extends object = Record<string, unknown>> {
  /** The name used in `uses:`, e.g. "load.csv". */
  readonly id: string;
  /** Bump whenever the outputs for the same inputs and params would change: it is part of the cache key. */
  readonly version: string;
  readonly description: string;
  readonly inputs: Readonly<Record<string, Port>>;
  readonly outputs: Readonly<Record<string, Port>>;
  /** The output used when a step is referenced without a port (`in: { data: load }`). */
  readonly defaultOutput: string;
  /** JSON Schema of `with:`; defaults given here are applied before the cache key is computed. */
  readonly params: ParamsSchema;
  /**
   * Names of `with:` parameters that hold paths to files read by the step. The content digest of
   * each named file is part of the cache key, so editing the data re-runs the step.
   */
  readonly fileParams?: readonly string[];
  /**
   * For `with:` parameters that name something outside the pipeline whose content the step reads
   * (monitor's `model: NAME@ALIAS`, a registered model): the digest of what each names now,
   * computed whenever the key is (in the engine's thread), entered in the key like a data file's.
   * Moving the alias to another version changes the key, so the step runs again.
   */
  paramDigests?(params: Readonly<Record<string, unknown>>, storeDir: string): Promise<Readonly<Record<string, string>>>;
  /**
   * Set by steps that record lineage (register, select-best): only they receive
   * `ctx.run.upstream`, which on a deep graph is large to build and to pass to a worker.
   */
  readonly lineage?: boolean;
  /**
   * An output the user also wants as a file of their own (e.g. evaluate's metrics for git): the
   * `with:` parameter naming the path and the output port. The engine writes it after every
   * successful run of the step, cached or not, so the file always matches the lock file, and
   * after a failed quality gate; never in an experiment (engine/experiment.ts).
   */
  readonly publish?: { readonly param: string; readonly port: string };
  /**
   * For steps whose effect lives outside the store (register writes the registry): asked on a
   * cache hit, in the engine's thread, whether what the cached run did still holds. A reason
   * means it does not, and the step runs again (e.g. a registry that lost the version re-registers it).
   */
  cachedEffectMissing?(
    summary: unknown,
    where: { readonly storeDir: string; readonly stepKey: string; readonly experiment: RunExperiment | undefined },
  ): Promise<string | undefined>;
  /**
   * With cachedEffectMissing: puts the effect back from the cached entry's summary and outputs
   * (local files, verified), without computing (register registers the cached registration into
   * this store's registry). Returns what it did, for the run's log; undefined when it cannot, and
   * the step runs again.
   */
  restoreEffect?(
    summary: unknown,
    outputs: Readonly<Record<string, string>>,
    where: {
      readonly storeDir: string;
      readonly stepKey: string;
      readonly experiment: RunExperiment | undefined;
      /** The run restoring it, which the effect records (register's lineage names it). */
      readonly run: Pick<RunInfo, 'pipeline' | 'git' | 'runId'>;
    },
  ): Promise<string | undefined>;
  run(ctx: StepContext, params: P): Promise<StepSummary | void>;
}

/** Erases a step type's parameter type for storage in the registry of step types. */
export function defineStep<P extends object>(step: StepType<P>): StepType {
  return step as unknown as StepType;
}
