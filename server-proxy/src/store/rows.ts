/**
 * How records become table rows and back. Both stores keep the same columns (JSON documents as text), so
 * this mapping, and the migration between them, exists once.
 */
import type { Job, JobState, Trial } from '../schemas/jobs.js';
import type { Model } from '../schemas/serving.js';
import type { DeploymentRecord, JobRecord, TrialRecord } from './store.js';
import type { TrialRow } from './trialRows.js';

export type { ShownTrialRow, TrialRow, TrialRowPage, TrialRowQuery } from './trialRows.js';

/** A row of `models`. */
export interface ModelRow {
  owner: string;
  name: string;
  latest_version: number;
  create_time: string;
  update_time: string;
}

/** The API's model from its row. */
export function modelFromRow(row: ModelRow): Model {
  return { name: row.name, owner: row.owner, latestVersion: row.latest_version, createTime: row.create_time, updateTime: row.update_time };
}

/** The documents of a `deployments` row. */
export interface DeploymentRow {
  deployment: string;
  runtime: string;
}

/** A deployment record from its row. */
export function deploymentFromRow(row: DeploymentRow): DeploymentRecord {
  return { deployment: JSON.parse(row.deployment), runtime: JSON.parse(row.runtime) };
}

/** The documents of a `jobs` row. */
export interface JobRow {
  job: string;
  runtime: string;
}

/** A job record from its row. */
export function jobFromRow(row: JobRow): JobRecord {
  return { job: JSON.parse(row.job) as Job, runtime: JSON.parse(row.runtime) };
}

/** Columns of `trials`, in the order of {@link trialParams}. */
export const TRIAL_COLUMN_NAMES = [
  'job_id',
  'trial_id',
  'owner',
  'state',
  'hyperparameters',
  'final_metric',
  'all_metrics',
  'stopped_early',
  'create_time',
  'start_time',
  'end_time',
  'error_message',
  'output_notebook',
  'runtime'
] as const;

/** The same columns as a select list. */
export const TRIAL_COLUMNS = TRIAL_COLUMN_NAMES.join(', ');

/** The columns of `trials` the API shows (not the owner or the runtime); see trialPageJson. */
export const SHOWN_TRIAL_COLUMNS =
  'trial_id, state, hyperparameters, final_metric, all_metrics, stopped_early, create_time, start_time, end_time, error_message, output_notebook';

/** A trial record from its row. */
export function trialFromRow(row: TrialRow): TrialRecord {
  const trial: Trial = {
    jobId: row.job_id,
    trialId: String(row.trial_id),
    state: row.state as JobState,
    hyperparameters: JSON.parse(row.hyperparameters),
    finalMetric: row.final_metric ? JSON.parse(row.final_metric) : null,
    allMetrics: JSON.parse(row.all_metrics),
    isTrialStoppedEarly: row.stopped_early !== 0,
    createTime: row.create_time,
    startTime: row.start_time,
    endTime: row.end_time,
    errorMessage: row.error_message
  };
  if (row.output_notebook) {
    trial.outputNotebook = row.output_notebook;
  }
  return { trial, owner: row.owner, runtime: JSON.parse(row.runtime) };
}

/** Values of {@link TRIAL_COLUMN_NAMES} for a trial record. */
export function trialParams(r: TrialRecord): unknown[] {
  const t = r.trial;
  return [
    t.jobId,
    Number(t.trialId),
    r.owner,
    t.state,
    JSON.stringify(t.hyperparameters),
    t.finalMetric ? JSON.stringify(t.finalMetric) : null,
    JSON.stringify(t.allMetrics),
    t.isTrialStoppedEarly ? 1 : 0,
    t.createTime,
    t.startTime,
    t.endTime,
    t.errorMessage,
    t.outputNotebook ?? null,
    JSON.stringify(r.runtime)
  ];
}

/** The number of a trial id as stored, or undefined for an id no trial can have ("01", "x"). */
export function trialNumber(trialId: string): number | undefined {
  const n = Number(trialId);
  return Number.isSafeInteger(n) && String(n) === trialId ? n : undefined;
}

/**
 * The newest seq to drop after appending up to `lastSeq`: by count first, then the oldest lines until the
 * kept text fits `keep.bytes`; the newest line (where failures show) is always kept. `oldest` lists kept
 * lines oldest first with their text's bytes; it is read only as far as needed. 0 drops nothing.
 */
export function logCut(
  lastSeq: number,
  bytes: number,
  keep: { lines: number; bytes: number },
  oldest: () => Iterable<{ seq: number; n: number }>
): number {
  let cut = lastSeq - keep.lines;
  if (bytes > keep.bytes) {
    let over = bytes - keep.bytes;
    for (const row of oldest()) {
      if (over <= 0 || row.seq >= lastSeq) {
        break;
      }
      cut = Math.max(cut, row.seq);
      over -= row.n;
    }
  }
  return Math.max(cut, 0);
}
