/**
 * Persistence of monitoring history: per-bucket request aggregates and alerts, so that a restarted
 * service still shows them. Its own small seam beside the job Store, over the same database.
 */
import type Database from 'better-sqlite3';
import type { Alert } from './alerts.js';
import type { HistogramJson } from './histogram.js';
import { RequestBucket, type RequestBucketRecord } from './requests.js';

export type { RequestBucketRecord } from './requests.js';

/** Rows of one request as the drift window took them: one array per column. */
export interface LiveRowsRecord {
  /** Epoch ms the rows were taken at. */
  time: number;
  /** Whether they are model inputs or predictions. */
  kind: 'inputs' | 'predictions';
  rows: number;
  columns: Record<string, (number | string | null)[]>;
}

/** Where the monitor keeps its history. Async so that a networked database can implement it. */
export interface MonitorStore {
  /** Inserts or replaces buckets (a copy of history, as a migration makes). */
  saveBuckets(owner: string, deployment: string, buckets: readonly RequestBucketRecord[]): Promise<void>;
  /**
   * Adds requests to the stored buckets (creating those missing): each process that forwards a
   * deployment's requests adds its own, so replicas never overwrite each other's counts.
   */
  addBuckets(owner: string, deployment: string, buckets: readonly RequestBucketRecord[]): Promise<void>;
  /** Buckets starting in [fromMs, toMs), oldest first. */
  listBuckets(owner: string, deployment: string, fromMs: number, toMs: number): Promise<RequestBucketRecord[]>;
  /** Inserts or updates an alert (by id). */
  saveAlert(owner: string, alert: Alert): Promise<void>;
  /** A deployment's alerts, newest first. */
  listAlerts(owner: string, deployment: string, limit: number): Promise<Alert[]>;
  /** A deployment's alerts still firing. */
  firingAlerts(owner: string, deployment: string): Promise<Alert[]>;
  /** Appends live rows of the model version a deployment serves (the drift window's contents). */
  saveRows(owner: string, deployment: string, model: string, version: number, batches: readonly LiveRowsRecord[]): Promise<void>;
  /** Live rows of that model version taken at or after `sinceMs`, oldest first. */
  listRows(owner: string, deployment: string, model: string, version: number, sinceMs: number): Promise<LiveRowsRecord[]>;
  /** Drops a deployment's live rows taken before `beforeMs`, and those of other model versions. */
  pruneRows(owner: string, deployment: string, model: string, version: number, beforeMs: number): Promise<void>;
  /** Removes everything kept about a deployment. */
  deleteDeployment(owner: string, deployment: string): Promise<void>;
  /** Drops buckets that started before `beforeMs` (retention). */
  pruneBuckets(beforeMs: number): Promise<void>;
}

/** A bucket row as both databases return it. */
export interface BucketRow {
  start_ms: number;
  width_ms: number;
  requests: number;
  errors: number;
  client_errors: number;
  server_errors: number;
  latency_sum_ms: number;
  histogram: string;
}

/** A bucket row as a record. */
export function bucketRecord(r: BucketRow): RequestBucketRecord {
  return {
    start: r.start_ms,
    widthMs: r.width_ms,
    requests: r.requests,
    errors: r.errors,
    clientErrors: r.client_errors,
    serverErrors: r.server_errors,
    latencySumMs: r.latency_sum_ms,
    histogram: JSON.parse(r.histogram) as HistogramJson
  };
}

/** `added` on top of `stored` (when there is one). */
export function addTo(stored: RequestBucketRecord | undefined, added: RequestBucketRecord): RequestBucketRecord {
  if (!stored) {
    return added;
  }
  const sum = RequestBucket.fromRecord(stored);
  sum.merge(RequestBucket.fromRecord(added));
  return sum.toRecord();
}

/** MonitorStore over the service's SQLite database (tables of migration 4). */
export class SqliteMonitorStore implements MonitorStore {
  constructor(private readonly db: Database.Database) {}

  async saveBuckets(owner: string, deployment: string, buckets: readonly RequestBucketRecord[]): Promise<void> {
    this.writeBuckets(owner, deployment, buckets);
  }

