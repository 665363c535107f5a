import type { ShownTrialRow, TrialRowPage } from '../store/rows.js';

/**
 * A page of trials as the trials route answers it, written straight from the stored rows. The
 * hyperparameters and metrics are stored as the JSON text of exactly what the API shows (written by
 * JSON.stringify from the Trial schema's own shapes), so they are spliced in as they are: at 10,000
 * trials, parsing them and serializing them again through the response schema took most of the
 * route's time. The keys follow the Trial schema's order, so the bytes equal what the schema's
 * serializer writes for the same trials (test/store/trialPageJson.test.ts compares the two).
 */
export function trialPageJson(page: TrialRowPage, shownJobId: string): string {
  const jobId = JSON.stringify(shownJobId);
  const trials = page.rows.map(row => trialJson(row, jobId)).join(',');
  const token = page.nextPageToken === undefined ? '' : `,"nextPageToken":${JSON.stringify(page.nextPageToken)}`;
  return `{"trials":[${trials}]${token}}`;
}

/** One trial; `jobId` is already JSON text. */
function trialJson(row: ShownTrialRow, jobId: string): string {
  const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));
  return (
    `{"jobId":${jobId},"trialId":"${row.trial_id}","state":${JSON.stringify(row.state)}` +
    `,"hyperparameters":${row.hyperparameters},"finalMetric":${row.final_metric || 'null'},"allMetrics":${row.all_metrics}` +
    `,"isTrialStoppedEarly":${Number(row.stopped_early) !== 0},"createTime":${JSON.stringify(row.create_time)}` +
    `,"startTime":${text(row.start_time)},"endTime":${text(row.end_time)},"errorMessage":${JSON.stringify(row.error_message)}` +
    (row.output_notebook ? `,"outputNotebook":${JSON.stringify(row.output_notebook)}` : '') +
    '}'
  );
}
