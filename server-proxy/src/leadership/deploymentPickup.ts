/**
 * Deployment changes a follower accepted, carried out by the leader. A follower checks and stores a
 * create, update or delete of a deployment and publishes it; the leader hears the change through the
 * event relay and reconciles the deployment: the servers it keeps become what the record asks. A poll of
 * the store covers notifications that were missed. Reconciling is idempotent, so hearing a change twice,
 * or hearing back one the leader made itself, starts nothing twice.
 */
import type { ServiceEvent } from '../events.js';
import { RemotePickup, type RemotePickupDeps } from './remotePickup.js';

/** What the leader does with one deployment another replica changed. */
export interface DeploymentReconciler {
  reconcile(owner: string, name: string): Promise<void>;
}

/** What the pick-up needs. */
export interface DeploymentPickupDeps extends RemotePickupDeps {
  deployments: DeploymentReconciler;
}

/** The leader's side of deployment writes made through followers. */
export class DeploymentPickup extends RemotePickup {
  readonly name = 'follower deployment changes';
  protected readonly pollFailed = 'polling for deployment changes other replicas stored failed';

  constructor(private readonly deps: DeploymentPickupDeps) {
    super(deps, true);
  }

  protected heard(event: ServiceEvent): void {
    if (event.type === 'deployment') {
      void this.reconcile(event.owner, event.deployment.name);
    }
  }

  private reconcile(owner: string, name: string): Promise<void> {
    return this.deps.deployments.reconcile(owner, name).catch(err => this.log.warn({ err, owner, deployment: name }, 'could not carry out a deployment change another replica stored'));
  }

  /** Every deployment: whatever a missed notification left undone. */
  protected async pollOnce(): Promise<void> {
    const records = await this.deps.store.listDeployments();
    await Promise.all(records.map(r => this.reconcile(r.deployment.owner, r.deployment.name)));
  }
}
