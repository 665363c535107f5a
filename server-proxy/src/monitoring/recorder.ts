/**
 * The seam between serving and monitoring: the inference proxy hands every forwarded request to a
 * recorder and never waits on it; the monitor aggregates what it is given.
 */
import type { MonitoringSpec } from '../schemas/monitoring.js';

export type { MonitoringSpec } from '../schemas/monitoring.js';

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


/** What the monitor needs to know about a deployment it watches. */
export interface MonitoredDeployment {
  owner: string;
  deployment: string;
  model: string;
  version: number;
  /** Absolute path of the saved model folder (laketahoe-model.json, baseline.json). */
  artifactDir: string;
  monitoring: MonitoringSpec;
}

/** A recorder that also learns which deployments exist and how to watch them. */
export interface DeploymentMonitor extends InferenceRecorder {
  /** Starts (or, for a new version or spec, updates) watching a deployment. */
  attach(d: MonitoredDeployment): void;
  /** Stops watching a deployment that is being deleted; its monitoring data goes with it. */
  detach(owner: string, deployment: string): void;
}

/** Hands everything to both monitors. */
export function teeMonitor(first: DeploymentMonitor, second: DeploymentMonitor): DeploymentMonitor {
  return {
    record(sample) {
      first.record(sample);
      second.record(sample);
    },
    attach(d) {
      first.attach(d);
      second.attach(d);
    },
    detach(owner, deployment) {
      first.detach(owner, deployment);
      second.detach(owner, deployment);
    }
  };
}
