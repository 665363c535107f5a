/**
 * The PostgreSQL schema, numbered like the SQLite one (../migrations.ts) but written in PostgreSQL's
 * dialect. Version 1 holds everything SQLite's versions 1 to 5 hold; later ones may be PostgreSQL's alone. Never edit a released entry: append.
 *
 * Documents stay text, not jsonb, so a row reads back byte for byte as it was written: the migration from
 * SQLite checks its copies by checksum. `seq` columns stand in for SQLite's rowid where order of insertion
 * breaks ties.
 */
export const PG_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'jobs, logs, metrics, trials, models, deployments and monitoring history',
    sql: `
      CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY,
        seq BIGSERIAL NOT NULL,
        owner TEXT NOT NULL,
        state TEXT NOT NULL,
        create_time TEXT NOT NULL,
        job TEXT NOT NULL,
        runtime TEXT NOT NULL
      );
      CREATE INDEX jobs_owner_created ON jobs (owner, create_time DESC, seq DESC);
      CREATE INDEX jobs_state ON jobs (state);
      CREATE TABLE job_logs (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        time TEXT NOT NULL,
        stream TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      );
      -- One row per run: its lock serialises numbering, and it carries the kept bytes so retention never sums the log.
      CREATE TABLE log_runs (
        job_id TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL,
        bytes BIGINT NOT NULL
      );
      CREATE TABLE job_metrics (
        seq BIGSERIAL PRIMARY KEY,
        job_id TEXT NOT NULL,
        step DOUBLE PRECISION NOT NULL,
        name TEXT NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        time TEXT NOT NULL
      );
      CREATE INDEX job_metrics_job ON job_metrics (job_id, step, seq);
      CREATE INDEX job_metrics_name ON job_metrics (job_id, name, step, seq);
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
      );
      CREATE INDEX trials_state ON trials (state);
      CREATE TABLE models (
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        latest_version INTEGER NOT NULL,
        create_time TEXT NOT NULL,
        update_time TEXT NOT NULL,
        PRIMARY KEY (owner, name)
      );
      CREATE TABLE model_versions (
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        source_key TEXT,
        create_time TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (owner, name, version)
      );
      CREATE UNIQUE INDEX model_versions_source ON model_versions (owner, source_key) WHERE source_key IS NOT NULL;
      CREATE TABLE deployments (
        owner TEXT NOT NULL,
        name TEXT NOT NULL,
        seq BIGSERIAL NOT NULL,
        state TEXT NOT NULL,
        create_time TEXT NOT NULL,
        deployment TEXT NOT NULL,
        runtime TEXT NOT NULL,
        PRIMARY KEY (owner, name)
      );
      CREATE TABLE request_buckets (
        owner TEXT NOT NULL,
        deployment TEXT NOT NULL,
        start_ms BIGINT NOT NULL,
        width_ms BIGINT NOT NULL,
        requests BIGINT NOT NULL,
        errors BIGINT NOT NULL,
        client_errors BIGINT NOT NULL,
        server_errors BIGINT NOT NULL,
        latency_sum_ms DOUBLE PRECISION NOT NULL,
        histogram TEXT NOT NULL,
        PRIMARY KEY (owner, deployment, start_ms)
      );
      CREATE INDEX request_buckets_start ON request_buckets (start_ms);
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        seq BIGSERIAL NOT NULL,
        owner TEXT NOT NULL,
        deployment TEXT NOT NULL,
        rule TEXT NOT NULL,
        state TEXT NOT NULL,
        start_time TEXT NOT NULL,
        alert TEXT NOT NULL
      );
      CREATE INDEX alerts_deployment ON alerts (owner, deployment, start_time DESC, seq DESC);
      CREATE TABLE live_rows (
        seq BIGSERIAL PRIMARY KEY,
        owner TEXT NOT NULL,
        deployment TEXT NOT NULL,
        model TEXT NOT NULL,
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        time_ms BIGINT NOT NULL,
        rows TEXT NOT NULL
      );
      CREATE INDEX live_rows_deployment ON live_rows (owner, deployment, time_ms, seq);
    `
  },
  {
    version: 2,
    name: 'event payloads too large for NOTIFY',
    // Push events reach the other replicas by NOTIFY; a larger one is kept here a few minutes and only its id is sent.
    sql: `
      CREATE TABLE event_payloads (
        id BIGSERIAL PRIMARY KEY,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        payload TEXT NOT NULL
      );
      CREATE INDEX event_payloads_created ON event_payloads (created_at);
    `
  },
  {
    version: 3,
    name: 'job ids per owner',
    // As SQLite's version 6: job_id stays the key unique across owners; public_id is the id the owner chose.
    sql: `
      ALTER TABLE jobs ADD COLUMN public_id TEXT;
      UPDATE jobs SET public_id = job_id;
      CREATE UNIQUE INDEX jobs_owner_public_id ON jobs (owner, public_id);
    `
  },
  {
    version: 4,
    name: 'job definitions and their schedule ticks',
    // A tick is claimed by inserting its (owner, definition, time) row: the key lets one replica, once, submit it.
    // Flags are 0/1 integers as in SQLite, so `migrate` copies and verifies them unchanged.
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
    version: 6,
    name: 'resource usage samples',
    // As SQLite's version 9.
    sql: `
      CREATE TABLE usage_samples (
        seq BIGSERIAL PRIMARY KEY,
        job_id TEXT NOT NULL,
        time_ms BIGINT NOT NULL,
        cpu_cores DOUBLE PRECISION NOT NULL,
        cpu_seconds DOUBLE PRECISION NOT NULL,
        memory_bytes DOUBLE PRECISION NOT NULL,
        gpu_count INTEGER,
        gpu_utilization DOUBLE PRECISION,
        gpu_memory_bytes DOUBLE PRECISION
      );
      CREATE INDEX usage_samples_job ON usage_samples (job_id, time_ms, seq);
    `
  }
];
