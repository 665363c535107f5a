/** Monitoring history in PostgreSQL: the same seam as the SQLite one, for the shared service. */
import type { Database } from '../store/postgres/database.js';
import type { Alert } from './alerts.js';
import { addTo, bucketRecord, type BucketRow, type LiveRowsRecord, type MonitorStore, type RequestBucketRecord } from './store.js';
import { RequestBucket } from './requests.js';


/** The pool, or the connection of a transaction. */
interface Queryable {
  query(sql: string, params: unknown[]): Promise<unknown>;
}

/** MonitorStore over the service's PostgreSQL database. */
export class PostgresMonitorStore implements MonitorStore {
  constructor(private readonly db: Database) {}

  async saveBuckets(owner: string, deployment: string, buckets: readonly RequestBucketRecord[], client: Queryable = this.db): Promise<void> {
    if (buckets.length === 0) {
      return;
    }
    await client.query(
      `INSERT INTO request_buckets
         (owner, deployment, start_ms, width_ms, requests, errors, client_errors, server_errors, latency_sum_ms, histogram)
       SELECT $1, $2, * FROM unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::float8[], $10::text[])
       ON CONFLICT (owner, deployment, start_ms) DO UPDATE SET
         width_ms = excluded.width_ms, requests = excluded.requests, errors = excluded.errors,
         client_errors = excluded.client_errors, server_errors = excluded.server_errors,
         latency_sum_ms = excluded.latency_sum_ms, histogram = excluded.histogram`,
      [
        owner,
        deployment,
        buckets.map(b => b.start),
        buckets.map(b => b.widthMs),
        buckets.map(b => b.requests),
        buckets.map(b => b.errors),
        buckets.map(b => b.clientErrors),
        buckets.map(b => b.serverErrors),
        buckets.map(b => b.latencySumMs),
        buckets.map(b => JSON.stringify(b.histogram))
      ]
    );
  }

  async addBuckets(owner: string, deployment: string, buckets: readonly RequestBucketRecord[]): Promise<void> {
    if (buckets.length === 0) {
      return;
    }
    // Always locked in the same order, so that two replicas cannot deadlock.
    const sorted = [...buckets].sort((a, b) => a.start - b.start);
    const starts = sorted.map(b => b.start);
    await this.db.transaction(async client => {
      // Empty rows first, so that the lock below holds a row for every bucket: two replicas adding to a
      // new bucket at once then wait for each other instead of both inserting.
      const empty = sorted.map(b => new RequestBucket(b.start, b.widthMs).toRecord());
      await client.query(
        `INSERT INTO request_buckets
           (owner, deployment, start_ms, width_ms, requests, errors, client_errors, server_errors, latency_sum_ms, histogram)
         SELECT $1, $2, s, w, 0, 0, 0, 0, 0, h FROM unnest($3::bigint[], $4::bigint[], $5::text[]) AS b(s, w, h)
         ON CONFLICT (owner, deployment, start_ms) DO NOTHING`,
        [owner, deployment, starts, empty.map(b => b.widthMs), empty.map(b => JSON.stringify(b.histogram))]
      );
      const { rows } = await client.query<BucketRow>(
        `SELECT start_ms, width_ms, requests, errors, client_errors, server_errors, latency_sum_ms, histogram
         FROM request_buckets WHERE owner = $1 AND deployment = $2 AND start_ms = ANY($3::bigint[]) ORDER BY start_ms FOR UPDATE`,
        [owner, deployment, starts]
      );
      const stored = new Map(rows.map(r => [Number(r.start_ms), bucketRecord(r)]));
      await this.saveBuckets(owner, deployment, sorted.map(b => addTo(stored.get(b.start), b)), client);
    });
  }

