/**
 * What the leader's pick-ups of follower work share: they hear the changes other replicas publish through
 * the event relay, and poll the store now and then for a notification that was missed (a listener
 * reconnecting). Subclasses say what an event means and what one poll looks at; their actions are
 * idempotent, so hearing a change twice is harmless.
 */
import type { EventBus, ServiceEvent } from '../events.js';
import type { Store } from '../store/store.js';
import type { LeaderController } from './leadership.js';

/** Where a pick-up's failures go. */
export interface PickupLog {
  warn(details: object, message: string): void;
}

/** What every pick-up needs; each adds what it acts on. */
export interface RemotePickupDeps {
  store: Store;
  bus: EventBus;
  log: PickupLog;
  /** Time between polls of the store (the safety net under the notifications). */
  pollMs?: number;
}

export abstract class RemotePickup implements LeaderController {
  abstract readonly name: string;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  private readonly bus: EventBus;
  protected readonly log: PickupLog;
  private readonly pollMs: number;

  /** @param pollAtStart whether to poll as soon as leadership starts (changes stored while no replica led) */
  protected constructor(deps: RemotePickupDeps, private readonly pollAtStart = false) {
    this.bus = deps.bus;
    this.log = deps.log;
    this.pollMs = deps.pollMs ?? 5000;
  }

  start(): void {
    this.unsubscribe ??= this.bus.subscribeRemote(event => this.heard(event));
    this.timer ??= setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    if (this.pollAtStart) {
      void this.poll();
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  /** Acts on one change another replica published. */
  protected abstract heard(event: ServiceEvent): void;

  /** One look at the store for whatever a missed notification left undone. */
  protected abstract pollOnce(): Promise<void>;

  /** The log line of a poll that failed. */
  protected abstract readonly pollFailed: string;

  private poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        await this.pollOnce();
      } catch (err) {
        this.log.warn({ err }, this.pollFailed);
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }
}
