import type { EventBus } from '../events.js';
import { KeyedQueue } from '../keyedQueue.js';
import type { DeploymentRecord, Store } from '../store/store.js';
import type { DeploymentState } from '../schemas/serving.js';

/** A map key for an owner's deployment; owner names may hold `/`, so a plain `owner/name` could collide. */
export function deploymentKey(owner: string, name: string): string {
  return `${owner}\u0000${name}`;
}

/**
 * The one place deployment records are changed after creation: serialises read-modify-write per
 * deployment and publishes `deployment` events when the visible record changed.
 */
export class DeploymentUpdater {
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus
  ) {}

  /** Tells subscribers about a record just inserted or about to be removed. */
  announce(record: DeploymentRecord): void {
    this.bus.publish({ type: 'deployment', owner: record.deployment.owner, deployment: record.deployment });
  }

  /**
   * Loads the deployment, lets `mutate` change it (returning false skips saving) and saves it.
   * Resolves to the record, or undefined when it does not exist (any more).
   */
  update(owner: string, name: string, mutate: (record: DeploymentRecord) => boolean | void): Promise<DeploymentRecord | undefined> {
    return this.queue.run(deploymentKey(owner, name), async () => {
      let changed = false;
      // Replicas share the record: the store makes the read-change-save one step among them.
      const record = await this.store.updateDeployment(owner, name, r => {
        const before = JSON.stringify(r.deployment);
        if (mutate(r) === false) {
          return false;
        }
        showFirstChallenger(r);
        changed = JSON.stringify(r.deployment) !== before;
        if (changed) {
          r.deployment.updateTime = new Date().toISOString();
        }
        return true;
      });
      if (record && changed) {
        this.announce(record);
      }
      return record;
    });
  }
}

/**
 * Keeps `challenger` (what clients written for one challenger read) equal to the first of
 * `challengers`, and leaves neither when there is none.
 */
function showFirstChallenger(record: DeploymentRecord): void {
  const d = record.deployment;
  if (d.challengers?.length) {
    d.challenger = d.challengers[0];
  } else {
    delete d.challengers;
    delete d.challenger;
  }
}

/** Moves a deployment to `state` (a no-op when it is there already), recording why. */
export function setState(record: DeploymentRecord, state: DeploymentState, reason: string): void {
  const d = record.deployment;
  if (d.state === state) {
    return;
  }
  d.state = state;
  d.stateHistory.push({ state, time: new Date().toISOString(), reason });
}
