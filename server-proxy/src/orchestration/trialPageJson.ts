import { ServiceError } from '../errors.js';
import type { JobState } from '../schemas/jobs.js';
import type { ShownTrialRow, TrialRowPage } from '../store/rows.js';

/** Most trials one `trialIds` list names. */
export const MAX_TRIAL_IDS = 1000;

/** The trials route's query, as its schema validated it. */
export interface TrialPageQuery {
  state?: JobState;
  pageSize?: number;
  pageToken?: string;
  /** Comma-separated trial ids: only those trials. */
  trialIds?: string;
  metrics?: TrialMetrics;
}

/** The trial numbers of a `trialIds` list (digits and commas, as its schema checks), at most MAX_TRIAL_IDS. */
export function trialIdList(text: string): number[] {
  const ids = text.split(',').map(Number);
  if (ids.length > MAX_TRIAL_IDS) {
    throw new ServiceError('invalid_argument', `trialIds: at most ${MAX_TRIAL_IDS} trial ids`, 'trialIds');
  }
  return ids;
}

/**
 * A page of trials as the trials route answers it, written straight from the stored rows. The
 * hyperparameters and metrics are stored as the JSON text of exactly what the API shows (written by
 * JSON.stringify from the Trial schema's own shapes), so they are spliced in as they are: at 10,000
 * trials, parsing them and serializing them again through the response schema took most of the
 * route's time. The keys follow the Trial schema's order, so the bytes equal what the schema's
 * serializer writes for the same trials (test/store/trialPageJson.test.ts compares the two).
 *
 * `metrics: 'last'` keeps only each trial's last intermediate value: the learning curves are most of a
 * trial's bytes, and a grid of 10,000 trials shows only how far each got.
 */
export function trialPageJson(page: TrialRowPage, shownJobId: string, metrics: TrialMetrics = 'all'): string {
  const jobId = JSON.stringify(shownJobId);
  const trials = page.rows.map(row => trialJson(row, jobId, metrics)).join(',');
  const token = page.nextPageToken === undefined ? '' : `,"nextPageToken":${JSON.stringify(page.nextPageToken)}`;
  return `{"trials":[${trials}]${token}}`;
}

/** Which intermediate values a page carries: every one, or each trial's last. */
export type TrialMetrics = 'all' | 'last';

/**
 * The last element of a stored `allMetrics` array, as a one-element array. The text is JSON.stringify's
 * of flat {trainingStep, objectiveValue} objects: no strings and no nesting, so the last `{` opens the
 * last element.
 */
export function lastMetricJson(allMetrics: string): string {
  const start = allMetrics.lastIndexOf('{');
  return start < 0 ? '[]' : `[${allMetrics.slice(start, allMetrics.lastIndexOf('}') + 1)}]`;
}

/** One trial; `jobId` is already JSON text. */
function trialJson(row: ShownTrialRow, jobId: string, metrics: TrialMetrics): string {
  const allMetrics = metrics === 'last' ? lastMetricJson(row.all_metrics) : row.all_metrics;
  const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));
  return (
    `{"jobId":${jobId},"trialId":"${row.trial_id}","state":${JSON.stringify(row.state)}` +
    `,"hyperparameters":${row.hyperparameters},"finalMetric":${row.final_metric || 'null'},"allMetrics":${allMetrics}` +
    `,"isTrialStoppedEarly":${Number(row.stopped_early) !== 0},"createTime":${JSON.stringify(row.create_time)}` +
    `,"startTime":${text(row.start_time)},"endTime":${text(row.end_time)},"errorMessage":${JSON.stringify(row.error_message)}` +
    (row.output_notebook ? `,"outputNotebook":${JSON.stringify(row.output_notebook)}` : '') +
    '}'
  );
}
