import type { Job, JobState, LogLine, Metric } from '../jobs/schema.js';

/** Backend bookkeeping kept next to a job; never shown by the API. */
export interface JobRuntime {
  /** Working directory of the job (absolute). */
  workdir?: string;
  /** What the runner was started with. */
  plan?: unknown;
  /** Runner process id and its start time in clock ticks since boot (from /proc), against pid reuse. */
  pid?: number;
  pidStartTime?: string;
  /** Bytes of stdout.log / stderr.log already turned into log lines. */
  offsets?: { stdout: number; stderr: number };
  /** Set when the job was killed for running past maxRunningTime. */
  timedOut?: boolean;
  /** Message of the failing cell, from the runner's `error` record. */
  cellError?: string;
  /** What the job asked the queue for (kept so a restarted service can re-queue it). */
  request?: { cpu: number; memoryBytes: number; gpu: number };
  /** GPU indices handed out. */
  gpus?: number[];
}

/** A job with its backend bookkeeping. */
export interface JobRecord {
  job: Job;
  runtime: JobRuntime;
}

/** Raised by createJob when the id is taken. */
export class DuplicateJobError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} already exists`);
    this.name = 'DuplicateJobError';
  }
}

/** A log line before the store numbered it. */
export type NewLogLine = Omit<LogLine, 'seq'>;

/** One page of a listing. */
export interface JobPage {
  jobs: Job[];
  nextPageToken?: string;
}

/**
 * Persistence of jobs, logs and metrics. Async so that a networked database can implement it; kept
 * narrow so routes and backends depend on intent, not on SQL.
 */
export interface Store {
  /** Inserts a new job; rejects with DuplicateJobError when the id exists. */
  createJob(record: JobRecord): Promise<void>;
  /** The job with its runtime, or undefined. */
  getJob(jobId: string): Promise<JobRecord | undefined>;
  /** Replaces job and runtime of an existing job. */
  saveJob(record: JobRecord): Promise<void>;
  /** The owner's jobs, newest first. */
  listJobs(query: { owner: string; state?: JobState; pageSize: number; pageToken?: string }): Promise<JobPage>;
  /** All jobs in the given states, oldest first (for recovery). */
  listJobsInStates(states: readonly JobState[]): Promise<JobRecord[]>;
  /** Appends log lines, numbering them, and drops the oldest beyond `keep` lines. */
  appendLogs(jobId: string, lines: NewLogLine[], keep: number): Promise<LogLine[]>;
  /** Lines with seq > after, at most `limit`. */
  getLogs(jobId: string, after: number, limit: number): Promise<{ lines: LogLine[]; firstSeq: number; lastSeq: number }>;
  /** Appends metric values. */
  addMetrics(jobId: string, metrics: Metric[]): Promise<void>;
  /** All metric values, in step order. */
  getMetrics(jobId: string): Promise<Metric[]>;
  /** Releases the database. */
  close(): Promise<void>;
}
