/**
 * The leader carrying out a deployment change another replica stored: what {@link planReconcile}
 * decides, applied to the servers (or Kubernetes objects) this replica keeps.
 */
import type { DeploymentRecord } from '../store/store.js';
import type { VersionKeeper } from './challengers.js';
import type { DeploymentHost } from './deploymentHost.js';
import { deploymentKey } from './deploymentUpdater.js';
import { KubeDeploymentRunner } from './kubernetes/runner.js';
import { planReconcile } from './reconcilePlan.js';
import { scaleKube } from './scaling.js';

/**
 * Makes the servers `host` keeps for the deployment what its record asks. `applied` remembers, per
 * deployment, the monitoring and scaling settings last applied (applied again only when they change).
 * The caller runs it one at a time per deployment with the deployment's other writes.
 */
export async function reconcileDeployment(host: DeploymentHost, owner: string, name: string, applied: Map<string, string>): Promise<void> {
  const key = deploymentKey(owner, name);
  const { opts } = host;
  const record = await opts.store.getDeployment(owner, name);
  const keeper: VersionKeeper | undefined = host.supervisor(owner, name) ?? opts.kube?.runner(owner, name);
  const plan = planReconcile(record, { champion: keeper && { wantedVersion: keeper.wantedVersion }, challengers: host.challengers.policies(key) });
  if (!record) {
    return;
  }
  if (plan.finishDelete) {
    applied.delete(key);
    await host.finishRemove(record);
    return;
  }
  const target = async (model: { name: string; version: number }) => host.served(await opts.registry.version(owner, model.name, model.version));
  if (plan.promote !== undefined) {
    await host.challengers.promoted(record);
  }
  let champion = plan.promote !== undefined ? (host.supervisor(owner, name) ?? opts.kube?.runner(owner, name)) : keeper;
  if (plan.deploy && record.runtime.kube) {
    if (plan.deploy === 'start') {
      opts.kube!.deploy(record, await target(record.deployment.model));
    } else {
      opts.kube!.follow(record);
    }
    champion = opts.kube!.runner(owner, name);
  } else if (plan.deploy) {
    champion = host.supervise(owner, name);
    if (plan.deploy === 'start') {
      host.startInBackground(champion, await target(record.deployment.model));
    }
  }
  if (plan.switchTo) {
    await champion!.switchTo(await target(plan.switchTo));
  }
  await host.challengers.reconcile(record, plan.startChallengers, plan.retireChallengers, plan.changedPolicies);
  await applySettings(host, record, champion, applied);
}

/** Monitoring, replicas and autoscaling as the record says, when they changed since last applied. */
async function applySettings(host: DeploymentHost, record: DeploymentRecord, champion: VersionKeeper | undefined, applied: Map<string, string>): Promise<void> {
  const { owner, name, monitoring, replicas, autoscaling } = record.deployment;
  const key = deploymentKey(owner, name);
  const settings = JSON.stringify({ monitoring, replicas, autoscaling });
  if (!champion || applied.get(key) === settings) {
    return;
  }
  applied.set(key, settings);
  await champion.attachMonitor();
  if (champion instanceof KubeDeploymentRunner) {
    if (!autoscaling) {
      await scaleKube(host.opts.updater, owner, name, { champion, challengers: () => host.challengers.keepers(key) }, replicas);
    }
    champion.setAutoscaling(autoscaling);
  }
}
