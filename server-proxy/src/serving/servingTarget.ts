import type { WholeAnswer, WholeAnswerOptions } from './wholeAnswer.js';

/** Options of one request to a model server (paths are the model server's own). */
export type ModelRequestOptions = WholeAnswerOptions;

/**
 * A model server as the inference proxy uses it, whatever runs it: a local MLServer process or a
 * Kubernetes Service in front of MLServer pods.
 */
export interface ServingEndpoint {
  /** Sends one request to the model server and resolves with its whole answer. */
  send(options: ModelRequestOptions): Promise<WholeAnswer>;
  /** Requests forwarded and not yet answered. */
  inflight: number;
  /** Set once a local process has exited (a retry would go nowhere). */
  readonly exited?: unknown;
}

/** The version answering a deployment's requests. */
export interface ServingTarget {
  server: ServingEndpoint;
  model: string;
  version: number;
}

/** What the inference proxy asks of a deployment, on any backend. */
export interface DeploymentRunner {
  /** The ready version answering requests, or undefined while none is (503). */
  readonly serving: ServingTarget | undefined;
}
