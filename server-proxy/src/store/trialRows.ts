/**
 * The shapes of `trials` rows, apart from the store interface so that it can name a page of them.
 */
import type { JobState } from '../schemas/jobs.js';

/** A row of `trials`. */
export interface TrialRow {
  job_id: string;
  trial_id: number;
  owner: string;
  state: string;
  hyperparameters: string;
  final_metric: string | null;
  all_metrics: string;
  stopped_early: number;
  create_time: string;
  start_time: string | null;
  end_time: string | null;
  error_message: string;
  output_notebook: string | null;
  runtime: string;
}

/** A row of `SHOWN_TRIAL_COLUMNS` (rows.ts): hyperparameters and metrics still as their stored JSON text. */
export type ShownTrialRow = Omit<TrialRow, 'job_id' | 'owner' | 'runtime'>;

/** Which page of a job's trials to read as shown rows. */
export interface TrialRowQuery {
  jobId: string;
  /** Only trials in this state. */
  state?: JobState;
  pageSize: number;
  pageToken?: string;
  /** Only these trials (by number); the others are skipped, as with `state`. */
  trialIds?: readonly number[];
}

/** One page of a job's trials as shown rows. */
export interface TrialRowPage {
  rows: ShownTrialRow[];
  nextPageToken?: string;
}
