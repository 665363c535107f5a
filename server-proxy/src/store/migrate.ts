/**
 * `laketahoe-proxy migrate`: copies a personal service's SQLite database into a shared PostgreSQL one,
 * table by table in one transaction, and checks the copy by row counts and checksums before committing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PoolClient } from 'pg';
import { LOCK_FILE, lockDataDir } from '../dataDir.js';
import { openSqlite } from '../sqlite.js';
import { MIGRATIONS } from './migrations.js';
import { Database } from './postgres/database.js';
import { TRIAL_COLUMN_NAMES } from './rows.js';

/** A table both stores have, with the columns they share. */
interface TableSpec {
  name: string;
  columns: readonly string[];
  /** SQLite's order of insertion (rowid), or the key of a WITHOUT ROWID table, whose copy needs no order. */
  order?: string;
}

/** Every table that holds data, in an order that keeps related rows together. */
export const COPIED_TABLES: readonly TableSpec[] = [
  { name: 'jobs', columns: ['job_id', 'public_id', 'owner', 'state', 'create_time', 'job', 'runtime'] },
  { name: 'job_logs', columns: ['job_id', 'seq', 'time', 'stream', 'text'], order: 'job_id, seq' },
  { name: 'job_metrics', columns: ['job_id', 'step', 'name', 'value', 'time'] },
  { name: 'trials', columns: TRIAL_COLUMN_NAMES, order: 'job_id, trial_id' },
  { name: 'models', columns: ['owner', 'name', 'latest_version', 'create_time', 'update_time'], order: 'owner, name' },
  { name: 'model_versions', columns: ['owner', 'name', 'version', 'source_key', 'create_time', 'record'], order: 'owner, name, version' },
  { name: 'deployments', columns: ['owner', 'name', 'state', 'create_time', 'deployment', 'runtime'] },
  {
    name: 'request_buckets',
    order: 'owner, deployment, start_ms',
    columns: ['owner', 'deployment', 'start_ms', 'width_ms', 'requests', 'errors', 'client_errors', 'server_errors', 'latency_sum_ms', 'histogram']
  },
  { name: 'alerts', columns: ['id', 'owner', 'deployment', 'rule', 'state', 'start_time', 'alert'] },
  { name: 'live_rows', columns: ['owner', 'deployment', 'model', 'version', 'kind', 'time_ms', 'rows'] },
  {
    name: 'job_definitions',
    order: 'owner, definition_id',
    columns: ['owner', 'definition_id', 'paused', 'scheduled', 'schedule_anchor', 'create_time', 'definition', 'spec']
  },
  {
    name: 'definition_runs',
    order: 'owner, definition_id, tick',
    columns: ['owner', 'definition_id', 'tick', 'trigger_kind', 'outcome', 'job_id', 'missed_ticks', 'message', 'claimed_at', 'claimed_by']
  },
  {
    name: 'usage_samples',
    columns: ['job_id', 'time_ms', 'cpu_cores', 'cpu_seconds', 'memory_bytes', 'gpu_count', 'gpu_utilization', 'gpu_memory_bytes']
  }
];

/** Tables of the target that are derived from copied ones rather than copied. */
const DERIVED_TABLES = ['log_runs'];

/** Rows per INSERT: well under PostgreSQL's 65535 parameters for the widest table. */
const BATCH_ROWS = 500;

/** What was copied for one table. */
export interface TableReport {
  table: string;
  rows: number;
  /** sha256 over the table's rows (order-independent); equal on both sides. */
  checksum: string;
}

/** Raised when the target holds data and the caller did not ask to replace it. */
export class TargetNotEmptyError extends Error {
  constructor(counts: string) {
    super(`the target database is not empty (${counts}): pass --replace to empty it first`);
    this.name = 'TargetNotEmptyError';
  }
}

/** Raised when the copy does not match its source (the transaction is rolled back). */
export class VerificationError extends Error {
  constructor(table: string, detail: string) {
    super(`the copy of ${table} does not match its source: ${detail}; nothing was written`);
    this.name = 'VerificationError';
  }
}

/**
 * A checksum that does not depend on row order (SQLite and PostgreSQL sort text differently): each row,
 * its values as JSON, is hashed; the sorted hashes are hashed again.
 */
export function tableChecksum(rows: Iterable<unknown[]>): { rows: number; checksum: string } {
  const hashes: string[] = [];
  for (const row of rows) {
    hashes.push(crypto.createHash('sha256').update(JSON.stringify(row)).digest('hex'));
  }
  hashes.sort();
  const all = crypto.createHash('sha256');
  for (const h of hashes) {
    all.update(h);
  }
  return { rows: hashes.length, checksum: all.digest('hex') };
}

