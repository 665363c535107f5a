import type { PoolClient } from 'pg';
import type { JobState, LogLine, Metric } from '../../schemas/jobs.js';
import { JOB_STATES, TERMINAL_STATES } from '../../schemas/jobs.js';
import type { Model, ModelVersion } from '../../schemas/serving.js';
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
} from '../rows.js';
import {
  decodePageToken,
  DuplicateJobError,
  DuplicateNameError,
  encodePageToken,
  type DeploymentRecord,
  type JobPage,
  type JobRecord,
  type LogRetention,
  type MetricPage,
  type MetricQuery,
  type ModelVersionRecord,
  type NewLogLine,
  type Store,
  type TrialPage,
  type TrialRecord
} from '../store.js';
import { publicJobId } from '../../jobs/ids.js';
import { isUniqueViolation, type Database } from './database.js';
import { jobSearchWhere, labelRows, postgresContains, type JobFilter } from '../jobSearch.js';
import { PostgresUsage } from './usage.js';
import type { UsageSample } from '../../schemas/usage.js';

/** `$1, $2, ...` for `count` parameters starting after `offset`. */
function marks(count: number, offset = 0): string {
  return Array.from({ length: count }, (_, i) => `$${offset + i + 1}`).join(', ');
}

/** Indexes a new or relabelled job's labels (job_labels), inside the caller's transaction. */
async function insertLabels(client: PoolClient, record: JobRecord): Promise<void> {
  const rows = labelRows(record.job.jobId, record.job.owner, record.job.labels ?? {});
  if (rows.length > 0) {
    const values = rows.map((_, i) => `(${marks(4, i * 4)})`).join(', ');
    await client.query(`INSERT INTO job_labels (job_id, owner, key, value) VALUES ${values}`, rows.flat());
  }
}

/** The shared store: PostgreSQL, safe with several service processes writing at once. */
export class PostgresStore implements Store {
  private readonly usage: PostgresUsage;

  constructor(readonly db: Database) {
    this.usage = new PostgresUsage(db);
  }

  addUsage(runId: string, samples: UsageSample[], keep?: number): Promise<void> {
    return this.usage.addUsage(runId, samples, keep);
  }

  getUsage(runId: string): Promise<UsageSample[]> {
    return this.usage.getUsage(runId);
  }