  private writeBuckets(owner: string, deployment: string, buckets: readonly RequestBucketRecord[]): void {
    const upsert = this.db.prepare(
      `INSERT OR REPLACE INTO request_buckets
         (owner, deployment, start_ms, width_ms, requests, errors, client_errors, server_errors, latency_sum_ms, histogram)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    );
    this.db.transaction(() => {
      for (const b of buckets) {
        upsert.run(
          owner,
          deployment,
          b.start,
          b.widthMs,
          b.requests,
          b.errors,
          b.clientErrors,
          b.serverErrors,
          b.latencySumMs,
          JSON.stringify(b.histogram)
        );
      }
    })();
  }

  async addBuckets(owner: string, deployment: string, buckets: readonly RequestBucketRecord[]): Promise<void> {
    const read = this.db.prepare(
      `SELECT start_ms, width_ms, requests, errors, client_errors, server_errors, latency_sum_ms, histogram
       FROM request_buckets WHERE owner = ? AND deployment = ? AND start_ms = ?`
    );
    // Read and written in one transaction: no other writer comes in between.
    this.db.transaction(() => {
      const merged = buckets.map(b => {
        const row = read.get(owner, deployment, b.start) as BucketRow | undefined;
        return addTo(row && bucketRecord(row), b);
      });
      this.writeBuckets(owner, deployment, merged);
    })();
  }

  async listBuckets(owner: string, deployment: string, fromMs: number, toMs: number): Promise<RequestBucketRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT start_ms, width_ms, requests, errors, client_errors, server_errors, latency_sum_ms, histogram
         FROM request_buckets WHERE owner = ? AND deployment = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms`
      )
      .all(owner, deployment, fromMs, toMs) as BucketRow[];
    return rows.map(bucketRecord);
  }

  async saveAlert(owner: string, alert: Alert): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO alerts (id, owner, deployment, rule, state, start_time, alert) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, alert = excluded.alert`
      )
      .run(alert.id, owner, alert.deployment, alert.rule, alert.state, alert.startTime, JSON.stringify(alert));
  }

  async listAlerts(owner: string, deployment: string, limit: number): Promise<Alert[]> {
    const rows = this.db
      .prepare('SELECT alert FROM alerts WHERE owner = ? AND deployment = ? ORDER BY start_time DESC, rowid DESC LIMIT ?')
      .all(owner, deployment, limit) as { alert: string }[];
    return rows.map(r => JSON.parse(r.alert) as Alert);
  }

  async firingAlerts(owner: string, deployment: string): Promise<Alert[]> {
    const rows = this.db
      .prepare("SELECT alert FROM alerts WHERE owner = ? AND deployment = ? AND state = 'firing' ORDER BY start_time")
      .all(owner, deployment) as { alert: string }[];
    return rows.map(r => JSON.parse(r.alert) as Alert);
  }

  async saveRows(owner: string, deployment: string, model: string, version: number, batches: readonly LiveRowsRecord[]): Promise<void> {
    const insert = this.db.prepare(
      'INSERT INTO live_rows (owner, deployment, model, version, kind, time_ms, rows) VALUES (?, ?, ?, ?, ?, ?, ?)'
    );
    this.db.transaction(() => {
      for (const b of batches) {
        insert.run(owner, deployment, model, version, b.kind, b.time, JSON.stringify({ rows: b.rows, columns: b.columns }));
      }
    })();
  }

  async listRows(owner: string, deployment: string, model: string, version: number, sinceMs: number): Promise<LiveRowsRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT kind, time_ms, rows FROM live_rows
         WHERE owner = ? AND deployment = ? AND model = ? AND version = ? AND time_ms >= ? ORDER BY time_ms, rowid`
      )
      .all(owner, deployment, model, version, sinceMs) as { kind: 'inputs' | 'predictions'; time_ms: number; rows: string }[];
    return rows.map(r => {
      const body = JSON.parse(r.rows) as { rows: number; columns: LiveRowsRecord['columns'] };
      return { time: r.time_ms, kind: r.kind, rows: body.rows, columns: body.columns };
    });
  }

  async pruneRows(owner: string, deployment: string, model: string, version: number, beforeMs: number): Promise<void> {
    this.db
      .prepare('DELETE FROM live_rows WHERE owner = ? AND deployment = ? AND (time_ms < ? OR model != ? OR version != ?)')
      .run(owner, deployment, beforeMs, model, version);
  }

  async deleteDeployment(owner: string, deployment: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM live_rows WHERE owner = ? AND deployment = ?').run(owner, deployment);
      this.db.prepare('DELETE FROM request_buckets WHERE owner = ? AND deployment = ?').run(owner, deployment);
      this.db.prepare('DELETE FROM alerts WHERE owner = ? AND deployment = ?').run(owner, deployment);
    })();
  }

  async pruneBuckets(beforeMs: number): Promise<void> {
    this.db.prepare('DELETE FROM request_buckets WHERE start_ms < ?').run(beforeMs);
  }
}
