/**
 * The validated, resolved pipeline: what the planner and the executor work on. Every step's
 * parameters are final here (interpolated, overridden by --set, defaults applied).
 */
import type { StepCatalogue } from './step-catalogue.js';
import type { StepResources } from './step-resources.js';
import type { StepType } from './step-type.js';

/** A reference to another step's output port (`in: { train: split.train }`). */
export interface OutputRef {
  readonly step: string;
  readonly port: string;
}

export interface PipelineStep {
  readonly id: string;
  /** As written in `uses:`. */
  readonly uses: string;
  readonly type: StepType;
  /** For a step loaded from a user's file: where it is and the digest of its code (part of the cache key). */
  readonly custom?: { readonly modulePath: string; readonly codeDigest: string };
  readonly inputs: Readonly<Record<string, OutputRef>>;
  /**
   * Fan-in ports (a Port with `many: true`): every expansion of a swept step, in the order of the
   * sweep's combinations. Empty for most steps.
   */
  readonly fanIn: Readonly<Record<string, readonly OutputRef[]>>;
  /** For a step expanded from a `matrix:`: the step id in the file and this combination's values. */
  readonly sweep?: { readonly origin: string; readonly values: Readonly<Record<string, unknown>> };
  /** Steps that must finish first without passing data (`needs:`). */
  readonly needs: readonly string[];
  readonly params: Readonly<Record<string, unknown>>;
  /** What the step needs from the machine that runs it (`resources:`); not part of its cache key. */
  readonly resources?: StepResources;
  /** Worker labels the step needs (`labels:`), as written; not part of its cache key. */
  readonly labels?: readonly string[];
  readonly description?: string;
}

export interface Pipeline {
  /** The path as the user gave it, for messages. */
  readonly file: string;
  /** Absolute path of the pipeline file. */
  readonly path: string;
  /** Directory of the pipeline file: relative paths in it are resolved against this. */
  readonly dir: string;
  readonly name: string;
  /** sha256 of the file's bytes. */
  readonly digest: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The `--set` overrides applied, as typed (`svm.C=10`): part of what produced the results. */
  readonly overrides: readonly string[];
  /** The pipeline's `params_file:`, absolute, when it has one. */
  readonly paramsFile?: string;
  /** The `--params FILE` files applied, as given. */
  readonly paramsOverrides: readonly string[];
  /** In file order. */
  readonly steps: ReadonlyMap<string, PipelineStep>;
  /** The step types `uses:` was resolved against; the executor's workers find them there too. */
  readonly catalogue: StepCatalogue;
}

/** The steps a step depends on, data inputs first, then `needs:`, without duplicates. */
export function dependenciesOf(step: PipelineStep): string[] {
  return [
    ...new Set([...Object.values(step.inputs).map((r) => r.step), ...Object.values(step.fanIn).flatMap((refs) => refs.map((r) => r.step)), ...step.needs]),
  ];
}

/**
 * The worker labels a step needs, sorted and without duplicates: its `labels:`, and "gpu" when it
 * asks for a GPU (a worker started with --labels gpu has one). The queue routes the step to
 * workers that have every one of them.
 */
export function requiredLabels(step: Pick<PipelineStep, 'labels' | 'resources'>): string[] {
  const labels = new Set(step.labels ?? []);
  if ((step.resources?.gpu ?? 0) > 0) labels.add('gpu');
  return [...labels].sort();
}
