/**
 * A deployment service taking over: after a (re)start, or as the new leader of several replicas. Model
 * servers a previous process left behind are killed, except, where replicas share the store, those the
 * records let any replica reach: the champion's, the challengers' and a version switch's are adopted
 * (the deployment keeps answering, nothing restarts). Deletions are finished; every deployment that
 * was serving or on its way to is started again.
 */
import type { DeploymentRecord } from '../store/store.js';
import { setState } from './deploymentUpdater.js';
import type { DeploymentHost } from './deploymentHost.js';
import { adoptable, adoptableChallengers, adoptableSwitchTarget, killOrphans } from './leftBehind.js';

/** Recovers every deployment of the store on `host`, which has just started to lead. */
export async function recoverDeployments(host: DeploymentHost): Promise<void> {
  const { opts } = host;
  for (const record of await opts.store.listDeployments()) {
    const { owner, name, state } = record.deployment;
    adoptOneChallengerRecord(record);
    const shared = opts.shareServers && !record.runtime.kube && state !== 'DELETING' && state !== 'FAILED';
    const adopted = shared ? adoptable(record) : undefined;
    const switching = adopted ? adoptableSwitchTarget(record) : undefined;
    // The challengers' servers stay too: they are adopted like the champion's (see Challengers.restore).
    const liveChallengers = shared ? adoptableChallengers(record) : [];
    killOrphans(record, host.baseDir(owner, name), [adopted?.runtime.pid, switching?.runtime.pid, ...liveChallengers.map(s => s.pid)]);
    if (state === 'DELETING') {
      await host.finishRemove(record);
      continue;
    }
    if (record.runtime.kube) {
      await restartKube(host, record);
      continue;
    }
    const saved = await opts.updater.update(owner, name, r => {
      r.runtime.servers = [adopted?.sharedRuntime, switching?.sharedRuntime].filter(s => s !== undefined);
      adoptOneChallengerRecord(r);
      if (r.deployment.challengers) {
        const live = (version: number) => liveChallengers.find(s => s.version === version);
        r.runtime.challengerServers = (r.runtime.challengerServers ?? []).filter(s => live(s.version)?.pid === s.pid);
        r.deployment.challengers.filter(c => !live(c.model.version)).forEach(c => (c.state = 'DEPLOYING'));
      }
      if (r.deployment.state !== 'FAILED' && !switching) {
        delete r.deployment.nextModel;
        if (!adopted) {
          setState(r, 'DEPLOYING', 'the service restarted');
        } else if (r.deployment.state === 'UPDATING') {
          setState(r, 'READY', 'the leader changed during a version switch: the serving version stays');
        }
      }
    });
    if (!saved) {
      await Promise.all([adopted?.release(), switching?.release()]);
      continue;
    }
    // A FAILED deployment gets an idle supervisor too: its inference routes answer 503 as before the restart, not 404.
    const supervisor = host.supervise(owner, name);
    if (saved.deployment.state === 'FAILED') {
      continue;
    }
    try {
      const d = saved.deployment;
      const target = host.served(await opts.registry.version(owner, d.model.name, d.model.version));
      if (adopted && switching && d.nextModel) {
        const next = host.served(await opts.registry.version(owner, d.nextModel.name, d.nextModel.version));
        supervisor.adoptSwitch(adopted, target, switching, next).catch(err => opts.log.error({ err, deployment: name }, 'adopting the version switch failed'));
      } else if (adopted) {
        supervisor.adopt(adopted, target).catch(err => opts.log.error({ err, deployment: name }, 'adopting the model server failed'));
      } else {
        host.startInBackground(supervisor, target, 'started again after a service restart');
      }
      await host.challengers.restore(saved, 'challenger started again after a service restart');
    } catch (err) {
      await Promise.all([adopted?.stop(3000), switching?.stop(3000)]);
      await opts.updater.update(owner, name, r => {
        r.runtime.servers = [];
        delete r.deployment.nextModel;
        r.deployment.errorMessage = (err as Error).message;
        setState(r, 'FAILED', 'the model version cannot be served any more');
      });
    }
  }
}

/** Follows a Kubernetes deployment again after a restart: its objects are adopted, not re-made. */
async function restartKube(host: DeploymentHost, record: DeploymentRecord): Promise<void> {
  const { opts } = host;
  const { owner, name, state, model } = record.deployment;
  if (!opts.kube) {
    opts.log.warn({ deployment: name, owner }, 'a Kubernetes deployment, but the Kubernetes backend is not configured');
    return;
  }
  if (state === 'FAILED') {
    opts.kube.follow(record);
    return;
  }
  const saved = await opts.updater.update(owner, name, r => {
    delete r.deployment.nextModel;
    adoptOneChallengerRecord(r);
    r.deployment.challengers?.forEach(c => (c.state = 'DEPLOYING'));
    setState(r, 'DEPLOYING', 'the service restarted');
  });
  try {
    const version = await opts.registry.version(owner, model.name, model.version);
    opts.kube.deploy(saved ?? record, host.served(version), 'adopted after a service restart');
    if (saved) {
      await host.challengers.restore(saved, 'challenger adopted after a service restart');
    }
  } catch (err) {
    await opts.updater.update(owner, name, r => {
      r.deployment.errorMessage = (err as Error).message;
      setState(r, 'FAILED', 'the model version cannot be served any more');
    });
  }
}

/** A record saved when one challenger was allowed has `challenger` only: it becomes the one of `challengers`. */
function adoptOneChallengerRecord(record: DeploymentRecord): void {
  const d = record.deployment;
  if (d.challenger && !d.challengers) {
    d.challengers = [d.challenger];
  }
}
