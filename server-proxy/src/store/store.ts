import type { TrialRowPage, TrialRowQuery } from './trialRows.js';
import type { Job, JobState, LogLine, Metric, Priority, Trial } from '../schemas/jobs.js';
import type { JobRuntime, RunOutput } from '../schemas/runtime.js';
import type { Deployment, Model, ModelVersion } from '../schemas/serving.js';
import type { JobFilter } from './jobSearch.js';
import type { UsageStore } from './usage.js';

export type { JobRuntime } from '../schemas/runtime.js';


/** A trial with its backend bookkeeping. `runtime.output` is what the backend read from its runner. */
export interface TrialRecord {
  trial: Trial;
  owner: string;
  runtime: JobRuntime & { output: RunOutput; queue: { priority: Priority; order: number } };
}

/** One page of a trial listing. */
export interface TrialPage {
  trials: Trial[];
  nextPageToken?: string;
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

/** Raised when a page token was not made by this store (crafted or corrupted). */
export class InvalidPageTokenError extends Error {
  constructor() {
    super('the page token is not one this API returned');
    this.name = 'InvalidPageTokenError';
  }
}

/** Largest position a page token may carry; beyond it SQLite would get a float and fail. */
const MAX_TOKEN_POSITION = Number.MAX_SAFE_INTEGER;

/** An opaque token for a non-negative integer position (an offset or the last id returned). */
export function encodePageToken(position: number): string {
  return Buffer.from(String(position)).toString('base64url');
}

/**
 * The position in a token from {@link encodePageToken}; 0 without one. Anything else (not base64url,
 * not a plain decimal, too large) is an {@link InvalidPageTokenError}, never a value handed to SQL.
 */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') {
    return 0;
  }
  if (!/^[A-Za-z0-9_-]+$/.test(token)) {
    throw new InvalidPageTokenError();
  }
  const text = Buffer.from(token, 'base64url').toString('latin1');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || encodePageToken(Number(text)) !== token) {
    throw new InvalidPageTokenError();
  }
  const position = Number(text);
  if (position > MAX_TOKEN_POSITION) {
    throw new InvalidPageTokenError();
  }
  return position;
}

/** A model version with its owner and, for versions registered from a run, the run's saved model key. */
export interface ModelVersionRecord {
  owner: string;
  version: ModelVersion;
  /** `<jobId>[/trials/<trialId>]:<saved model name>`: registering the same saved model twice returns the first version. */
  sourceKey?: string;
}

/** One model server process of a deployment, as recorded so a restarted service can find it. */
export interface ServerRuntime {
  version: number;
  /** Folder holding settings.json, the model settings and server.log (absolute). */
  dir: string;
  /** The Unix socket its REST API listens on (absolute). */
  socket: string;
  pid?: number;
  pidStartTime?: string;
  /**
   * The server's secret, kept only where replicas share the store (PostgreSQL), so that any replica
   * can forward inference to it and a new leader can adopt it.
   */
  secret?: string;
}

/** Backend bookkeeping of a deployment; never shown by the API. */
export interface DeploymentRuntime {
  /** Servers started for the deployment that may still run (the active one and one being switched to). */
  servers: ServerRuntime[];
  /** The challenger's servers, kept apart so a restarted service knows which role each one had. */
  challengerServers?: ServerRuntime[];
  /** Kubernetes deployments: where their objects live and what each replica asks for. */
  kube?: KubeServingRuntime;
}

/** What the Kubernetes serving backend needs to find and re-create a deployment's objects. */
export interface KubeServingRuntime {
  namespace: string;
  replicas: number;
  cpu: number;
  memoryGb: number;
  gpu: number;
  acceleratorType?: string;
  priority: string;
}

/** A deployment with its bookkeeping. */
export interface DeploymentRecord {
  deployment: Deployment;
  runtime: DeploymentRuntime;
}

/** Raised when a name is taken. */
export class DuplicateNameError extends Error {
  constructor(what: string, name: string) {
    super(`${what} ${name} already exists`);
    this.name = 'DuplicateNameError';
  }
}

/** How much of one run's log is kept: the newest lines within both limits. */
export interface LogRetention {
  lines: number;
  bytes: number;
}

/** Which metric values to read. */
export interface MetricQuery {
  /** Only this metric. */
  name?: string;
  /** Values per page (all when absent). */
  pageSize?: number;
  pageToken?: string;
  /** At most this many evenly spaced values of each metric (first and last included), for charts. */
  maxPoints?: number;
}

