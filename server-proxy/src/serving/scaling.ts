import { ServiceError } from '../errors.js';
import type { AutoscalingSpec } from '../schemas/serving.js';
import type { DeploymentUpdater } from './deploymentUpdater.js';
import { KubeDeploymentRunner } from './kubernetes/runner.js';
import type { VersionKeeper } from './challengers.js';

/** Autoscaling settings that cannot work together: 400 naming the field. */
export function checkAutoscaling(spec: AutoscalingSpec | undefined, replicas?: number): void {
  if (!spec) {
    return;
  }
  if (spec.minReplicas > spec.maxReplicas) {
    throw new ServiceError('invalid_argument', `minReplicas ${spec.minReplicas} is above maxReplicas ${spec.maxReplicas}`, 'autoscaling.minReplicas');
  }
  if (spec.metric === 'cpu') {
    if (spec.targetInflight !== undefined) {
      throw new ServiceError('invalid_argument', 'targetInflight applies to metric inflight; metric cpu follows targetCpuPercent', 'autoscaling.targetInflight');
    }
    if (spec.minReplicas < 1) {
      // CPU use is only measured on a running replica: nothing would ever wake a deployment at zero.
      throw new ServiceError('invalid_argument', 'metric cpu needs minReplicas of at least 1 (scale to zero follows requests in flight only)', 'autoscaling.minReplicas');
    }
  } else if (spec.targetCpuPercent !== undefined) {
    throw new ServiceError('invalid_argument', 'targetCpuPercent applies to metric cpu only', 'autoscaling.targetCpuPercent');
  }
  if (replicas !== undefined && (replicas < spec.minReplicas || replicas > spec.maxReplicas)) {
    throw new ServiceError('invalid_argument', `replicas ${replicas} is outside autoscaling's ${spec.minReplicas}-${spec.maxReplicas}`, 'replicas');
  }
}

/**
 * Sets the replicas of a Kubernetes deployment's versions, champion and challengers alike. The
 * challengers are looked up once the record is saved: one added meanwhile is scaled too.
 */
export async function scaleKube(
  updater: DeploymentUpdater,
  owner: string,
  name: string,
  versions: { champion: KubeDeploymentRunner; challengers: () => VersionKeeper[] },
  replicas: number
): Promise<void> {
  await updater.update(owner, name, r => {
    if (r.deployment.replicas === replicas) {
      return false;
    }
    r.deployment.stateHistory.push({ state: r.deployment.state, time: new Date().toISOString(), reason: `scaled from ${r.deployment.replicas} to ${replicas} replicas` });
    r.deployment.replicas = replicas;
    r.runtime.kube!.replicas = replicas;
  });
  const champion = versions.champion;
  const challengers = versions.challengers().filter(c => c instanceof KubeDeploymentRunner);
  await Promise.all([champion.scale(replicas), ...challengers.map(c => c.scale(replicas))]);
}
