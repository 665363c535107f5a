/**
 * What a create or update request of a deployment must satisfy before anything is stored, on every
 * replica alike (a follower checks exactly what the leader would), and the record a new deployment
 * starts from.
 */
import { ServiceError } from '../errors.js';
import { withMonitoringDefaults, type CreateDeploymentBody, type Deployment, type ModelVersion, type UpdateDeploymentBody } from '../schemas/serving.js';
import type { DeploymentRecord, KubeServingRuntime } from '../store/store.js';
import { checkAutoscaling } from './scaling.js';
import { endpointOf } from './supervisor.js';

/** What the service offers that a create request may ask for. */
export interface CreateContext {
  defaultBackend?: 'local' | 'kubernetes';
  kubeConfigured: boolean;
  localServing?: boolean;
}

/** Checks a create request; answers the backend it runs on. 400 naming the field. */
export function checkCreate(body: CreateDeploymentBody, ctx: CreateContext): 'local' | 'kubernetes' {
  const backend = body.backend ?? ctx.defaultBackend ?? 'local';
  if (backend === 'kubernetes' && !ctx.kubeConfigured) {
    throw new ServiceError('invalid_argument', 'the Kubernetes serving backend is not configured on this service (--k8s-kubeconfig, --k8s-serving-image and an S3 artifact store)', 'backend');
  }
  if (backend === 'local' && (body.replicas ?? 1) !== 1) {
    throw new ServiceError('invalid_argument', 'the local backend runs exactly one model server', 'replicas');
  }
  if (backend === 'local' && (body.resources || body.priority || body.autoscaling)) {
    const field = body.resources ? 'resources' : body.priority ? 'priority' : 'autoscaling';
    throw new ServiceError('invalid_argument', 'resources, priority and autoscaling apply to the Kubernetes backend only', field);
  }
  checkAutoscaling(body.autoscaling, body.replicas);
  // Pods run the model's code in the owner's namespace, not as the service's OS user.
  if (backend === 'local' && ctx.localServing === false) {
    throw new ServiceError(
      'failed_precondition',
      "model servers run the model's code as the service's OS user: a service that several users reach serves models only when started with --trust-jobs"
    );
  }
  if ((body.model === undefined) === (body.source === undefined)) {
    throw new ServiceError('invalid_argument', 'give exactly one of model and source', body.model ? 'source' : 'model');
  }
  return backend;
}

/** The record of a new deployment (DEPLOYING) of `version`; `kube` is set on the Kubernetes backend. */
export function newDeploymentRecord(owner: string, body: CreateDeploymentBody, version: ModelVersion, kube?: KubeServingRuntime): DeploymentRecord {
  const now = new Date().toISOString();
  const replicas = body.replicas ?? Math.max(1, body.autoscaling?.minReplicas ?? 1);
  return {
    deployment: {
      name: body.name,
      owner,
      state: 'DEPLOYING',
      model: { name: version.name, version: version.version },
      replicas,
      ...(kube ? { backend: 'kubernetes' as const } : {}),
      ...(body.autoscaling ? { autoscaling: body.autoscaling } : {}),
      endpoint: endpointOf(body.name, version.name),
      errorMessage: '',
      restarts: 0,
      createTime: now,
      updateTime: now,
      monitoring: withMonitoringDefaults(body.monitoring),
      stateHistory: [{ state: 'DEPLOYING', time: now, reason: `deploying ${version.name} version ${version.version}` }]
    },
    runtime: {
      servers: [],
      ...(kube ? { kube: { ...kube, replicas } } : {})
    }
  };
}

/** Checks an update request against the deployment as stored. 400/409 naming the field. */
export function checkUpdate(current: Deployment, body: UpdateDeploymentBody): void {
  const { name } = current;
  if (current.state === 'DELETING') {
    throw new ServiceError('failed_precondition', `deployment ${name} is being deleted`);
  }
  if (body.replicas !== undefined && body.replicas !== 1 && current.backend !== 'kubernetes') {
    throw new ServiceError('invalid_argument', 'the local backend runs exactly one model server', 'replicas');
  }
  if (body.autoscaling && current.backend !== 'kubernetes') {
    throw new ServiceError('invalid_argument', 'autoscaling applies to the Kubernetes backend only', 'autoscaling');
  }
  const autoscaling = body.autoscaling === undefined ? current.autoscaling : (body.autoscaling ?? undefined);
  if (body.replicas !== undefined && autoscaling) {
    throw new ServiceError('invalid_argument', `autoscaling decides the replicas of deployment ${name}: set autoscaling to null first`, 'replicas');
  }
  checkAutoscaling(body.autoscaling ?? undefined);
  if (body.model && current.challengers?.length) {
    throw new ServiceError('failed_precondition', `deployment ${name} has challengers: promote or remove them before switching versions`, 'model');
  }
  if (body.challenger !== undefined && body.challengers !== undefined) {
    throw new ServiceError('invalid_argument', 'give challenger (one) or challengers (the whole set), not both', 'challengers');
  }
}
