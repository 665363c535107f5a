import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Job, JobState, LogLine, Metric, Trial } from '../jobs/schema.js';
import { MIGRATIONS } from './migrations.js';
import {
  DuplicateJobError,
  type JobPage,
  type JobRecord,
  type NewLogLine,
  type Store,
  type TrialPage,
  type TrialRecord
} from './store.js';

interface JobRow {
  job: string;
  runtime: string;
}

interface TrialRow {
  job_id: string;
  trial_id: number;
  owner: string;
  state: string;
  hyperparameters: string;
  final_metric: string | null;
  all_metrics: string;
  stopped_early: number;
  create_time: string;
  start_time: string | null;
  end_time: string | null;
  error_message: string;
  output_notebook: string | null;
  runtime: string;
}

const TRIAL_COLUMNS =
  'job_id, trial_id, owner, state, hyperparameters, final_metric, all_metrics, stopped_early, create_time, start_time, end_time, error_message, output_notebook, runtime';

function trialFromRow(row: TrialRow): TrialRecord {
  const trial: Trial = {
    jobId: row.job_id,
    trialId: String(row.trial_id),
    state: row.state as JobState,
    hyperparameters: JSON.parse(row.hyperparameters),
    finalMetric: row.final_metric ? JSON.parse(row.final_metric) : null,
    allMetrics: JSON.parse(row.all_metrics),
    isTrialStoppedEarly: row.stopped_early !== 0,
    createTime: row.create_time,
    startTime: row.start_time,
    endTime: row.end_time,
    errorMessage: row.error_message
  };
  if (row.output_notebook) {
    trial.outputNotebook = row.output_notebook;
  }
  return { trial, owner: row.owner, runtime: JSON.parse(row.runtime) };
}

function trialParams(r: TrialRecord): unknown[] {
  const t = r.trial;
  return [
    t.jobId,
    Number(t.trialId),
    r.owner,
    t.state,
    JSON.stringify(t.hyperparameters),
    t.finalMetric ? JSON.stringify(t.finalMetric) : null,
    JSON.stringify(t.allMetrics),
    t.isTrialStoppedEarly ? 1 : 0,
    t.createTime,
    t.startTime,
    t.endTime,
    t.errorMessage,
    t.outputNotebook ?? null,
    JSON.stringify(r.runtime)
  ];
}

