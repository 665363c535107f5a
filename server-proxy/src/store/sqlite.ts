import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openSqlite } from '../sqlite.js';
import type { Job, JobState, LogLine, Metric } from '../schemas/jobs.js';
import { JOB_STATES, TERMINAL_STATES } from '../schemas/jobs.js';
import type { Model, ModelVersion } from '../schemas/serving.js';
import { MIGRATIONS } from './migrations.js';
import { jobSearchWhere, labelRows, sqliteContains, type JobFilter } from './jobSearch.js';
import { SqliteUsage } from './usageSqlite.js';
import type { UsageSample } from '../schemas/usage.js';
import { publicJobId } from '../jobs/ids.js';
import {
  deploymentFromRow,
  jobFromRow,
  logCut,
  modelFromRow,
  trialFromRow,
  trialNumber,
  trialParams,
  TRIAL_COLUMN_NAMES,
  TRIAL_COLUMNS,
  SHOWN_TRIAL_COLUMNS,
  type ShownTrialRow,
  type TrialRowPage,
  type TrialRowQuery,
  type DeploymentRow,
  type JobRow,
  type ModelRow,
  type TrialRow
} from './rows.js';
import {
  decodePageToken,
  DuplicateJobError,
  encodePageToken,
  DuplicateNameError,
  type DeploymentRecord,
  type ModelVersionRecord,
  type JobPage,
  type JobRecord,
  type LogRetention,
  type MetricPage,
  type MetricQuery,
  type NewLogLine,
  type Store,
  type TrialPage,
  type TrialRecord
} from './store.js';

/** Bytes of a log line's text (SQLite's length() of TEXT counts characters). */
const TEXT_BYTES = 'length(CAST(text AS BLOB))';

/** States of a trial that has not ended. */
const UNFINISHED_STATES: readonly JobState[] = JOB_STATES.filter(s => !TERMINAL_STATES.has(s));

/** Most distinct SQL texts kept prepared. */
const STATEMENT_CACHE_SIZE = 200;