/** One page of metric values. */
export interface MetricPage {
  metrics: Metric[];
  nextPageToken?: string;
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
export interface Store extends UsageStore {
  /**
   * Inserts a new job; rejects with DuplicateJobError when its key exists or when its owner already
   * has a job with the same public id (publicJobId of the key).
   */
  createJob(record: JobRecord): Promise<void>;
  /** The job stored under this key (see scopedJobKey), with its runtime, or undefined. */
  getJob(jobId: string): Promise<JobRecord | undefined>;
  /** The owner's job with the id the owner chose (whatever its key), or undefined. */
  findJob(owner: string, publicId: string): Promise<JobRecord | undefined>;
  /** Removes a job with its trials and every log line, metric value and usage sample of the job and its trials. */
  deleteJob(jobId: string): Promise<void>;
  /** Replaces job and runtime of an existing job. */
  saveJob(record: JobRecord): Promise<void>;
  /**
   * Saves the job like saveJob and, in the same transaction, rewrites the index its labels are searched
   * by (saveJob leaves that index alone: labels change only here).
   */
  saveJobWithLabels(record: JobRecord): Promise<void>;
  /** The jobs matching `query`, newest first; every owner's when owner is undefined (an admin's listing). */
  listJobs(query: JobFilter & { pageSize: number; pageToken?: string }): Promise<JobPage>;
  /** All jobs in the given states, oldest first (for recovery). */
  listJobsInStates(states: readonly JobState[]): Promise<JobRecord[]>;
  /** Appends log lines, numbering them, and drops the oldest beyond `keep` (lines or bytes of text). */
  appendLogs(jobId: string, lines: NewLogLine[], keep: LogRetention): Promise<LogLine[]>;
  /**
   * Lines with seq > after, at most `limit` and at most `maxBytes` of text (at least one line, so a
   * reader always advances), with the seqs of the oldest and newest kept lines.
   */
  getLogs(jobId: string, after: number, limit: number, maxBytes?: number): Promise<{ lines: LogLine[]; firstSeq: number; lastSeq: number }>;
  /** Appends metric values; past `keep` values of one metric, every other older value of it is dropped. */
  addMetrics(jobId: string, metrics: Metric[], keep?: number): Promise<void>;
  /** A page of metric values in step order, optionally one metric, optionally downsampled. */
  getMetrics(jobId: string, query?: MetricQuery): Promise<MetricPage>;
  /** Inserts new trials of one job in one transaction (all or none); rejects on a duplicate trial id. */
  createTrials(records: TrialRecord[]): Promise<void>;
  /** One trial with its runtime, or undefined. */
  getTrial(jobId: string, trialId: string): Promise<TrialRecord | undefined>;
  /** Replaces an existing trial. */
  saveTrial(record: TrialRecord): Promise<void>;
  /** All trials of a job with their runtime, in trial order. */
  listAllTrials(jobId: string): Promise<TrialRecord[]>;
  /** A job's trials that have not ended, in trial order. */
  listUnfinishedTrials(jobId: string): Promise<TrialRecord[]>;
  /** How many trials a job has. */
  countTrials(jobId: string): Promise<number>;
  /** A page of a job's trials in trial order, optionally in one state, parsed (the route reads listTrialRows). */
  listTrials(query: { jobId: string; state?: JobState; pageSize: number; pageToken?: string }): Promise<TrialPage>;
  /**
   * The same page as listTrials, as the stored columns the API shows (the fast path of the trials route);
   * `trialIds`, when given, keeps only those trials.
   */
  listTrialRows(query: TrialRowQuery): Promise<TrialRowPage>;
  /** Trials of every job in the given states (for recovery). */
  listTrialsInStates(states: readonly JobState[]): Promise<TrialRecord[]>;
  /**
   * Registers a new version of the owner's model (creating the model), numbering it after the latest.
   * When `sourceKey` was registered before, nothing is added and that version is returned.
   */
  addModelVersion(record: ModelVersionRecord): Promise<ModelVersion>;
  /** One model of the owner, without versions. */
  getModel(owner: string, name: string): Promise<Model | undefined>;
  /** The owner's models, newest first, without versions; every owner's when owner is undefined. */
  listModels(owner: string | undefined): Promise<Model[]>;
  /** Versions of one model, newest first. */
  listModelVersions(owner: string, name: string): Promise<ModelVersion[]>;
  /** One version, or undefined. */
  getModelVersion(owner: string, name: string, version: number): Promise<ModelVersion | undefined>;
  /** Inserts a deployment; rejects with DuplicateNameError when the owner has one of that name. */
  createDeployment(record: DeploymentRecord): Promise<void>;
  /** One deployment with its runtime. */
  getDeployment(owner: string, name: string): Promise<DeploymentRecord | undefined>;
  /** Replaces an existing deployment. */
  saveDeployment(record: DeploymentRecord): Promise<void>;
  /**
   * Reads, changes and saves one deployment as one step that no other writer (another replica) can
   * interleave with: `mutate` changes the record and answers whether to save it (it may throw: nothing
   * is saved). Resolves to the record, or undefined when there is no such deployment.
   */
  updateDeployment(owner: string, name: string, mutate: (record: DeploymentRecord) => boolean): Promise<DeploymentRecord | undefined>;
  /** Removes a deployment. */
  deleteDeployment(owner: string, name: string): Promise<void>;
  /** The owner's deployments, oldest first; every owner's when owner is undefined (recovery). */
  listDeployments(owner?: string): Promise<DeploymentRecord[]>;
  /** Releases the database. */
  close(): Promise<void>;
}
