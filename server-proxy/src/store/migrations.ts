/**
 * Numbered schema migrations. Never edit a released one: append a new entry instead, so databases
 * created by older versions are brought forward in order.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'jobs, logs and metrics',
    sql: `
      CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        state TEXT NOT NULL,
        create_time TEXT NOT NULL,
        job TEXT NOT NULL,
        runtime TEXT NOT NULL
      );
      CREATE INDEX jobs_owner_created ON jobs (owner, create_time DESC);
      CREATE INDEX jobs_state ON jobs (state);
      CREATE TABLE job_logs (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        time TEXT NOT NULL,
        stream TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE job_metrics (
        job_id TEXT NOT NULL,
        step REAL NOT NULL,
        name TEXT NOT NULL,
        value REAL NOT NULL,
        time TEXT NOT NULL
      );
      CREATE INDEX job_metrics_job ON job_metrics (job_id, step);
    `
  }
];
