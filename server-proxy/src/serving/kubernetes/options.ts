import type { KubeConfig } from '@kubernetes/client-node';
import type { FastifyBaseLogger } from 'fastify';
import type { DeploymentMonitor } from '../../monitoring/recorder.js';
import type { PodTemplate } from '../../schemas/podTemplate.js';
import type { ArtifactStore } from '../../artifacts/store.js';
import type { DeploymentUpdater } from '../deploymentUpdater.js';

/** Settings shared by every Kubernetes deployment. */
export interface KubeServingOptions {
  config: KubeConfig;
  /** The serving image: MLServer and the runtimes, plus python3 for the init container. */
  image: string;
  podTemplate?: PodTemplate;
  acceleratorLabel: string;
  store: ArtifactStore;
  /** How long the model's presigned GET stays valid (a pod restarted later fetches it again). */
  grantSeconds: number;
  updater: DeploymentUpdater;
  monitor: DeploymentMonitor;
  log: FastifyBaseLogger;
  /** A version not ready within this time fails (the deployment, or the switch). */
  deployTimeoutMs: number;
  /** How long a replaced version may finish requests in flight before its objects go. */
  drainMs: number;
  /** Whether the service runs in the cluster (Service addresses) or outside (the API server's proxy). */
  inCluster: boolean;
  /** How often the objects' status is read. */
  pollMs?: number;
}
