import path from 'node:path';
import { openSqlite } from '../../src/sqlite.js';
import { scopedJobKey } from '../../src/jobs/ids.js';
import type { Job } from '../../src/schemas/jobs.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { DuplicateJobError, type JobRecord } from '../../src/store/store.js';
import { tempRoot } from '../helpers/service.js';

// Job ids per owner in a real SQLite file: the key is unique across owners, the id the owner chose
// unique per owner, and databases made before ids were per owner are brought forward.

function record(key: string, owner: string): JobRecord {
  const job = { jobId: key, owner, state: 'QUEUED', createTime: new Date().toISOString() } as unknown as Job;
  return { job, runtime: {} as JobRecord['runtime'] };
}

test("two owners' equal ids live side by side; an owner's own second one is a duplicate", async () => {
  const store = new SqliteStore(path.join(tempRoot(), 'laketahoe.db'));
  await store.createJob(record('train_1', 'alice'));
  await store.createJob(record(scopedJobKey('bob', 'train_1'), 'bob'));
  expect((await store.findJob('alice', 'train_1'))!.job.jobId).toBe('train_1');
  expect((await store.findJob('bob', 'train_1'))!.job.jobId).toBe(scopedJobKey('bob', 'train_1'));
  expect(await store.findJob('carol', 'train_1')).toBeUndefined();
  // Same key, or the same owner's id under another key: both refused by the database itself.
  await expect(store.createJob(record('train_1', 'carol'))).rejects.toBeInstanceOf(DuplicateJobError);
  await expect(store.createJob(record(scopedJobKey('alice', 'train_1'), 'alice'))).rejects.toBeInstanceOf(DuplicateJobError);
  await store.close();
});

test('migration 6 gives the jobs of an older database their own ids as public ids', async () => {
  const file = path.join(tempRoot(), 'laketahoe.db');
  const db = openSqlite(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter(m => m.version < 6)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
  }
  const old = record('old_job', 'alice');
  db.prepare('INSERT INTO jobs (job_id, owner, state, create_time, job, runtime) VALUES (?, ?, ?, ?, ?, ?)').run(
    'old_job',
    'alice',
    'SUCCEEDED',
    old.job.createTime,
    JSON.stringify(old.job),
    '{}'
  );
  db.close();
  const store = new SqliteStore(file);
  expect(store.appliedMigrations()).toContain(6);
  expect((await store.findJob('alice', 'old_job'))!.job.jobId).toBe('old_job');
  expect(await store.findJob('bob', 'old_job')).toBeUndefined();
  await expect(store.createJob(record(scopedJobKey('alice', 'old_job'), 'alice'))).rejects.toBeInstanceOf(DuplicateJobError);
  await store.close();
});