/** The embedded store: one SQLite file in WAL mode so readers never block the writer. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  /** Bytes of log text kept per run id, so the per-run budget is checked without summing the table. */
  private readonly logByteTotals = new Map<string, number>();
  private readonly usage: SqliteUsage;
  /** Prepared statements by SQL text: preparing one cost as much as running it on the hot paths. */
  private readonly statements = new Map<string, Database.Statement>();

  /** Opens (creating if needed) the database file and applies pending migrations. */
  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = openSqlite(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.usage = new SqliteUsage(this.db);
  }

  addUsage(runId: string, samples: UsageSample[], keep?: number): Promise<void> {
    return this.usage.addUsage(runId, samples, keep);
  }

  getUsage(runId: string): Promise<UsageSample[]> {
    return this.usage.getUsage(runId);
  }

  /** The prepared statement for `sql`, prepared on first use. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        // Search queries are built from the filters used; the bound keeps odd combinations from piling up.
        this.statements.clear();
      }
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)'
    );
    const applied = new Set(
      (this.statement('SELECT version FROM schema_migrations').all() as { version: number }[]).map(r => r.version)
    );
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) {
        continue;
      }
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this
          .statement('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
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
    return (this.statement('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
      r => r.version
    );
  }

  async createJob(record: JobRecord): Promise<void> {
    try {
      this.db.transaction(() => {
        this
          .statement('INSERT INTO jobs (job_id, public_id, owner, state, create_time, notebook, job, runtime) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(
            record.job.jobId,
            publicJobId(record.job.jobId),
            record.job.owner,
            record.job.state,
            record.job.createTime,
            record.job.trainingInput?.notebook?.path ?? null,
            JSON.stringify(record.job),
            JSON.stringify(record.runtime)
          );
        this.insertLabels(record);
      })();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new DuplicateJobError(record.job.jobId);
      }
      throw err;
    }
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const row = this.statement('SELECT job, runtime FROM jobs WHERE job_id = ?').get(jobId) as JobRow | undefined;
    return row ? jobFromRow(row) : undefined;
  }

  async findJob(owner: string, publicId: string): Promise<JobRecord | undefined> {
    const row = this.statement('SELECT job, runtime FROM jobs WHERE owner = ? AND public_id = ?').get(owner, publicId) as JobRow | undefined;
    return row ? { job: JSON.parse(row.job) as Job, runtime: JSON.parse(row.runtime) } : undefined;
  }

  async deleteJob(jobId: string): Promise<void> {
    // The job's own run id and its trials' (`<jobId>/trials/<n>`): '0' sorts right after '/'.
    const runs = 'job_id = ? OR (job_id > ? AND job_id < ?)';
    const bounds = [jobId, `${jobId}/trials/`, `${jobId}/trials0`];
    this.db.transaction(() => {
      this.statement(`DELETE FROM job_logs WHERE ${runs}`).run(...bounds);
      this.statement(`DELETE FROM job_metrics WHERE ${runs}`).run(...bounds);
      this.statement(`DELETE FROM usage_samples WHERE ${runs}`).run(...bounds);
      this.statement('DELETE FROM trials WHERE job_id = ?').run(jobId);
      this.statement('DELETE FROM job_labels WHERE job_id = ?').run(jobId);
      this.statement('DELETE FROM jobs WHERE job_id = ?').run(jobId);
    })();
    for (const runId of [...this.logByteTotals.keys()]) {
      if (runId === jobId || runId.startsWith(`${jobId}/trials/`)) {
        this.logByteTotals.delete(runId);
      }
    }
  }

  async saveJob(record: JobRecord): Promise<void> {
    this
      .statement('UPDATE jobs SET state = ?, job = ?, runtime = ? WHERE job_id = ?')
      .run(record.job.state, JSON.stringify(record.job), JSON.stringify(record.runtime), record.job.jobId);
  }

  async saveJobWithLabels(record: JobRecord): Promise<void> {
    this.db.transaction(() => {
      this.statement('DELETE FROM job_labels WHERE job_id = ?').run(record.job.jobId);
      this.insertLabels(record);
      this
        .statement('UPDATE jobs SET state = ?, job = ?, runtime = ? WHERE job_id = ?')
        .run(record.job.state, JSON.stringify(record.job), JSON.stringify(record.runtime), record.job.jobId);
    })();
  }

  private insertLabels(record: JobRecord): void {
    const insert = this.statement('INSERT INTO job_labels (job_id, owner, key, value) VALUES (?, ?, ?, ?)');
    for (const row of labelRows(record.job.jobId, record.job.owner, record.job.labels ?? {})) {
      insert.run(...row);
    }
  }

  async listJobs(query: JobFilter & { pageSize: number; pageToken?: string }): Promise<JobPage> {
    // The page token is an opaque offset; good enough for an embedded single-user store.
    const offset = decodePageToken(query.pageToken);
    const params: unknown[] = [];
    const where = jobSearchWhere(query, {
      param: value => {
        params.push(value);
        return '?';
      },
      contains: sqliteContains
    });
    const sql = `SELECT job FROM jobs${where} ORDER BY create_time DESC, rowid DESC LIMIT ? OFFSET ?`;
    params.push(query.pageSize + 1, offset);
    const rows = this.statement(sql).all(...params) as { job: string }[];
    const jobs = rows.slice(0, query.pageSize).map(r => JSON.parse(r.job) as Job);
    const page: JobPage = { jobs };
    if (rows.length > query.pageSize) {
      page.nextPageToken = encodePageToken(offset + query.pageSize);
    }
    return page;
  }

  async listJobsInStates(states: readonly JobState[]): Promise<JobRecord[]> {
    const marks = states.map(() => '?').join(', ');
    const rows = this
      .statement(`SELECT job, runtime FROM jobs WHERE state IN (${marks}) ORDER BY create_time, rowid`)
      .all(...states) as JobRow[];
    return rows.map(jobFromRow);
  }

  async appendLogs(jobId: string, lines: NewLogLine[], keep: LogRetention): Promise<LogLine[]> {
    if (lines.length === 0) {
      return [];
    }
    const out: LogLine[] = [];
    this.db.transaction(() => {
      const last = this.statement('SELECT MAX(seq) AS seq FROM job_logs WHERE job_id = ?').get(jobId) as {
        seq: number | null;
      };
      let bytes = this.logBytes(jobId);
      let seq = last.seq ?? 0;
      const insert = this.statement('INSERT INTO job_logs (job_id, seq, time, stream, text) VALUES (?, ?, ?, ?, ?)');
      for (const line of lines) {
        seq += 1;
        insert.run(jobId, seq, line.time, line.stream, line.text);
        bytes += Buffer.byteLength(line.text);
        out.push({ seq, ...line });
      }
      // Oldest lines go first: by count, then by bytes, so the newest (where failures show) are kept.
      const cut = logCut(seq, bytes, keep, () =>
        this.statement(`SELECT seq, ${TEXT_BYTES} AS n FROM job_logs WHERE job_id = ? ORDER BY seq`).iterate(jobId) as Iterable<{
          seq: number;
          n: number;
        }>
      );
      if (cut > 0) {
        const dropped = this
          .statement(`SELECT COALESCE(SUM(${TEXT_BYTES}), 0) AS n FROM job_logs WHERE job_id = ? AND seq <= ?`)
          .get(jobId, cut) as { n: number };
        this.statement('DELETE FROM job_logs WHERE job_id = ? AND seq <= ?').run(jobId, cut);
        bytes -= dropped.n;
      }
      this.logByteTotals.set(jobId, bytes);
    })();
    return out;
  }

  /** Bytes of log text kept for a run: counted once from the table, then kept up to date. */
  private logBytes(jobId: string): number {
    let bytes = this.logByteTotals.get(jobId);
    if (bytes === undefined) {
      bytes = (
        this.statement(`SELECT COALESCE(SUM(${TEXT_BYTES}), 0) AS n FROM job_logs WHERE job_id = ?`).get(jobId) as { n: number }
      ).n;
    }
    return bytes;
  }

  async getLogs(
    jobId: string,
    after: number,
    limit: number,
    maxBytes = Infinity
  ): Promise<{ lines: LogLine[]; firstSeq: number; lastSeq: number }> {
    // Iterated, not fetched whole: a page stops at its byte budget without loading the lines past it.
    const rows = this
      .statement('SELECT seq, time, stream, text FROM job_logs WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .iterate(jobId, after, limit) as Iterable<LogLine>;
    const lines: LogLine[] = [];
    let bytes = 0;
    for (const line of rows) {
      bytes += Buffer.byteLength(line.text);
      if (lines.length > 0 && bytes > maxBytes) {
        break;
      }
      lines.push(line);
    }
    const bounds = this
      .statement('SELECT MIN(seq) AS first, MAX(seq) AS last FROM job_logs WHERE job_id = ?')
      .get(jobId) as { first: number | null; last: number | null };
    return { lines, firstSeq: bounds.first ?? 0, lastSeq: bounds.last ?? 0 };
  }

  async addMetrics(jobId: string, metrics: Metric[], keep = Infinity): Promise<void> {
    const insert = this.statement('INSERT INTO job_metrics (job_id, step, name, value, time) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const m of metrics) {
        insert.run(jobId, m.step, m.name, m.value, m.time);
      }
      if (keep === Infinity) {
        return;
      }
      // Past the cap a metric keeps every other value (its first and latest always): the curve keeps
      // its shape over the whole run at half the resolution, instead of losing its beginning.
      const names = new Set(metrics.map(m => m.name));
      const count = this.statement('SELECT COUNT(*) AS n FROM job_metrics WHERE job_id = ? AND name = ?');
      const thin = this.statement(`
        DELETE FROM job_metrics WHERE rowid IN (
          SELECT rowid FROM (
            SELECT rowid, ROW_NUMBER() OVER (ORDER BY step, rowid) AS rn, COUNT(*) OVER () AS n
            FROM job_metrics WHERE job_id = ? AND name = ?
          ) WHERE rn % 2 = 0 AND rn < n
        )`);
      for (const name of names) {
        while ((count.get(jobId, name) as { n: number }).n > keep) {
          thin.run(jobId, name);
        }
      }
    })();
  }

  async getMetrics(jobId: string, query: MetricQuery = {}): Promise<MetricPage> {
    const after = decodePageToken(query.pageToken);
    const pageSize = query.pageSize ?? Number.MAX_SAFE_INTEGER;
    const params: unknown[] = [jobId];
    let where = 'job_id = ?';
    if (query.name !== undefined) {
      where += ' AND name = ?';
      params.push(query.name);
    }
    // Rows are numbered in (step, rowid) order; the token is the last number returned.
    let sql = `SELECT step, name, value, time, rn FROM (
        SELECT step, name, value, time,
          ROW_NUMBER() OVER (ORDER BY step, rowid) AS rn,
          ROW_NUMBER() OVER (PARTITION BY name ORDER BY step, rowid) AS k,
          COUNT(*) OVER (PARTITION BY name) AS n
        FROM job_metrics WHERE ${where}
      ) WHERE rn > ?`;
    params.push(after);
    if (query.maxPoints !== undefined) {
      // Evenly spaced values of each metric (its first and last always), at most maxPoints of each.
      sql += ' AND (n <= ? OR (k - 1) % ((n + ? - 2) / (? - 1)) = 0 OR k = n)';
      const m = Math.max(2, query.maxPoints);
      params.push(m, m, m);
    }
    sql += ' ORDER BY rn LIMIT ?';
    params.push(Math.min(pageSize, Number.MAX_SAFE_INTEGER - 1) + 1);
    const rows = this.statement(sql).all(...params) as (Metric & { rn: number })[];
    const page = rows.slice(0, pageSize);
    const result: MetricPage = { metrics: page.map(({ step, name, value, time }) => ({ step, name, value, time })) };
    if (rows.length > pageSize) {
      result.nextPageToken = encodePageToken(page[page.length - 1].rn);
    }
    return result;
  }

  async createTrials(records: TrialRecord[]): Promise<void> {
    const insert = this.statement(`INSERT INTO trials (${TRIAL_COLUMNS}) VALUES (${TRIAL_COLUMN_NAMES.map(() => '?').join(', ')})`);
    this.db.transaction(() => {
      for (const r of records) {
        insert.run(...trialParams(r));
      }
    })();
  }

  async getTrial(jobId: string, trialId: string): Promise<TrialRecord | undefined> {
    const n = trialNumber(trialId);
    if (n === undefined) {
      return undefined;
    }
    const row = this.statement(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE job_id = ? AND trial_id = ?`).get(jobId, n) as TrialRow | undefined;
    return row ? trialFromRow(row) : undefined;
  }

  async saveTrial(record: TrialRecord): Promise<void> {
    const [jobId, trialId, ...rest] = trialParams(record);
    const columns = TRIAL_COLUMN_NAMES.slice(2);
    this
      .statement(`UPDATE trials SET ${columns.map(c => `${c} = ?`).join(', ')} WHERE job_id = ? AND trial_id = ?`)
      .run(...rest, jobId, trialId);
  }

  async listAllTrials(jobId: string): Promise<TrialRecord[]> {
    const rows = this.statement(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE job_id = ? ORDER BY trial_id`).all(jobId) as TrialRow[];
    return rows.map(trialFromRow);
  }

  async listUnfinishedTrials(jobId: string): Promise<TrialRecord[]> {
    // Through the state index (which holds the job id too): the job's finished trials are not read at all.
    const marks = UNFINISHED_STATES.map(() => '?').join(', ');
    const rows = this.statement(`SELECT ${TRIAL_COLUMNS} FROM trials INDEXED BY trials_state WHERE state IN (${marks}) AND job_id = ? ORDER BY trial_id`).all(
      ...UNFINISHED_STATES,
      jobId
    ) as TrialRow[];
    return rows.map(trialFromRow);
  }

  async countTrials(jobId: string): Promise<number> {
    // Counted in the state index: the table's own rows (clustered on the key) carry every trial's JSON.
    const marks = JOB_STATES.map(() => '?').join(', ');
    return (this.statement(`SELECT COUNT(*) AS n FROM trials WHERE state IN (${marks}) AND job_id = ?`).get(...JOB_STATES, jobId) as { n: number }).n;
  }

  async listTrials(query: { jobId: string; state?: JobState; pageSize: number; pageToken?: string }): Promise<TrialPage> {
    const { rows, nextPageToken } = this.trialPage<TrialRow>(TRIAL_COLUMNS, query);
    const page: TrialPage = { trials: rows.map(r => trialFromRow(r).trial) };
    return nextPageToken ? { ...page, nextPageToken } : page;
  }

  async listTrialRows(query: TrialRowQuery): Promise<TrialRowPage> {
    return this.trialPage<ShownTrialRow>(SHOWN_TRIAL_COLUMNS, query);
  }

  /** A page of a job's trial rows: the token is the last trial id returned, stable while new trials are appended. */
  private trialPage<R extends { trial_id: number }>(
    columns: string,
    query: TrialRowQuery
  ): { rows: R[]; nextPageToken?: string } {
    const after = decodePageToken(query.pageToken);
    const params: unknown[] = [query.jobId, after];
    let sql = `SELECT ${columns} FROM trials WHERE job_id = ? AND trial_id > ?`;
    if (query.state) {
      sql += ' AND state = ?';
      params.push(query.state);
    }
    if (query.trialIds) {
      sql += ` AND trial_id IN (${query.trialIds.map(() => '?').join(', ')})`;
      params.push(...query.trialIds);
    }
    sql += ' ORDER BY trial_id LIMIT ?';
    params.push(query.pageSize + 1);
    const rows = this.statement(sql).all(...params) as R[];
    if (rows.length <= query.pageSize) {
      return { rows };
    }
    rows.length = query.pageSize;
    return { rows, nextPageToken: encodePageToken(rows[rows.length - 1].trial_id) };
  }

  async listTrialsInStates(states: readonly JobState[]): Promise<TrialRecord[]> {
    const marks = states.map(() => '?').join(', ');
    const rows = this
      .statement(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE state IN (${marks}) ORDER BY job_id, trial_id`)
      .all(...states) as TrialRow[];
    return rows.map(trialFromRow);
  }

  async addModelVersion(record: ModelVersionRecord): Promise<ModelVersion> {
    const { owner } = record;
    const { name, createTime } = record.version;
    return this.db.transaction(() => {
      if (record.sourceKey) {
        const seen = this
          .statement('SELECT record FROM model_versions WHERE owner = ? AND source_key = ?')
          .get(owner, record.sourceKey) as { record: string } | undefined;
        if (seen) {
          return JSON.parse(seen.record) as ModelVersion;
        }
      }
      const model = this.statement('SELECT latest_version FROM models WHERE owner = ? AND name = ?').get(owner, name) as
        | { latest_version: number }
        | undefined;
      const version: ModelVersion = { ...record.version, version: (model?.latest_version ?? 0) + 1 };
      if (model) {
        this.statement('UPDATE models SET latest_version = ?, update_time = ? WHERE owner = ? AND name = ?').run(version.version, createTime, owner, name);
      } else {
        this
          .statement('INSERT INTO models (owner, name, latest_version, create_time, update_time) VALUES (?, ?, ?, ?, ?)')
          .run(owner, name, version.version, createTime, createTime);
      }
      this
        .statement('INSERT INTO model_versions (owner, name, version, source_key, create_time, record) VALUES (?, ?, ?, ?, ?, ?)')
        .run(owner, name, version.version, record.sourceKey ?? null, createTime, JSON.stringify(version));
      return version;
    })();
  }

  async getModel(owner: string, name: string): Promise<Model | undefined> {
    const row = this.statement('SELECT * FROM models WHERE owner = ? AND name = ?').get(owner, name) as ModelRow | undefined;
    return row ? modelFromRow(row) : undefined;
  }

  async listModels(owner: string | undefined): Promise<Model[]> {
    const rows = (
      owner === undefined
        ? this.statement('SELECT * FROM models ORDER BY update_time DESC, owner, name').all()
        : this.statement('SELECT * FROM models WHERE owner = ? ORDER BY update_time DESC, name').all(owner)
    ) as ModelRow[];
    return rows.map(modelFromRow);
  }

  async listModelVersions(owner: string, name: string): Promise<ModelVersion[]> {
    const rows = this
      .statement('SELECT record FROM model_versions WHERE owner = ? AND name = ? ORDER BY version DESC')
      .all(owner, name) as { record: string }[];
    return rows.map(r => JSON.parse(r.record) as ModelVersion);
  }

  async getModelVersion(owner: string, name: string, version: number): Promise<ModelVersion | undefined> {
    const row = this
      .statement('SELECT record FROM model_versions WHERE owner = ? AND name = ? AND version = ?')
      .get(owner, name, version) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as ModelVersion) : undefined;
  }

  async createDeployment(record: DeploymentRecord): Promise<void> {
    const d = record.deployment;
    try {
      this
        .statement('INSERT INTO deployments (owner, name, state, create_time, deployment, runtime) VALUES (?, ?, ?, ?, ?, ?)')
        .run(d.owner, d.name, d.state, d.createTime, JSON.stringify(d), JSON.stringify(record.runtime));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new DuplicateNameError('deployment', d.name);
      }
      throw err;
    }
  }

  async getDeployment(owner: string, name: string): Promise<DeploymentRecord | undefined> {
    const row = this.statement('SELECT deployment, runtime FROM deployments WHERE owner = ? AND name = ?').get(owner, name) as
      | DeploymentRow
      | undefined;
    return row ? deploymentFromRow(row) : undefined;
  }

  async saveDeployment(record: DeploymentRecord): Promise<void> {
    const d = record.deployment;
    this
      .statement('UPDATE deployments SET state = ?, deployment = ?, runtime = ? WHERE owner = ? AND name = ?')
      .run(d.state, JSON.stringify(d), JSON.stringify(record.runtime), d.owner, d.name);
  }

  async updateDeployment(owner: string, name: string, mutate: (record: DeploymentRecord) => boolean): Promise<DeploymentRecord | undefined> {
    // Synchronous from read to save (no await between): nothing else can write the row in between.
    const row = this.statement('SELECT deployment, runtime FROM deployments WHERE owner = ? AND name = ?').get(owner, name) as DeploymentRow | undefined;
    const record = row ? deploymentFromRow(row) : undefined;
    if (record && mutate(record)) {
      const d = record.deployment;
      this
        .statement('UPDATE deployments SET state = ?, deployment = ?, runtime = ? WHERE owner = ? AND name = ?')
        .run(d.state, JSON.stringify(d), JSON.stringify(record.runtime), owner, name);
    }
    return record;
  }

  async deleteDeployment(owner: string, name: string): Promise<void> {
    this.statement('DELETE FROM deployments WHERE owner = ? AND name = ?').run(owner, name);
  }

  async listDeployments(owner?: string): Promise<DeploymentRecord[]> {
    const rows = (
      owner === undefined
        ? this.statement('SELECT deployment, runtime FROM deployments ORDER BY create_time, rowid').all()
        : this.statement('SELECT deployment, runtime FROM deployments WHERE owner = ? ORDER BY create_time, rowid').all(owner)
    ) as DeploymentRow[];
    return rows.map(deploymentFromRow);
  }

  async close(): Promise<void> {
    if (this.db.open) {
      this.db.close();
    }
  }
}
