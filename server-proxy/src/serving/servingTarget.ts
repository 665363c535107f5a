import type { Pool } from 'undici';

/**
 * A model server as the inference proxy uses it, whatever runs it: a local MLServer process or a
 * Kubernetes Service in front of MLServer pods.
 */
export interface ServingEndpoint {
  /** Connections the proxy forwards requests on (paths are the model server's own). */
  readonly pool: Pick<Pool, 'request'>;
  /** Requests forwarded and not yet answered. */
  inflight: number;
  /** Set once a local process has exited (a retry would go nowhere). */
  readonly exited?: unknown;
  /** The end of the server's log, where one is at hand (empty otherwise). */
  logTail(): string;
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
