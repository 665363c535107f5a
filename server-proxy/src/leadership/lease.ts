/**
 * Leader election through a Kubernetes Lease (coordination.k8s.io/v1), for replicas running in a
 * cluster: the holder renews the Lease every few seconds; a follower takes it over once it has not been
 * renewed for its duration. Writes carry the resourceVersion they read, so two followers racing for an
 * expired Lease cannot both win. A leader that cannot renew within the renew deadline stops leading
 * before the Lease can expire for the others.
 */
import os from 'node:os';
import crypto from 'node:crypto';
import type { Elector } from './leadership.js';

/** The parts of a Lease the election reads and writes. */
export interface LeaseRecord {
  resourceVersion?: string;
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: Date;
  renewTime?: Date;
  leaseTransitions?: number;
}

/** Reading and writing one Lease; a write with a stale resourceVersion rejects with `code` 409. */
export interface LeaseApi {
  /** The Lease, or undefined when it does not exist. */
  read(): Promise<LeaseRecord | undefined>;
  create(lease: LeaseRecord): Promise<LeaseRecord>;
  replace(lease: LeaseRecord): Promise<LeaseRecord>;
}

/** Settings of the Lease elector. */
export interface LeaseElectorOptions {
  api: LeaseApi;
  /** This replica's name in the Lease (the pod name by default). */
  identity?: string;
  /** How long a Lease stays valid without renewal (seconds). */
  leaseDurationSeconds?: number;
  /** How often the leader renews and a follower tries. */
  retryMs?: number;
  /** A leader that has not renewed for this long stops leading. Below the Lease duration. */
  renewDeadlineMs?: number;
  warn?: (err: unknown, message: string) => void;
  /** The clock (tests move it). */
  now?: () => number;
}

/** Campaigns for one Lease. */
export class LeaseElector implements Elector {
  readonly kind = 'lease' as const;
  readonly identity: string;
  private timer?: NodeJS.Timeout;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private changed: (leading: boolean) => void = () => undefined;

  constructor(private readonly opts: LeaseElectorOptions) {
    this.identity = opts.identity ?? `${process.env.POD_NAME || process.env.HOSTNAME || os.hostname()}_${crypto.randomUUID().slice(0, 8)}`;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private get durationSeconds(): number {
    return this.opts.leaseDurationSeconds ?? 15;
  }

  async start(changed: (leading: boolean) => void): Promise<void> {
    this.changed = changed;
    this.stopped = false;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.leading) {
      this.setLeading(false);
      // Hand over at once: an expired renewTime lets the next replica take the Lease on its next try.
      await this.release().catch(err => this.opts.warn?.(err, 'could not release the leader Lease'));
    }
  }

  /** One try: take or renew the Lease. Exposed for tests that drive the clock. */
  async tick(): Promise<void> {
    try {
      await this.tryAcquireOrRenew();
    } catch (err) {
      this.opts.warn?.(err, 'the leader Lease could not be read or written');
    }
    if (this.leading && this.now() - this.lastRenew > (this.opts.renewDeadlineMs ?? 10_000)) {
      this.setLeading(false);
    }
    if (!this.stopped) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.tick(), this.opts.retryMs ?? 2000);
      this.timer.unref();
    }
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = new Date(this.now());
    const current = await this.opts.api.read();
    if (!current) {
      await this.opts.api.create({ holderIdentity: this.identity, leaseDurationSeconds: this.durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 });
      this.renewed();
      return;
    }
    const mine = current.holderIdentity === this.identity;
    if (!mine && current.holderIdentity && !this.expired(current)) {
      this.setLeading(false);
      return;
    }
    await this.opts.api.replace({
      resourceVersion: current.resourceVersion,
      holderIdentity: this.identity,
      leaseDurationSeconds: this.durationSeconds,
      acquireTime: mine ? current.acquireTime : now,
      renewTime: now,
      leaseTransitions: (current.leaseTransitions ?? 0) + (mine ? 0 : 1)
    });
    this.renewed();
  }

  private expired(lease: LeaseRecord): boolean {
    const renew = lease.renewTime?.getTime() ?? 0;
    return renew + (lease.leaseDurationSeconds ?? this.durationSeconds) * 1000 < this.now();
  }

  private renewed(): void {
    this.lastRenew = this.now();
    if (this.stopped) {
      return;
    }
    this.setLeading(true);
  }

  private async release(): Promise<void> {
    const current = await this.opts.api.read();
    if (current?.holderIdentity === this.identity) {
      await this.opts.api.replace({ ...current, holderIdentity: '', renewTime: new Date(0) });
    }
  }

  private setLeading(leading: boolean): void {
    if (leading !== this.leading) {
      this.leading = leading;
      this.changed(leading);
    }
  }
}
