/**
 * The format tags of the JSON reports steps write for the HTML report besides metrics (whose tag,
 * writer and reader are in metrics/metrics-file.ts): written by steps, checked by the report, so
 * each is defined here once. The tags of model artifacts are in ml/model-formats.ts.
 */

/** evaluate's observed-vs-predicted values of each test row. */
export const PREDICTIONS_FORMAT = 'medpipe.predictions/1';

/** select-best's report: every candidate's score and the one chosen. */
export const SELECTION_REPORT_FORMAT = 'medpipe.selection-report/1';

/** check.data's data-quality report (src/data/quality*.ts). */
export const CHECK_DATA_FORMAT = 'medpipe.check-data/1';