/** The embedded store: one SQLite file in WAL mode so readers never block the writer. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;

  /** Opens (creating if needed) the database file and applies pending migrations. */
  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)'
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(r => r.version)
    );
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) {
        continue;
      }
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      })();
    }
  }

  /** The open database, for modules that keep their own tables in it (monitoring). */
  get database(): Database.Database {
    return this.db;
  }

  /** Versions recorded in schema_migrations (for tests and diagnostics). */
  appliedMigrations(): number[] {
    return (this.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
      r => r.version
    );
  }

  async createJob(record: JobRecord): Promise<void> {
    try {
      this.db
        .prepare('INSERT INTO jobs (job_id, owner, state, create_time, job, runtime) VALUES (?, ?, ?, ?, ?, ?)')
        .run(
          record.job.jobId,
          record.job.owner,
          record.job.state,
          record.job.createTime,
          JSON.stringify(record.job),
          JSON.stringify(record.runtime)
        );
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new DuplicateJobError(record.job.jobId);
      }
      throw err;
    }
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const row = this.db.prepare('SELECT job, runtime FROM jobs WHERE job_id = ?').get(jobId) as JobRow | undefined;
    return row ? { job: JSON.parse(row.job) as Job, runtime: JSON.parse(row.runtime) } : undefined;
  }

  async saveJob(record: JobRecord): Promise<void> {
    this.db
      .prepare('UPDATE jobs SET state = ?, job = ?, runtime = ? WHERE job_id = ?')
      .run(record.job.state, JSON.stringify(record.job), JSON.stringify(record.runtime), record.job.jobId);
  }

  async listJobs(query: { owner: string; state?: JobState; pageSize: number; pageToken?: string }): Promise<JobPage> {
    // The page token is an opaque offset; good enough for an embedded single-user store.
    const offset = query.pageToken ? Number.parseInt(Buffer.from(query.pageToken, 'base64url').toString(), 10) || 0 : 0;
    const params: unknown[] = [query.owner];
    let sql = 'SELECT job FROM jobs WHERE owner = ?';
    if (query.state) {
      sql += ' AND state = ?';
      params.push(query.state);
    }
    sql += ' ORDER BY create_time DESC, rowid DESC LIMIT ? OFFSET ?';
    params.push(query.pageSize + 1, offset);
    const rows = this.db.prepare(sql).all(...params) as { job: string }[];
    const jobs = rows.slice(0, query.pageSize).map(r => JSON.parse(r.job) as Job);
    const page: JobPage = { jobs };
    if (rows.length > query.pageSize) {
      page.nextPageToken = Buffer.from(String(offset + query.pageSize)).toString('base64url');
    }
    return page;
  }

  async listJobsInStates(states: readonly JobState[]): Promise<JobRecord[]> {
    const marks = states.map(() => '?').join(', ');
    const rows = this.db
      .prepare(`SELECT job, runtime FROM jobs WHERE state IN (${marks}) ORDER BY create_time, rowid`)
      .all(...states) as JobRow[];
    return rows.map(r => ({ job: JSON.parse(r.job) as Job, runtime: JSON.parse(r.runtime) }));
  }

  async appendLogs(jobId: string, lines: NewLogLine[], keep: number): Promise<LogLine[]> {
    if (lines.length === 0) {
      return [];
    }
    const out: LogLine[] = [];
    this.db.transaction(() => {
      const last = this.db.prepare('SELECT MAX(seq) AS seq FROM job_logs WHERE job_id = ?').get(jobId) as {
        seq: number | null;
      };
      let seq = last.seq ?? 0;
      const insert = this.db.prepare('INSERT INTO job_logs (job_id, seq, time, stream, text) VALUES (?, ?, ?, ?, ?)');
      for (const line of lines) {
        seq += 1;
        insert.run(jobId, seq, line.time, line.stream, line.text);
        out.push({ seq, ...line });
      }
      this.db.prepare('DELETE FROM job_logs WHERE job_id = ? AND seq <= ?').run(jobId, seq - keep);
    })();
    return out;
  }

  async getLogs(jobId: string, after: number, limit: number): Promise<{ lines: LogLine[]; firstSeq: number; lastSeq: number }> {
    const lines = this.db
      .prepare('SELECT seq, time, stream, text FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(jobId, after, limit) as LogLine[];
    const bounds = this.db
      .prepare('SELECT MIN(seq) AS first, MAX(seq) AS last FROM job_logs WHERE job_id = ?')
      .get(jobId) as { first: number | null; last: number | null };
    return { lines, firstSeq: bounds.first ?? 0, lastSeq: bounds.last ?? 0 };
  }

  async addMetrics(jobId: string, metrics: Metric[]): Promise<void> {
    const insert = this.db.prepare('INSERT INTO job_metrics (job_id, step, name, value, time) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const m of metrics) {
        insert.run(jobId, m.step, m.name, m.value, m.time);
      }
    })();
  }

  async getMetrics(jobId: string): Promise<Metric[]> {
    return this.db
      .prepare('SELECT step, name, value, time FROM job_metrics WHERE job_id = ? ORDER BY step, rowid')
      .all(jobId) as Metric[];
  }

  async createTrials(records: TrialRecord[]): Promise<void> {
    const insert = this.db.prepare(`INSERT INTO trials (${TRIAL_COLUMNS}) VALUES (${TRIAL_COLUMNS.split(',').map(() => '?').join(', ')})`);
    this.db.transaction(() => {
      for (const r of records) {
        insert.run(...trialParams(r));
      }
    })();
  }

  async getTrial(jobId: string, trialId: string): Promise<TrialRecord | undefined> {
    const n = Number(trialId);
    if (!Number.isSafeInteger(n) || String(n) !== trialId) {
      return undefined;
    }
    const row = this.db.prepare(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE job_id = ? AND trial_id = ?`).get(jobId, n) as TrialRow | undefined;
    return row ? trialFromRow(row) : undefined;
  }

  async saveTrial(record: TrialRecord): Promise<void> {
    const [jobId, trialId, ...rest] = trialParams(record);
    const columns = TRIAL_COLUMNS.split(', ').slice(2);
    this.db
      .prepare(`UPDATE trials SET ${columns.map(c => `${c} = ?`).join(', ')} WHERE job_id = ? AND trial_id = ?`)
      .run(...rest, jobId, trialId);
  }

  async listAllTrials(jobId: string): Promise<TrialRecord[]> {
    const rows = this.db.prepare(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE job_id = ? ORDER BY trial_id`).all(jobId) as TrialRow[];
    return rows.map(trialFromRow);
  }

  async listTrials(query: { jobId: string; state?: JobState; pageSize: number; pageToken?: string }): Promise<TrialPage> {
    // The token is the last trial id returned: stable while new trials are appended.
    const after = query.pageToken ? Number.parseInt(Buffer.from(query.pageToken, 'base64url').toString(), 10) || 0 : 0;
    const params: unknown[] = [query.jobId, after];
    let sql = `SELECT ${TRIAL_COLUMNS} FROM trials WHERE job_id = ? AND trial_id > ?`;
    if (query.state) {
      sql += ' AND state = ?';
      params.push(query.state);
    }
    sql += ' ORDER BY trial_id LIMIT ?';
    params.push(query.pageSize + 1);
    const rows = this.db.prepare(sql).all(...params) as TrialRow[];
    const trials = rows.slice(0, query.pageSize).map(r => trialFromRow(r).trial);
    const page: TrialPage = { trials };
    if (rows.length > query.pageSize) {
      page.nextPageToken = Buffer.from(trials[trials.length - 1].trialId).toString('base64url');
    }
    return page;
  }

  async listTrialsInStates(states: readonly JobState[]): Promise<TrialRecord[]> {
    const marks = states.map(() => '?').join(', ');
    const rows = this.db
      .prepare(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE state IN (${marks}) ORDER BY job_id, trial_id`)
      .all(...states) as TrialRow[];
    return rows.map(trialFromRow);
  }

  async close(): Promise<void> {
    if (this.db.open) {
      this.db.close();
    }
  }
}