/** The SQLite file of `sqlite:FILE`. */
export function sqliteSource(from: string): string {
  const m = /^sqlite:(.+)$/.exec(from);
  if (!m) {
    throw new Error(`--from must be sqlite:FILE (the laketahoe.db of a data folder), got '${from}'`);
  }
  return path.resolve(m[1]);
}

/**
 * Copies every table of the SQLite file into the PostgreSQL database at `to` and verifies the copy.
 * When the file sits in a data folder, that folder's lock is held meanwhile: no service writes to it
 * during the copy. Throws {@link TargetNotEmptyError} unless the target is empty or `replace` is set.
 */
export async function migrateSqliteToPostgres(options: { file: string; to: string; replace?: boolean }): Promise<TableReport[]> {
  const { file } = options;
  if (!fs.existsSync(file)) {
    throw new Error(`${file} does not exist`);
  }
  const dataDir = path.dirname(file);
  const unlock = fs.existsSync(path.join(dataDir, LOCK_FILE)) ? lockDataDir(dataDir) : () => undefined;
  const source = openSqlite(file, { readonly: true, fileMustExist: true });
  try {
    const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
    const applied = (source.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v;
    if (applied !== latest) {
      throw new Error(`${file} has schema version ${applied ?? 'none'}, this service writes ${latest}: start this version of the service on it once first`);
    }
    const target = await Database.open(options.to, { max: 1 });
    try {
      return await target.transaction(async client => {
        await emptyTarget(client, options.replace ?? false);
        const reports: TableReport[] = [];
        for (const table of COPIED_TABLES) {
          await copyTable(source, client, table);
          reports.push(await verifyTable(source, client, table));
        }
        await client.query(
          'INSERT INTO log_runs (job_id, last_seq, bytes) SELECT job_id, MAX(seq), SUM(octet_length(text)) FROM job_logs GROUP BY job_id'
        );
        return reports;
      });
    } finally {
      await target.close();
    }
  } finally {
    source.close();
    unlock();
  }
}

/** Refuses a target with data, or empties it when asked to. */
async function emptyTarget(client: PoolClient, replace: boolean): Promise<void> {
  const tables = [...COPIED_TABLES.map(t => t.name), ...DERIVED_TABLES];
  if (replace) {
    await client.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY`);
    return;
  }
  const held: string[] = [];
  for (const table of tables) {
    const [{ n }] = (await client.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows;
    if (n > 0) {
      held.push(`${n} ${table}`);
    }
  }
  if (held.length) {
    throw new TargetNotEmptyError(held.join(', '));
  }
}

/** Copies one table in SQLite's insertion order, so PostgreSQL's serial tie-breakers keep that order. */
async function copyTable(source: ReturnType<typeof openSqlite>, client: PoolClient, table: TableSpec): Promise<void> {
  const columns = table.columns.join(', ');
  const rows = source.prepare(`SELECT ${columns} FROM ${table.name} ORDER BY ${table.order ?? 'rowid'}`).raw(true).iterate() as Iterable<unknown[]>;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (batch.length === 0) {
      return;
    }
    const width = table.columns.length;
    const values = batch.map((_, r) => `(${table.columns.map((__, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
    await client.query(`INSERT INTO ${table.name} (${columns}) VALUES ${values}`, batch.flat());
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length === BATCH_ROWS) {
      await flush();
    }
  }
  await flush();
}

/** Compares counts and checksums of one table on both sides. */
async function verifyTable(source: ReturnType<typeof openSqlite>, client: PoolClient, table: TableSpec): Promise<TableReport> {
  const columns = table.columns.join(', ');
  const from = tableChecksum(source.prepare(`SELECT ${columns} FROM ${table.name}`).raw(true).iterate() as Iterable<unknown[]>);
  const copied = await client.query({ text: `SELECT ${columns} FROM ${table.name}`, rowMode: 'array' });
  const to = tableChecksum(copied.rows as unknown[][]);
  if (from.rows !== to.rows) {
    throw new VerificationError(table.name, `${from.rows} rows in SQLite, ${to.rows} in PostgreSQL`);
  }
  if (from.checksum !== to.checksum) {
    throw new VerificationError(table.name, 'the checksums differ');
  }
  return { table: table.name, rows: to.rows, checksum: to.checksum };
}