  async createJob(record: JobRecord): Promise<void> {
    const { job } = record;
    const columns = 'job_id, public_id, owner, state, create_time, notebook, job, runtime';
    const values = [job.jobId, publicJobId(job.jobId), job.owner, job.state, job.createTime, job.trainingInput?.notebook?.path ?? null];
    try {
      await this.db.transaction(async client => {
        await client.query(`INSERT INTO jobs (${columns}) VALUES (${marks(8)})`, [...values, JSON.stringify(job), JSON.stringify(record.runtime)]);
        await insertLabels(client, record);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DuplicateJobError(job.jobId);
      }
      throw err;
    }
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const [row] = await this.db.query<JobRow>('SELECT job, runtime FROM jobs WHERE job_id = $1', [jobId]);
    return row ? jobFromRow(row) : undefined;
  }

  async findJob(owner: string, publicId: string): Promise<JobRecord | undefined> {
    const [row] = await this.db.query<JobRow>('SELECT job, runtime FROM jobs WHERE owner = $1 AND public_id = $2', [owner, publicId]);
    return row ? jobFromRow(row) : undefined;
  }

  async deleteJob(jobId: string): Promise<void> {
    // The job's own run id and its trials' (`<jobId>/trials/<n>`), matched by prefix in byte order.
    const runs = 'job_id = $1 OR starts_with(job_id, $2)';
    const params = [jobId, `${jobId}/trials/`];
    await this.db.transaction(async client => {
      for (const table of ['job_logs', 'log_runs', 'job_metrics', 'usage_samples']) {
        await client.query(`DELETE FROM ${table} WHERE ${runs}`, params);
      }
      await client.query('DELETE FROM trials WHERE job_id = $1', [jobId]);
      await client.query('DELETE FROM job_labels WHERE job_id = $1', [jobId]);
      await client.query('DELETE FROM jobs WHERE job_id = $1', [jobId]);
    });
  }

  async saveJob(record: JobRecord): Promise<void> {
    await this.db.query('UPDATE jobs SET state = $1, job = $2, runtime = $3 WHERE job_id = $4', [
      record.job.state,
      JSON.stringify(record.job),
      JSON.stringify(record.runtime),
      record.job.jobId
    ]);
  }

  async saveJobWithLabels(record: JobRecord): Promise<void> {
    const { job } = record;
    await this.db.transaction(async client => {
      await client.query('DELETE FROM job_labels WHERE job_id = $1', [job.jobId]);
      await insertLabels(client, record);
      await client.query('UPDATE jobs SET state = $1, job = $2, runtime = $3 WHERE job_id = $4', [
        job.state,
        JSON.stringify(job),
        JSON.stringify(record.runtime),
        job.jobId
      ]);
    });
  }

  async listJobs(query: JobFilter & { pageSize: number; pageToken?: string }): Promise<JobPage> {
    // An opaque offset, as the SQLite store gives, so a client pages both the same way.
    const offset = decodePageToken(query.pageToken);
    const params: unknown[] = [];
    const param = (value: unknown): string => `$${params.push(value)}`;
    const where = jobSearchWhere(query, { param, contains: postgresContains });
    const sql = `SELECT job FROM jobs${where} ORDER BY create_time DESC, seq DESC LIMIT ${param(query.pageSize + 1)} OFFSET ${param(offset)}`;
    const rows = await this.db.query<{ job: string }>(sql, params);
    const page: JobPage = { jobs: rows.slice(0, query.pageSize).map(r => JSON.parse(r.job)) };
    if (rows.length > query.pageSize) {
      page.nextPageToken = encodePageToken(offset + query.pageSize);
    }
    return page;
  }

  async listJobsInStates(states: readonly JobState[]): Promise<JobRecord[]> {
    const rows = await this.db.query<JobRow>('SELECT job, runtime FROM jobs WHERE state = ANY($1) ORDER BY create_time, seq', [states]);
    return rows.map(jobFromRow);
  }

  async appendLogs(jobId: string, lines: NewLogLine[], keep: LogRetention): Promise<LogLine[]> {
    if (lines.length === 0) {
      return [];
    }
    return this.db.transaction(async client => {
      // The run's row, locked: two writers of one run number their lines one after the other.
      await client.query('INSERT INTO log_runs (job_id, last_seq, bytes) VALUES ($1, 0, 0) ON CONFLICT DO NOTHING', [jobId]);
      const [run] = (
        await client.query<{ last_seq: number; bytes: number }>('SELECT last_seq, bytes FROM log_runs WHERE job_id = $1 FOR UPDATE', [jobId])
      ).rows;
      let seq = run.last_seq;
      let bytes = run.bytes;
      const out: LogLine[] = [];
      for (const line of lines) {
        seq += 1;
        bytes += Buffer.byteLength(line.text);
        out.push({ seq, ...line });
      }
      await client.query(
        `INSERT INTO job_logs (job_id, seq, time, stream, text)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[])`,
        [jobId, out.map(l => l.seq), out.map(l => l.time), out.map(l => l.stream), out.map(l => l.text)]
      );
      // Only as many of the oldest lines as the byte budget's overshoot needs, read in chunks.
      const oldest: { seq: number; n: number }[] = [];
      for (let need = bytes - keep.bytes, after = 0; need > 0; ) {
        const chunk = (
          await client.query<{ seq: number; n: number }>(
            'SELECT seq, octet_length(text) AS n FROM job_logs WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT 500',
            [jobId, after]
          )
        ).rows;
        if (chunk.length === 0) {
          break;
        }
        for (const row of chunk) {
          oldest.push(row);
          need -= row.n;
          after = row.seq;
        }
      }
      const cut = logCut(seq, bytes, keep, () => oldest);
      if (cut > 0) {
        const dropped = await client.query<{ n: number }>(
          'DELETE FROM job_logs WHERE job_id = $1 AND seq <= $2 RETURNING octet_length(text) AS n',
          [jobId, cut]
        );
        bytes -= dropped.rows.reduce((sum, r) => sum + r.n, 0);
      }
      await client.query('UPDATE log_runs SET last_seq = $2, bytes = $3 WHERE job_id = $1', [jobId, seq, bytes]);
      return out;
    });
  }

  async getLogs(jobId: string, after: number, limit: number, maxBytes = Infinity): Promise<{ lines: LogLine[]; firstSeq: number; lastSeq: number }> {
    // The running byte total stops a page at its budget in the database, not after loading the lines past it.
    const budget = Number.isFinite(maxBytes) ? maxBytes : null;
    const rows = await this.db.query<LogLine>(
      `SELECT seq, time, stream, text FROM (
         SELECT seq, time, stream, text, SUM(octet_length(text)) OVER (ORDER BY seq) AS total, ROW_NUMBER() OVER (ORDER BY seq) AS k
         FROM (SELECT * FROM job_logs WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3) page
       ) t WHERE k = 1 OR $4::bigint IS NULL OR total <= $4::bigint ORDER BY seq`,
      [jobId, after, limit, budget]
    );
    const [bounds] = await this.db.query<{ first: number | null; last: number | null }>(
      'SELECT MIN(seq) AS first, MAX(seq) AS last FROM job_logs WHERE job_id = $1',
      [jobId]
    );
    return { lines: rows, firstSeq: bounds.first ?? 0, lastSeq: bounds.last ?? 0 };
  }

  async addMetrics(jobId: string, metrics: Metric[], keep = Infinity): Promise<void> {
    if (metrics.length === 0) {
      return;
    }
    await this.db.transaction(async client => {
      await client.query(
        // In the values' order: `seq` breaks ties of step as the order of arrival.
        `INSERT INTO job_metrics (job_id, step, name, value, time)
         SELECT $1, m.step, m.name, m.value, m.time
         FROM unnest($2::float8[], $3::text[], $4::float8[], $5::text[]) WITH ORDINALITY AS m(step, name, value, time, k) ORDER BY m.k`,
        [jobId, metrics.map(m => m.step), metrics.map(m => m.name), metrics.map(m => m.value), metrics.map(m => m.time)]
      );
      if (keep === Infinity) {
        return;
      }
      // Past the cap a metric keeps every other value (its first and latest always), as in the SQLite store.
      for (const name of new Set(metrics.map(m => m.name))) {
        for (;;) {
          const [{ n }] = (await client.query<{ n: number }>('SELECT COUNT(*) AS n FROM job_metrics WHERE job_id = $1 AND name = $2', [jobId, name])).rows;
          if (n <= keep) {
            break;
          }
          await client.query(
            `DELETE FROM job_metrics WHERE seq IN (
               SELECT seq FROM (
                 SELECT seq, ROW_NUMBER() OVER (ORDER BY step, seq) AS rn, COUNT(*) OVER () AS n
                 FROM job_metrics WHERE job_id = $1 AND name = $2
               ) t WHERE rn % 2 = 0 AND rn < n
             )`,
            [jobId, name]
          );
        }
      }
    });
  }

  async getMetrics(jobId: string, query: MetricQuery = {}): Promise<MetricPage> {
    const after = decodePageToken(query.pageToken);
    const pageSize = query.pageSize ?? Number.MAX_SAFE_INTEGER;
    const params: unknown[] = [jobId];
    let where = 'job_id = $1';
    if (query.name !== undefined) {
      params.push(query.name);
      where += ` AND name = $${params.length}`;
    }
    params.push(after);
    let sql = `SELECT step, name, value, time, rn FROM (
        SELECT step, name, value, time,
          ROW_NUMBER() OVER (ORDER BY step, seq) AS rn,
          ROW_NUMBER() OVER (PARTITION BY name ORDER BY step, seq) AS k,
          COUNT(*) OVER (PARTITION BY name) AS n
        FROM job_metrics WHERE ${where}
      ) t WHERE rn > $${params.length}`;
    if (query.maxPoints !== undefined) {
      // Evenly spaced values of each metric (its first and last always), at most maxPoints of each.
      params.push(Math.max(2, query.maxPoints));
      const m = `$${params.length}::bigint`;
      sql += ` AND (n <= ${m} OR (k - 1) % ((n + ${m} - 2) / (${m} - 1)) = 0 OR k = n)`;
    }
    params.push(Math.min(pageSize, Number.MAX_SAFE_INTEGER - 1) + 1);
    sql += ` ORDER BY rn LIMIT $${params.length}`;
    const rows = await this.db.query<Metric & { rn: number }>(sql, params);
    const page = rows.slice(0, pageSize);
    const result: MetricPage = { metrics: page.map(({ step, name, value, time }) => ({ step, name, value, time })) };
    if (rows.length > pageSize) {
      result.nextPageToken = encodePageToken(page[page.length - 1].rn);
    }
    return result;
  }

  async createTrials(records: TrialRecord[]): Promise<void> {
    await this.db.transaction(async client => {
      for (const r of records) {
        await client.query(`INSERT INTO trials (${TRIAL_COLUMNS}) VALUES (${marks(TRIAL_COLUMN_NAMES.length)})`, trialParams(r));
      }
    });
  }

  async getTrial(jobId: string, trialId: string): Promise<TrialRecord | undefined> {
    const n = trialNumber(trialId);
    if (n === undefined) {
      return undefined;
    }
    const [row] = await this.db.query<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE job_id = $1 AND trial_id = $2`, [jobId, n]);
    return row ? trialFromRow(row) : undefined;
  }

  async saveTrial(record: TrialRecord): Promise<void> {
    const [jobId, trialId, ...rest] = trialParams(record);
    const columns = TRIAL_COLUMN_NAMES.slice(2);
    const sets = columns.map((c, i) => `${c} = $${i + 1}`).join(', ');
    await this.db.query(`UPDATE trials SET ${sets} WHERE job_id = $${columns.length + 1} AND trial_id = $${columns.length + 2}`, [
      ...rest,
      jobId,
      trialId
    ]);
  }

  async listAllTrials(jobId: string): Promise<TrialRecord[]> {
    return (await this.db.query<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE job_id = $1 ORDER BY trial_id`, [jobId])).map(trialFromRow);
  }

  async listUnfinishedTrials(jobId: string): Promise<TrialRecord[]> {
    // By state first: the state index leaves the job's finished trials unread.
    const sql = `SELECT ${TRIAL_COLUMNS} FROM trials WHERE state = ANY($2) AND job_id = $1 ORDER BY trial_id`;
    return (await this.db.query<TrialRow>(sql, [jobId, JOB_STATES.filter(s => !TERMINAL_STATES.has(s))])).map(trialFromRow);
  }

  async countTrials(jobId: string): Promise<number> {
    const [row] = await this.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM trials WHERE job_id = $1', [jobId]);
    return Number(row.n);
  }

  async listTrials(query: { jobId: string; state?: JobState; pageSize: number; pageToken?: string }): Promise<TrialPage> {
    const { rows, nextPageToken } = await this.trialPage<TrialRow>(TRIAL_COLUMNS, query);
    const page: TrialPage = { trials: rows.map(r => trialFromRow(r).trial) };
    return nextPageToken ? { ...page, nextPageToken } : page;
  }

  async listTrialRows(query: TrialRowQuery): Promise<TrialRowPage> {
    return this.trialPage<ShownTrialRow>(SHOWN_TRIAL_COLUMNS, query);
  }

  /** A page of a job's trial rows: the token is the last trial id returned, stable while new trials are appended. */
  private async trialPage<R extends { trial_id: number }>(
    columns: string,
    query: TrialRowQuery
  ): Promise<{ rows: R[]; nextPageToken?: string }> {
    const after = decodePageToken(query.pageToken);
    const params: unknown[] = [query.jobId, after];
    let sql = `SELECT ${columns} FROM trials WHERE job_id = $1 AND trial_id > $2`;
    if (query.state) {
      params.push(query.state);
      sql += ` AND state = $${params.length}`;
    }
    if (query.trialIds) {
      params.push(query.trialIds);
      sql += ` AND trial_id = ANY($${params.length})`;
    }
    params.push(query.pageSize + 1);
    sql += ` ORDER BY trial_id LIMIT $${params.length}`;
    const rows = await this.db.query<R>(sql, params);
    if (rows.length <= query.pageSize) {
      return { rows };
    }
    rows.length = query.pageSize;
    return { rows, nextPageToken: encodePageToken(Number(rows[rows.length - 1].trial_id)) };
  }

  async listTrialsInStates(states: readonly JobState[]): Promise<TrialRecord[]> {
    const rows = await this.db.query<TrialRow>(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE state = ANY($1) ORDER BY job_id, trial_id`, [states]);
    return rows.map(trialFromRow);
  }

  async addModelVersion(record: ModelVersionRecord): Promise<ModelVersion> {
    const { owner } = record;
    const { name, createTime } = record.version;
    return this.db.transaction(async client => {
      // The model's row, created if new and locked: versions of one model are numbered one writer at a time.
      await client.query(
        'INSERT INTO models (owner, name, latest_version, create_time, update_time) VALUES ($1, $2, 0, $3, $3) ON CONFLICT DO NOTHING',
        [owner, name, createTime]
      );
      const [model] = (
        await client.query<{ latest_version: number }>('SELECT latest_version FROM models WHERE owner = $1 AND name = $2 FOR UPDATE', [owner, name])
      ).rows;
      if (record.sourceKey) {
        const seen = await this.versionOfSource(client, owner, record.sourceKey);
        if (seen) {
          await this.dropIfEmpty(client, owner, name);
          return seen;
        }
      }
      const version: ModelVersion = { ...record.version, version: model.latest_version + 1 };
      await client.query('UPDATE models SET latest_version = $3, update_time = $4 WHERE owner = $1 AND name = $2', [
        owner,
        name,
        version.version,
        createTime
      ]);
      await client.query(
        'INSERT INTO model_versions (owner, name, version, source_key, create_time, record) VALUES ($1, $2, $3, $4, $5, $6)',
        [owner, name, version.version, record.sourceKey ?? null, createTime, JSON.stringify(version)]
      );
      return version;
    });
  }

  private async versionOfSource(client: PoolClient, owner: string, sourceKey: string): Promise<ModelVersion | undefined> {
    const [row] = (await client.query<{ record: string }>('SELECT record FROM model_versions WHERE owner = $1 AND source_key = $2', [owner, sourceKey])).rows;
    return row ? (JSON.parse(row.record) as ModelVersion) : undefined;
  }

  /** Removes a model row this call created but gave no version (the saved model was registered under another name). */
  private async dropIfEmpty(client: PoolClient, owner: string, name: string): Promise<void> {
    await client.query('DELETE FROM models WHERE owner = $1 AND name = $2 AND latest_version = 0', [owner, name]);
  }

  async getModel(owner: string, name: string): Promise<Model | undefined> {
    const [row] = await this.db.query<ModelRow>('SELECT * FROM models WHERE owner = $1 AND name = $2 AND latest_version > 0', [owner, name]);
    return row ? modelFromRow(row) : undefined;
  }

  async listModels(owner: string | undefined): Promise<Model[]> {
    // Names in byte order ("C"), as SQLite sorts them.
    const rows =
      owner === undefined
        ? await this.db.query<ModelRow>('SELECT * FROM models WHERE latest_version > 0 ORDER BY update_time DESC, owner COLLATE "C", name COLLATE "C"')
        : await this.db.query<ModelRow>('SELECT * FROM models WHERE owner = $1 AND latest_version > 0 ORDER BY update_time DESC, name COLLATE "C"', [owner]);
    return rows.map(modelFromRow);
  }

  async listModelVersions(owner: string, name: string): Promise<ModelVersion[]> {
    const rows = await this.db.query<{ record: string }>('SELECT record FROM model_versions WHERE owner = $1 AND name = $2 ORDER BY version DESC', [
      owner,
      name
    ]);
    return rows.map(r => JSON.parse(r.record) as ModelVersion);
  }

  async getModelVersion(owner: string, name: string, version: number): Promise<ModelVersion | undefined> {
    const [row] = await this.db.query<{ record: string }>('SELECT record FROM model_versions WHERE owner = $1 AND name = $2 AND version = $3', [
      owner,
      name,
      version
    ]);
    return row ? (JSON.parse(row.record) as ModelVersion) : undefined;
  }

  async createDeployment(record: DeploymentRecord): Promise<void> {
    const d = record.deployment;
    try {
      await this.db.query('INSERT INTO deployments (owner, name, state, create_time, deployment, runtime) VALUES ($1, $2, $3, $4, $5, $6)', [
        d.owner,
        d.name,
        d.state,
        d.createTime,
        JSON.stringify(d),
        JSON.stringify(record.runtime)
      ]);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DuplicateNameError('deployment', d.name);
      }
      throw err;
    }
  }

  async getDeployment(owner: string, name: string): Promise<DeploymentRecord | undefined> {
    const [row] = await this.db.query<DeploymentRow>('SELECT deployment, runtime FROM deployments WHERE owner = $1 AND name = $2', [owner, name]);
    return row ? deploymentFromRow(row) : undefined;
  }

  async saveDeployment(record: DeploymentRecord): Promise<void> {
    const d = record.deployment;
    await this.db.query('UPDATE deployments SET state = $1, deployment = $2, runtime = $3 WHERE owner = $4 AND name = $5', [
      d.state,
      JSON.stringify(d),
      JSON.stringify(record.runtime),
      d.owner,
      d.name
    ]);
  }

  async updateDeployment(owner: string, name: string, mutate: (record: DeploymentRecord) => boolean): Promise<DeploymentRecord | undefined> {
    // Row-locked: a follower storing a change and the leader recording a server cannot lose each other's write.
    return this.db.transaction(async client => {
      const { rows } = await client.query<DeploymentRow>('SELECT deployment, runtime FROM deployments WHERE owner = $1 AND name = $2 FOR UPDATE', [owner, name]);
      const record = rows[0] ? deploymentFromRow(rows[0]) : undefined;
      if (record && mutate(record)) {
        const d = record.deployment;
        await client.query('UPDATE deployments SET state = $1, deployment = $2, runtime = $3 WHERE owner = $4 AND name = $5', [
          d.state,
          JSON.stringify(d),
          JSON.stringify(record.runtime),
          owner,
          name
        ]);
      }
      return record;
    });
  }

  async deleteDeployment(owner: string, name: string): Promise<void> {
    await this.db.query('DELETE FROM deployments WHERE owner = $1 AND name = $2', [owner, name]);
  }

  async listDeployments(owner?: string): Promise<DeploymentRecord[]> {
    const rows =
      owner === undefined
        ? await this.db.query<DeploymentRow>('SELECT deployment, runtime FROM deployments ORDER BY create_time, seq')
        : await this.db.query<DeploymentRow>('SELECT deployment, runtime FROM deployments WHERE owner = $1 ORDER BY create_time, seq', [owner]);
    return rows.map(deploymentFromRow);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
