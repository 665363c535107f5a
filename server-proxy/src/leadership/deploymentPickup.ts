/**
 * Deployment changes a follower accepted, carried out by the leader. A follower checks and stores a
 * create, update or delete of a deployment and publishes it; the leader hears the change through the
 * event relay and reconciles the deployment: the servers it keeps become what the record asks. A poll of
 * the store covers notifications that were missed. Reconciling is idempotent, so hearing a change twice,
 * or hearing back one the leader made itself, starts nothing twice.
 */
import type { EventBus, ServiceEvent } from '../events.js';
import type { Store } from '../store/store.js';
import type { LeaderController } from './leadership.js';

/** What the leader does with one deployment another replica changed. */
export interface DeploymentReconciler {
  reconcile(owner: string, name: string): Promise<void>;
}

/** What the pick-up needs. */
export interface DeploymentPickupDeps {
  store: Store;
  bus: EventBus;
  deployments: DeploymentReconciler;
  log: { warn(details: object, message: string): void };
  /** Time between polls of the store (the safety net under the notifications). */
  pollMs?: number;
}

/** The leader's side of deployment writes made through followers. */
export class DeploymentPickup implements LeaderController {
  readonly name = 'follower deployment changes';
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  constructor(private readonly deps: DeploymentPickupDeps) {}

  start(): void {
    this.unsubscribe ??= this.deps.bus.subscribeRemote(event => this.heard(event));
    this.timer ??= setInterval(() => void this.poll(), this.deps.pollMs ?? 5000);
    this.timer.unref();
    // Changes stored while no replica led (or before this one listened).
    void this.poll();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  private heard(event: ServiceEvent): void {
    if (event.type === 'deployment') {
      this.reconcile(event.owner, event.deployment.name);
    }
  }

  private reconcile(owner: string, name: string): Promise<void> {
    return this.deps.deployments.reconcile(owner, name).catch(err => this.deps.log.warn({ err, owner, deployment: name }, 'could not carry out a deployment change another replica stored'));
  }

  /** Every deployment: whatever a missed notification left undone. */
  private poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const records = await this.deps.store.listDeployments();
        await Promise.all(records.map(r => this.reconcile(r.deployment.owner, r.deployment.name)));
      } catch (err) {
        this.deps.log.warn({ err }, 'polling for deployment changes other replicas stored failed');
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }
}
