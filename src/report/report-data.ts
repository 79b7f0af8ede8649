/**
 * What the report shows, as plain data: gathered from a run record, its pipeline and its
 * artifacts by collect.ts, drawn by render.ts. Keeping the two apart lets the renderer be tested
 * on hand-built data (an odd step name, a failed step) without running anything.
 */
import type { StepRecord } from '../engine/record.js';
import type { GateResult } from '../ml/metrics/gates.js';
import type { MetricsDiff } from '../metrics/diff.js';

/** A step's status as its run record has it (the engine's type, not a copy). */
export type StepStatus = StepRecord['status'];

export interface ReportStep {
  id: string;
  /** The step type as written in `uses:` (undefined when the pipeline file could not be loaded). */
  uses?: string;
  status: StepStatus;
  cacheHit: boolean;
  durationMs?: number;
  /** Start in ms from the run's start. */
  startMs: number;
  /** true when the start was laid out from dependencies and durations rather than read from the cache entry's finish time. */
  startEstimated: boolean;
  /** The steps it depends on (data inputs and `needs:`). */
  dependsOn: string[];
  /** For each input port, the upstream step and port (edge tooltips). */
  inputs: { port: string; step: string; from: string }[];
  error?: string;
}

export interface MetricEstimate {
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
}

/** As evaluate records each gate in its report. */
export type { GateResult };

export interface CalibrationBin {
  lower: number;
  upper: number;
  n: number;
  mean_predicted: number | null;
  fraction_positive: number | null;
}

export interface FeatureImportance {
  feature: string;
  mean: number;
  std: number;
}

/** The parts of a `medpipe.metrics/1` file the report draws (see src/ml/metrics/evaluate.ts). */
export interface MetricsReport {
  format: string;
  step?: string;
  task: string;
  n: number;
  classes?: string[];
  class_counts?: Record<string, number>;
  threshold?: { method: string; value: number; sensitivity?: number; specificity?: number };
  metrics: Record<string, MetricEstimate>;
  unavailable?: Record<string, string>;
  bootstrap?: { resamples: number; confidence: number };
  notes?: string[];
  confusion_matrix?: { labels: string[]; counts: number[][] };
  roc_curve?: { fpr: number[]; tpr: number[]; thresholds: number[] };
  /** Not written by evaluate today; drawn when a future version adds it. Otherwise derived from the ROC curve. */
  pr_curve?: { precision: number[]; recall: number[] };
  calibration?: { bins: number; curve: CalibrationBin[] };
  importance?: { metric: string; repeats: number; features: FeatureImportance[] };
  gates?: GateResult[];
  subgroups?: { column: string; groups: { value: string; n: number; positives?: number; prevalence?: number; metrics: Record<string, MetricEstimate> }[] }[];
  fairness?: FairnessReport;
}

/** A gap between the best and the worst group (see src/ml/metrics/fairness.ts). */
export interface GapEstimate extends MetricEstimate {
  between: [string, string] | null;
}

export interface FairnessReport {
  metrics: string[];
  min_group_rows: number;
  min_per_class?: number;
  max_gap: Record<string, GapEstimate & { column: string | null }>;
  columns: { column: string; compared: string[]; left_out: { value: string; n: number; why: string }[]; max_gap: Record<string, GapEstimate> }[];
  notes?: string[];
}

export interface Evaluation {
  /** The evaluate step's id. */
  step: string;
  /** The step whose model it evaluated, when the pipeline says. */
  modelStep?: string;
  /** undefined when the step produced no metrics (failed, skipped, or the artifact was collected). */
  report?: MetricsReport;
  /** Why there is no report. */
  missing?: string;
}

/** Impurity importances from a forest's training summary (`top_importances`). */
export interface ModelImportances {
  step: string;
  features: { feature: string; importance: number }[];
}

/** A register step's model card (its `card` artifact, Markdown), cut into the parts the report shows. */
export interface ModelCardText {
  title: string;
  description: string;
  intendedUse: string;
  limitations: string;
  /** The "## Model" bullets (algorithm, what it predicts, its input), without the leading "- ". */
  model: string[];
  /** The "## Data" bullets. */
  data: string[];
  /** The "## Explanations" section (cards of models registered with their training rows only). */
  explanations?: CardExplanations;
}

/** A card's explanation method bullets and its global summary (mean |contribution| per feature, largest first). */
export interface CardExplanations {
  bullets: string[];
  /** What the summary is over, e.g. "Mean |contribution| to P(malignant) over 100 background rows". */
  caption: string;
  features: { feature: string; value: number }[];
}

/** A worked example: a few test patients' largest contributions to the model's headline output. */
export interface WorkedExample {
  /** Where the rows come from, e.g. "the first 3 rows of prep.test (the test set eval-forest scored)". */
  source: string;
  /** "P(malignant)", "value", … */
  output: string;
  base: number;
  rows: { prediction: number; top: { feature: string; value: number }[]; rest: number }[];
}

/** What a register step did in this run, with what a clinician reads first about the model. */
export interface RegisteredModel {
  /** The register step's id. */
  step: string;
  status: StepStatus;
  /** The registry name, from the step's parameters (or its summary when the pipeline did not load). */
  name?: string;
  /** The version registered (or found already registered) by this run. */
  version?: number;
  alias?: string;
  /** The step whose model it registers, and the evaluate step wired into it. */
  modelStep?: string;
  evaluationStep?: string;
  card?: ModelCardText;
  /** Explanations of a few test patients, when the bundle has explanation data and an evaluation's test rows are in the store. */
  example?: WorkedExample;
  /** Why there is no card (not registered, artifact missing or damaged). */
  missing?: string;
}

