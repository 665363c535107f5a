/**
 * A follower's side of a deployment update: the wanted state (monitoring, replicas, autoscaling, the
 * version to switch to) stored and published, exactly as the leader's own update would record it; the
 * leader hears the change and carries it out (see reconcilePlan.ts).
 */
import { withMonitoringDefaults, type UpdateDeploymentBody } from '../schemas/serving.js';
import { setState, type DeploymentUpdater } from './deploymentUpdater.js';
import type { ServedVersion } from './supervisor.js';

/** Stores what `body` asks of the deployment; `target` is the version to switch to, if any. */
export async function storeWantedUpdate(updater: DeploymentUpdater, owner: string, name: string, body: UpdateDeploymentBody, target?: ServedVersion): Promise<void> {
  await updater.update(owner, name, r => {
    const d = r.deployment;
    if (body.monitoring) {
      d.monitoring = withMonitoringDefaults(body.monitoring);
    }
    if (body.replicas !== undefined && r.runtime.kube && d.replicas !== body.replicas) {
      d.stateHistory.push({ state: d.state, time: new Date().toISOString(), reason: `scaled from ${d.replicas} to ${body.replicas} replicas` });
      d.replicas = body.replicas;
      r.runtime.kube.replicas = body.replicas;
    }
    if (body.autoscaling) {
      d.autoscaling = body.autoscaling;
    } else if (body.autoscaling === null) {
      delete d.autoscaling;
    }
    if (target) {
      d.nextModel = { name: target.model, version: target.version };
      setState(r, 'UPDATING', `starting version ${target.version}`);
    }
  });
}
