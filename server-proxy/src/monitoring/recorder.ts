/**
 * The seam between serving and monitoring: the inference proxy hands every forwarded request to a
 * recorder and never waits on it; the monitor aggregates what it is given.
 */
import type { MonitoringSpec } from '../serving/schema.js';

/** One tensor of an Open Inference Protocol v2 request or response, as sent on the wire. */
export interface InferenceTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
  parameters?: Record<string, unknown>;
}

/** What the proxy knows about one forwarded inference request once it has been answered. */
export interface InferenceSample {
  /** Owner and name identify the deployment. */
  owner: string;
  deployment: string;
  model: string;
  version: number;
  /** Epoch milliseconds when the request arrived. */
  time: number;
  /** Time from arrival to the last byte of the answer, in milliseconds. */
  latencyMs: number;
  /** HTTP status returned to the caller (5xx and 4xx count as errors; 503 "no server ready" too). */
  status: number;
  /** Inputs of a well-formed request (absent when the body could not be read as OIP v2). */
  inputs?: InferenceTensor[];
  /** Outputs of a successful answer. */
  outputs?: InferenceTensor[];
}

/** Receives samples; must return quickly (no I/O on the caller's path). */
export interface InferenceRecorder {
  record(sample: InferenceSample): void;
}

/** A deployment as the monitor needs it to watch the version now answering requests. */
export interface MonitoredDeployment {
  owner: string;
  deployment: string;
  model: string;
  version: number;
  /** The saved model folder (absolute): the monitor reads its baseline.json. */
  artifactDir: string;
  /** The deployment's monitoring spec (window, drift settings, alert rules). */
  monitoring: MonitoringSpec;
}

/**
 * The monitor as serving drives it: `attach` when a deployment's version starts answering (again after a
 * version switch or a monitoring change), `detach` when the deployment is deleted.
 */
export interface DeploymentMonitor extends InferenceRecorder {
  attach(d: MonitoredDeployment): void;
  detach(owner: string, deployment: string): void;
}

/** Records nothing: the default until a monitor is wired in. */
export const NO_MONITOR: DeploymentMonitor = {
  record() {},
  attach() {},
  detach() {}
};
