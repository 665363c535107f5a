import type { KubeConfig } from '@kubernetes/client-node';
import type { FastifyBaseLogger } from 'fastify';
import type { DeploymentMonitor } from '../../monitoring/recorder.js';
import type { PodTemplate } from '../../schemas/podTemplate.js';
import type { ArtifactStore } from '../../artifacts/store.js';
import type { DeploymentUpdater } from '../deploymentUpdater.js';
import type { ServingWatches } from './servingWatch.js';
import type { CpuUsageSource } from './cpuUsage.js';

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
  /**
   * Caches of the served versions' Deployments and pods: status changes arrive as watch events and are
   * read from the caches. Without them the status is read from the API server every `pollMs`.
   */
  watches?: ServingWatches;
  /** With watches: how often the serving version's status is read from the API server anyway (default 30 s). */
  resyncMs?: number;
  /** How often the objects' status is read while a version starts, and without watches always (default 1 s). */
  pollMs?: number;
  /** Where CPU autoscaling reads the replicas' use (default: metrics.k8s.io, else the pods' own metrics). */
  cpuSource?: CpuUsageSource;
}
