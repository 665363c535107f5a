/**
 * The shapes of `trials` rows, apart from the store interface so that it can name a page of them.
 */

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

/** One page of a job's trials as shown rows. */
export interface TrialRowPage {
  rows: ShownTrialRow[];
  nextPageToken?: string;
}
