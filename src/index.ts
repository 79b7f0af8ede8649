/**
 * medpipe's programmatic API: load and validate a pipeline, plan it, run it with typed progress
 * events. The `medpipe` CLI is built on exactly these functions.
 *
 *   import { loadPipeline, openStore, run } from 'medpipe';
 *   const pipeline = await loadPipeline('pipelines/breast-cancer.yaml', { overrides: [parseOverride('svm.C=10')] });
 *   const result = await run(pipeline, openStore(pipeline.dir), { onEvent: (e) => console.log(e.type) });
 */
import { loadPipeline as loadWithCatalogue, type LoadOptions as EngineLoadOptions } from './engine/open.js';
import type { Pipeline } from './engine/pipeline.js';
import { catalogue } from './steps/index.js';

export { openStore } from './engine/open.js';
export { findProjectRoot } from './engine/store-location.js';
export { runPipeline as run, runPipeline, type RunOptions, type RunResult } from './engine/execute.js';
export { plan, type RunPlan, type PlannedStep, type PlanOptions } from './engine/plan.js';
export type { StepDecision, RunReason, BlockReason, LockAgreement } from './engine/decision.js';
export { parseOverride, type Override } from './engine/params.js';
export { listRunRecords, type RunRecord, type StepRecord } from './engine/record.js';
export type { Store, CacheEntry, OutputRecord } from './engine/store.js';
export { LocalStore } from './engine/local-store.js';
export type { EngineEvent, EventListener, StepOutcome } from './engine/events.js';
export type { Pipeline, PipelineStep, OutputRef } from './engine/pipeline.js';
export { defineStep, type StepType, type StepContext, type Port, type ArtifactKind, type ParamsSchema, type StepSummary } from './engine/step-type.js';
export {
  PipelineError,
  UsageError,
  DataError,
  StepInputError,
  GateError,
  formatDiagnostic,
  type Diagnostic,
  type Severity,
  type SourceLocation,
  type SourceRange,
  type RelatedLocation,
  type Position,
} from './errors.js';
export { builtinSteps } from './builtin-steps.js';
export { catalogue as builtinCatalogue } from './steps/index.js';
export { stepCatalogue, type StepCatalogue } from './engine/step-catalogue.js';

/** Options of loadPipeline: the engine's, with the built-in step types unless another catalogue is given. */
export type LoadOptions = Partial<EngineLoadOptions>;

/** Reads, parses and validates a pipeline file against medpipe's built-in step types (or `options.catalogue`). */
export function loadPipeline(file: string, options: LoadOptions = {}): Promise<Pipeline> {
  return loadWithCatalogue(file, { ...options, catalogue: options.catalogue ?? catalogue });
}
// For custom steps: the dataset type and its Arrow IPC files.
export { readDatasetFile, writeDatasetFile } from './data/arrow.js';
export type { Dataset, Column, ColumnData, ColumnKind, TargetInfo } from './data/dataset.js';