/** One row of a sweep's leaderboard: a swept evaluate step, or the baseline its evaluations share. */
export interface LeaderboardRow {
  /** The evaluate step's id; absent for the baseline row. */
  step?: string;
  /** The model it evaluated. */
  modelStep?: string;
  /** This combination's sweep values (`C: 0.1, kernel: linear`); empty for the baseline. */
  values: Record<string, unknown>;
  /** How the row is named in charts: its values, or the baseline's method. */
  label: string;
  baseline: boolean;
  metrics: Record<string, MetricEstimate>;
}

/** The evaluations of one swept step (`eval[C=…,kernel=…]`), compared side by side. */
export interface Leaderboard {
  /** The step id as written in the pipeline file (`eval`). */
  origin: string;
  /** The sweep's parameter names, in the matrix's order. */
  parameters: string[];
  rows: LeaderboardRow[];
  /** Metric names in the evaluations' order. */
  metrics: string[];
  confidence?: number;
  /** The select-best step that chose among them, and what it chose. */
  selection?: { step: string; metric: string; use: string; direction: string; bestModelStep: string };
  /** Members without metrics (failed, skipped, damaged artifact), with why. */
  missing: { step: string; why: string }[];
}

/** A GAN's training losses (train.gan's `curves` output). */
export interface GanCurves {
  step: string;
  loss: string;
  points: { step: number; critic_loss: number; generator_loss: number }[];
  /** Why there are no points (artifact gone or damaged). */
  missing?: string;
}

/** Observed and predicted values of an evaluate step's test rows (its `predictions` output, when the pipeline asked for it). */
export interface ObservedPredicted {
  step: string;
  target?: string;
  observed: number[];
  predicted: number[];
  /** Why there are no points (artifact gone or damaged). */
  missing?: string;
}

/** The ranked table a predict step wrote (`table` output, CSV), shown only when its rows are molecules. */
export interface CandidateTable {
  step: string;
  columns: string[];
  rows: string[][];
  /** Rows in the artifact (the page shows the first ones). */
  total: number;
  /** Where the pipeline publishes the full table, if it does. */
  file?: string;
  /** Why there are no rows (artifact gone or damaged). */
  missing?: string;
}

/** A registered version's monitoring checks (the registry's history), for the report's time series. */
export interface MonitoringHistory {
  name: string;
  version: number;
  checks: {
    id: number;
    at: string;
    source: string;
    rows: number;
    passed: boolean;
    psiMax: number | null;
    ksDrifted: number | null;
    predictionPsi: number | null;
    metrics: Record<string, MetricEstimate>;
  }[];
  /** Why the history could not be read. */
  missing?: string;
}

export interface ReportData {
  runId: string;
  pipeline: { name: string; file: string; digest: string };
  /** Problems loading the pipeline graph, e.g. the file changed since the run. */
  warnings: string[];
  git: { commit: string; dirty: boolean } | null;
  status: string;
  /** The steps an `--only` run was limited to; absent or empty for a run of the whole pipeline. */
  only?: string[];
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** In dependency order (layer by layer, file order within a layer). */
  steps: ReportStep[];
  evaluations: Evaluation[];
  // The parts below are optional so a renderer test can build only what it looks at.
  /** The register steps, in dependency order: the report opens with them. */
  models?: RegisteredModel[];
  /** The check.data steps, shown as the first section about the pipeline's data. */
  dataChecks?: DataCheck[];
  /** One per swept evaluate step; its members' evaluations are drawn inside it, not as sections of their own. */
  leaderboards?: Leaderboard[];
  ganCurves?: GanCurves[];
  observedPredicted?: ObservedPredicted[];
  candidates?: CandidateTable[];
  /** The monitoring history of the versions the run registered or checked. */
  monitoring?: MonitoringHistory[];
  modelImportances: ModelImportances[];
  /** The metrics files against the pipeline's regression baseline, when there is one. */
  baselineDiff?: MetricsDiff;
  /** Why there is no baseline diff, when one was asked for but could not be made. */
  baselineProblem?: string;
  /** Other runs side by side with this one (report --compare), as `runs compare` builds them. */
  comparison?: { readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] };
}

/** check.data's report (its `report` output), as the report draws it: counts and row numbers, no values. */
export interface DataCheckReport {
  rows: number;
  columns: {
    name: string;
    kind: string;
    missing: number;
    missing_tokens?: Record<string, number>;
    numeric?: { min: number; q1: number; median: number; q3: number; max: number; mean: number; outliers: number };
    levels?: { distinct: number; top: { level: string; count: number }[]; others: number };
    distinct?: number;
  }[];
  duplicate_rows: { rows: number; examples: number[] };
  duplicate_ids: { column: string; rows: number; ids: number; examples: number[] }[];
  class_balance?: { column: string; counts: { class: string; count: number }[]; missing: number };
  leakage: { threshold: number; columns: { column: string; auc: number }[]; flagged: string[] };
  shift?: { threshold: number; columns: { column: string; psi: number; flagged: boolean }[] };
  expectations: { column: string; rule: string; passed: boolean; rows: number; examples: number[] }[];
}

/** A check.data step of the run: its report, or why there is none (failed: the step's error, which names violations by row number). */
export interface DataCheck {
  step: string;
  report?: DataCheckReport;
  /** The step failed (e.g. an expectation): its one-line-per-violation error. */
  error?: string;
  /** Why there is no report (artifact gone or damaged). */
  missing?: string;
}
