import type { Allocation } from './jobs.js';

/*
 * What backends keep in a run's record. The store saves it as JSON and never looks inside; the
 * backends and the run kinds read it.
 */

/**
 * What a run has produced so far, as the backend fills it in from runner records. A training job's
 * `trainingOutput` is one; a trial keeps its own in its runtime.
 */
export interface RunOutput {
  completedCells: number;
  totalCells: number;
  outputNotebook?: string;
  outputHtml?: string;
  latestMetrics: Record<string, number>;
  exitCode?: number | null;
  resources: Allocation;
  /** Why a QUEUED run is still waiting, when the backend knows. */
  queueReason?: string;
  /** Notes about what the run reported, such as a metric that was not a finite number (at most 20, one per metric). */
  warnings?: string[];
  /** The kernelspec a notebook ran on; `requested` is set when that one was missing and the fallback ran. */
  kernel?: { name: string; requested?: string };
  /** Models the run saved (`model` records), paths relative to rootDir; registered once the run succeeds. */
  models?: SavedModelRef[];
}

/** A saved model folder a run announced with a `model` record. */
export interface SavedModelRef {
  name: string;
  /** The folder, relative to rootDir. */
  path: string;
}

/** The Kubernetes part of a run's runtime record. */
export interface KubeRuntime {
  namespace: string;
  /** Base name of every object of the run. */
  name: string;
  /** The pod whose log is being read and how many of its lines are stored already. */
  log?: { pod: string; lines: number };
}

/** Backend bookkeeping kept next to a job; never shown by the API. */
export interface JobRuntime {
  /** Where the job's end is posted (never shown: webhook URLs often carry a secret). */
  webhookUrl?: string;
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
  /** A derived run (trial) copies its inputs from this staged snapshot folder before it launches. */
  snapshotFrom?: string;
  /** Extra environment of the runner (a trial's job and trial ids). */
  env?: Record<string, string>;
  /** Set on an HPO trial whose objective metric was reported as NaN or infinite: why it is infeasible. */
  infeasible?: string;
  /** Set when the service stopped the run early on purpose (an unpromising trial). */
  stoppedEarly?: boolean;
  /** The backend the run belongs to; local when absent (records from before there was a choice). */
  backend?: 'local' | 'kubernetes';
  /** Kubernetes backend: the namespace, object names and how far the log has been read. */
  k8s?: KubeRuntime;
  /** Set when the run's resource usage cannot be measured (a node without resource metrics): why. */
  usageUnavailable?: string;
  /** HPO jobs only: the experiment's own bookkeeping. */
  hpo?: { stopRequested?: boolean };
}
