/**
 * Leader election through a PostgreSQL advisory lock held on a connection of its own. The lock lives as
 * long as that session: when the leader's process dies the server drops the session and the lock, and a
 * follower's next try takes it. A leader that loses its connection (or cannot renew through it) stops
 * leading at once, before any other replica could have taken the lock.
 */
import pg from 'pg';
import type { Elector } from './leadership.js';

/** The advisory lock key of the leader of one database ('LTLD'). */
export const LEADER_LOCK = 0x4c54_4c44;

/** Settings of the advisory-lock elector. */
export interface AdvisoryLockOptions {
  url: string;
  types?: pg.CustomTypesConfig;
  /** How often a follower tries to take the lock. */
  retryMs?: number;
  /** How often the leader checks that its connection (and so the lock) is still there. */
  renewMs?: number;
  /** A check that takes longer than this counts as a lost connection. */
  renewTimeoutMs?: number;
  /** Hears of connection failures (the password never appears: pg leaves it out of its messages). */
  warn?: (err: unknown, message: string) => void;
}

/** Campaigns for {@link LEADER_LOCK} on a dedicated connection. */
export class AdvisoryLockElector implements Elector {
  readonly kind = 'advisory-lock' as const;
  private client?: pg.Client;
  private timer?: NodeJS.Timeout;
  private leading = false;
  private stopped = false;
  private changed: (leading: boolean) => void = () => undefined;

  constructor(private readonly opts: AdvisoryLockOptions) {}

  async start(changed: (leading: boolean) => void): Promise<void> {
    this.changed = changed;
    this.stopped = false;
    // The first try is awaited: a replica alone on the database leads before it starts serving.
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.lose();
  }

  private schedule(): void {
    if (this.stopped) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.leading ? (this.opts.renewMs ?? 2000) : (this.opts.retryMs ?? 1000));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      const client = await this.connection();
      if (this.leading) {
        await withTimeout(client.query('SELECT 1'), this.opts.renewTimeoutMs ?? 5000);
      } else {
        const { rows } = await withTimeout(client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]), this.opts.renewTimeoutMs ?? 5000);
        if (rows[0]?.ok && client === this.client && !this.stopped) {
          this.leading = true;
          this.changed(true);
        }
      }
    } catch (err) {
      this.opts.warn?.(err, 'the leader election connection failed');
      this.lose();
    }
    this.schedule();
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) {
      return this.client;
    }
    const client = new pg.Client({ connectionString: this.opts.url, types: this.opts.types, keepAlive: true });
    // A broken session has lost the lock with it: stop leading now, not at the next renewal.
    client.on('error', err => {
      this.opts.warn?.(err, 'the leader election connection was lost');
      if (this.client === client) {
        this.lose();
      }
    });
    client.on('end', () => {
      if (this.client === client) {
        this.lose();
      }
    });
    this.client = client;
    try {
      await client.connect();
    } catch (err) {
      if (this.client === client) {
        this.client = undefined;
      }
      await client.end().catch(() => undefined);
      throw err;
    }
    return client;
  }

  /** Leaves leadership and the connection (ending the session releases the lock). */
  private lose(): void {
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
    if (this.leading) {
      this.leading = false;
      this.changed(false);
    }
    this.schedule();
  }
}

/** `work`, or a rejection after `ms`. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
