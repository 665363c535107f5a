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
  },
  {
    version: 2,
    name: 'hyperparameter tuning trials',
    // Trial logs and metrics go to job_logs/job_metrics under the run id `<jobId>/trials/<trialId>`.
    sql: `
      CREATE TABLE trials (
        job_id TEXT NOT NULL,
        trial_id INTEGER NOT NULL,
        owner TEXT NOT NULL,
        state TEXT NOT NULL,
        hyperparameters TEXT NOT NULL,
        final_metric TEXT,
        all_metrics TEXT NOT NULL,
        stopped_early INTEGER NOT NULL DEFAULT 0,
        create_time TEXT NOT NULL,
        start_time TEXT,
        end_time TEXT,
        error_message TEXT NOT NULL DEFAULT '',
        output_notebook TEXT,
        runtime TEXT NOT NULL,
        PRIMARY KEY (job_id, trial_id)
      ) WITHOUT ROWID;
      CREATE INDEX trials_state ON trials (state);
    `
  },
  {
    version: 3,
    name: 'models, model versions and deployments',
    // Names are unique per owner: one user's names never collide with (or reveal) another's.
    sql: `
      CREATE TABLE models (
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        latest_version INTEGER NOT NULL,
        create_time TEXT NOT NULL,
        update_time TEXT NOT NULL,
        PRIMARY KEY (owner, name)
      ) WITHOUT ROWID;
      CREATE TABLE model_versions (
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        source_key TEXT,
        create_time TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (owner, name, version)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX model_versions_source ON model_versions (owner, source_key) WHERE source_key IS NOT NULL;
      CREATE TABLE deployments (
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        state TEXT NOT NULL,
        create_time TEXT NOT NULL,
        deployment TEXT NOT NULL,
        runtime TEXT NOT NULL,
        PRIMARY KEY (owner, name)
      );
    `
  },
  {
    version: 4,
    name: 'deployment request aggregates and alerts',
    // Version 3 belongs to the model registry; versions apply in order whichever arrives first.
    sql: `
      CREATE TABLE request_buckets (
        owner TEXT NOT NULL,
        deployment TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        width_ms INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        client_errors INTEGER NOT NULL,
        server_errors INTEGER NOT NULL,
        latency_sum_ms REAL NOT NULL,
        histogram TEXT NOT NULL,
        PRIMARY KEY (owner, deployment, start_ms)
      ) WITHOUT ROWID;
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        deployment TEXT NOT NULL,
        rule TEXT NOT NULL,
        state TEXT NOT NULL,
        start_time TEXT NOT NULL,
        alert TEXT NOT NULL
      );
      CREATE INDEX alerts_deployment ON alerts (owner, deployment, start_time DESC);
    `
  },
  {
    version: 5,
    name: 'live rows of deployments, for drift after a restart',
    sql: `
      CREATE TABLE live_rows (
        owner TEXT NOT NULL,
        deployment TEXT NOT NULL,
        model TEXT NOT NULL,
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        rows TEXT NOT NULL
      );
      CREATE INDEX live_rows_deployment ON live_rows (owner, deployment, time_ms);
    `
  },
  {
    version: 6,
    name: 'job ids per owner',
    // job_id stays the key unique across owners (folders, runs, logs and metrics use it); public_id is
    // the id the owner chose, unique per owner only, so a taken id says nothing about other users.
    sql: `
      ALTER TABLE jobs ADD COLUMN public_id TEXT;
      UPDATE jobs SET public_id = job_id;
      CREATE UNIQUE INDEX jobs_owner_public_id ON jobs (owner, public_id);
    `
  },
  {
    version: 7,
    name: 'job definitions and their schedule ticks',
    // A tick is claimed by inserting its (owner, definition, time) row: the key lets one replica, once, submit it.
    sql: `
      CREATE TABLE job_definitions (
        owner TEXT NOT NULL,
        definition_id TEXT NOT NULL,
        paused INTEGER NOT NULL,
        scheduled INTEGER NOT NULL,
        schedule_anchor TEXT,
        create_time TEXT NOT NULL,
        definition TEXT NOT NULL,
        spec TEXT NOT NULL,
        PRIMARY KEY (owner, definition_id)
      );
      CREATE TABLE definition_runs (
        owner TEXT NOT NULL,
        definition_id TEXT NOT NULL,
        tick TEXT NOT NULL,
        trigger_kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        job_id TEXT,
        missed_ticks INTEGER NOT NULL,
        message TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        claimed_by TEXT NOT NULL,
        PRIMARY KEY (owner, definition_id, tick)
      );
      CREATE INDEX definition_runs_claimed ON definition_runs (outcome, claimed_at);
    `
  },
  {
    version: 9,
    name: 'resource usage samples',
    // Numbered after versions 7 and 8 that other features claim; versions apply by number, not by position.
    // Keyed by run id like job_metrics (`<jobId>` or `<jobId>/trials/<n>`).
    sql: `
      CREATE TABLE usage_samples (
        job_id TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        cpu_cores REAL NOT NULL,
        cpu_seconds REAL NOT NULL,
        memory_bytes REAL NOT NULL,
        gpu_count INTEGER,
        gpu_utilization REAL,
        gpu_memory_bytes REAL
      );
      CREATE INDEX usage_samples_job ON usage_samples (job_id, time_ms);
    `
  }
];