  async listBuckets(owner: string, deployment: string, fromMs: number, toMs: number): Promise<RequestBucketRecord[]> {
    const rows = await this.db.query<BucketRow>(
      `SELECT start_ms, width_ms, requests, errors, client_errors, server_errors, latency_sum_ms, histogram
       FROM request_buckets WHERE owner = $1 AND deployment = $2 AND start_ms >= $3 AND start_ms < $4 ORDER BY start_ms`,
      [owner, deployment, fromMs, toMs]
    );
    return rows.map(bucketRecord);
  }

  async saveAlert(owner: string, alert: Alert): Promise<void> {
    await this.db.query(
      `INSERT INTO alerts (id, owner, deployment, rule, state, start_time, alert) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, alert = excluded.alert`,
      [alert.id, owner, alert.deployment, alert.rule, alert.state, alert.startTime, JSON.stringify(alert)]
    );
  }

  async listAlerts(owner: string, deployment: string, limit: number): Promise<Alert[]> {
    const rows = await this.db.query<{ alert: string }>(
      'SELECT alert FROM alerts WHERE owner = $1 AND deployment = $2 ORDER BY start_time DESC, seq DESC LIMIT $3',
      [owner, deployment, limit]
    );
    return rows.map(r => JSON.parse(r.alert) as Alert);
  }

  async firingAlerts(owner: string, deployment: string): Promise<Alert[]> {
    const rows = await this.db.query<{ alert: string }>(
      "SELECT alert FROM alerts WHERE owner = $1 AND deployment = $2 AND state = 'firing' ORDER BY start_time, seq",
      [owner, deployment]
    );
    return rows.map(r => JSON.parse(r.alert) as Alert);
  }

  async saveRows(owner: string, deployment: string, model: string, version: number, batches: readonly LiveRowsRecord[]): Promise<void> {
    if (batches.length === 0) {
      return;
    }
    await this.db.query(
      // In the batches' order, so that `seq` breaks ties of time as the order of arrival.
      `INSERT INTO live_rows (owner, deployment, model, version, kind, time_ms, rows)
       SELECT $1, $2, $3, $4, b.kind, b.time_ms, b.rows
       FROM unnest($5::text[], $6::bigint[], $7::text[]) WITH ORDINALITY AS b(kind, time_ms, rows, k) ORDER BY b.k`,
      [
        owner,
        deployment,
        model,
        version,
        batches.map(b => b.kind),
        batches.map(b => b.time),
        batches.map(b => JSON.stringify({ rows: b.rows, columns: b.columns }))
      ]
    );
  }

  async listRows(owner: string, deployment: string, model: string, version: number, sinceMs: number): Promise<LiveRowsRecord[]> {
    const rows = await this.db.query<{ kind: 'inputs' | 'predictions'; time_ms: number; rows: string }>(
      `SELECT kind, time_ms, rows FROM live_rows
       WHERE owner = $1 AND deployment = $2 AND model = $3 AND version = $4 AND time_ms >= $5 ORDER BY time_ms, seq`,
      [owner, deployment, model, version, sinceMs]
    );
    return rows.map(r => {
      const body = JSON.parse(r.rows) as { rows: number; columns: LiveRowsRecord['columns'] };
      return { time: r.time_ms, kind: r.kind, rows: body.rows, columns: body.columns };
    });
  }

  async pruneRows(owner: string, deployment: string, model: string, version: number, beforeMs: number): Promise<void> {
    await this.db.query('DELETE FROM live_rows WHERE owner = $1 AND deployment = $2 AND (time_ms < $3 OR model != $4 OR version != $5)', [
      owner,
      deployment,
      beforeMs,
      model,
      version
    ]);
  }

  async deleteDeployment(owner: string, deployment: string): Promise<void> {
    await this.db.transaction(async client => {
      for (const table of ['live_rows', 'request_buckets', 'alerts']) {
        await client.query(`DELETE FROM ${table} WHERE owner = $1 AND deployment = $2`, [owner, deployment]);
      }
    });
  }

  async pruneBuckets(beforeMs: number): Promise<void> {
    await this.db.query('DELETE FROM request_buckets WHERE start_ms < $1', [beforeMs]);
  }
}
