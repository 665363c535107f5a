/**
 * What the reconcile and recovery steps need of the deployment service, apart from it so that they can
 * be modules of their own without importing the service back.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { DeploymentMonitor } from '../monitoring/recorder.js';
import type { ModelVersion } from '../schemas/serving.js';
import type { DeploymentRecord, Store } from '../store/store.js';
import type { Challengers } from './challengers.js';
import type { DeploymentUpdater } from './deploymentUpdater.js';
import type { KubeServing } from './kubernetes/service.js';
import type { ModelRegistry } from './registry.js';
import type { ServedVersion, Supervisor, SupervisorOptions } from './supervisor.js';

/** What the deployment service needs. */
export interface DeploymentServiceOptions extends Omit<SupervisorOptions, 'updater' | 'socketDir'> {
  store: Store;
  updater: DeploymentUpdater;
  registry: ModelRegistry;
  log: FastifyBaseLogger;
  rootDir: string;
  /** Model server folders go to `<dataDir>/deployments/<owner>/<name>/<version>/`. */
  dataDir: string;
  monitor: DeploymentMonitor;
  /** Where deployments without a `backend` run. */
  defaultBackend?: 'local' | 'kubernetes';
  /** Set when the Kubernetes backend is configured. */
  kube?: KubeServing;
  /**
   * False on a multi-user service without `--trust-jobs`: a model server loads the model's pickled code
   * as the service's OS user, so deployments are refused.
   */
  localServing?: boolean;
}

/** The deployment service as its reconcile and recovery steps see it. */
export interface DeploymentHost {
  readonly opts: DeploymentServiceOptions;
  readonly challengers: Challengers;
  /** The folder of a deployment's model servers. */
  baseDir(owner: string, name: string): string;
  /** The deployment's supervisor, made when there is none. */
  supervise(owner: string, name: string): Supervisor;
  /** The deployment's supervisor, if this replica keeps one. */
  supervisor(owner: string, name: string): Supervisor | undefined;
  /** A registered version checked again on disk. */
  served(version: ModelVersion): ServedVersion;
  /** Starts a model server without waiting for it. */
  startInBackground(supervisor: Supervisor, target: ServedVersion, reason?: string): void;
  /** Deletes what is left of a deployment being removed. */
  finishRemove(record: DeploymentRecord): Promise<void>;
}
