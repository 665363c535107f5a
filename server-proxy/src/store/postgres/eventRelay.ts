/**
 * Push events across replicas: every event published in this process is sent with NOTIFY, and every
 * event another replica sent arrives by LISTEN and is delivered to this process's push streams. A payload
 * over NOTIFY's limit goes through the `event_payloads` table and only its id is notified.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import type { EventBus, ServiceEvent } from '../../events.js';
import { cleanError, type Database } from './database.js';

/** The notification channel of every replica of one database. */
export const EVENT_CHANNEL = 'laketahoe_events';
/** Below PostgreSQL's 8000-byte payload limit, with room for the envelope. */
const MAX_INLINE_BYTES = 7000;
/** Large payloads are kept this long: long enough for every listener to read them. */
const PAYLOAD_TTL_SECONDS = 300;

/** A notification: the sending replica and the event, or the id of its row in `event_payloads`. */
interface Envelope {
  origin: string;
  event?: ServiceEvent;
  ref?: number;
}

/** Where the relay reports what it could not do; the events still reach this process's own streams. */
interface RelayLog {
  warn(details: object, message: string): void;
}

/** Relays one process's events to the other replicas on the same database, and theirs to it. */
export class PostgresEventRelay {
  /** This process, so its own notifications are not delivered twice. */
  readonly origin = crypto.randomUUID();
  private listener?: pg.Client;
  private sending: Promise<void> = Promise.resolve();
  private stopRelaying?: () => void;
  private closed = false;
  private lastPrune = 0;

  constructor(
    private readonly db: Database,
    private readonly bus: EventBus,
    private readonly log: RelayLog
  ) {}

  /** Starts listening (a connection of its own, outside the pool) and relaying this process's events. */
  async start(): Promise<void> {
    await this.listen();
    this.stopRelaying = this.bus.relayTo(event => this.send(event));
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.db.url, types: this.db.types });
    client.on('notification', msg => {
      if (msg.channel === EVENT_CHANNEL && msg.payload) {
        this.receive(msg.payload).catch(err => this.log.warn({ err: cleanError(this.db.url, err, 'event from') }, 'dropped a relayed event'));
      }
    });
    client.on('error', err => {
      this.log.warn({ err: cleanError(this.db.url, err, 'event listener on') }, 'event listener lost its connection; reconnecting');
      this.reconnect(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENT_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw cleanError(this.db.url, err, 'cannot listen for events on');
    }
    this.listener = client;
  }

  /** Replaces a listener whose connection died; events sent meanwhile are missed (clients resync on reconnect). */
  private reconnect(dead: pg.Client): void {
    if (this.closed || this.listener !== dead) {
      return;
    }
    this.listener = undefined;
    dead.end().catch(() => undefined);
    setTimeout(() => {
      if (!this.closed) {
        this.listen().catch(() => this.reconnect(dead));
      }
    }, 1000).unref();
  }

  /** Sends one event; sends are chained so the other replicas see them in this process's order. */
  private send(event: ServiceEvent): void {
    this.sending = this.sending
      .then(async () => {
        let payload = JSON.stringify({ origin: this.origin, event } satisfies Envelope);
        if (Buffer.byteLength(payload) > MAX_INLINE_BYTES) {
          const [row] = await this.db.query<{ id: number }>('INSERT INTO event_payloads (payload) VALUES ($1) RETURNING id', [JSON.stringify(event)]);
          payload = JSON.stringify({ origin: this.origin, ref: row.id } satisfies Envelope);
          await this.prune();
        }
        await this.db.query('SELECT pg_notify($1, $2)', [EVENT_CHANNEL, payload]);
      })
      .catch(err => this.log.warn({ err: cleanError(this.db.url, err, 'relaying an event through') }, 'an event did not reach the other replicas'));
  }

  private async receive(payload: string): Promise<void> {
    const envelope = JSON.parse(payload) as Envelope;
    if (envelope.origin === this.origin) {
      return;
    }
    let event = envelope.event;
    if (envelope.ref !== undefined) {
      const [row] = await this.db.query<{ payload: string }>('SELECT payload FROM event_payloads WHERE id = $1', [envelope.ref]);
      event = row ? (JSON.parse(row.payload) as ServiceEvent) : undefined;
    }
    if (event) {
      this.bus.deliverRemote(event);
    }
  }

  /** Drops large payloads every listener has had time to read (at most once a minute). */
  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) {
      return;
    }
    this.lastPrune = Date.now();
    await this.db.query(`DELETE FROM event_payloads WHERE created_at < now() - interval '${PAYLOAD_TTL_SECONDS} seconds'`);
  }

  /** Stops relaying and listening, after the events already handed over are sent. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopRelaying?.();
    await this.sending;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }
}
