import path from 'node:path';
import Database from 'better-sqlite3';
import type { Job } from '../../src/schemas/jobs.js';
import type { Store, JobRecord } from '../../src/store/store.js';
import type { JobFilter } from '../../src/store/jobSearch.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempRoot } from '../helpers/service.js';
import { usingPostgres } from '../helpers/postgres.js';
import { openTestStore } from '../helpers/stores.js';

// Search by text, notebook, label and state on a real database: SQLite here, PostgreSQL in the postgres project.

function job(jobId: string, opts: { owner?: string; notebook?: string; labels?: Record<string, string>; state?: Job['state']; day?: number } = {}): JobRecord {
  const createTime = `2026-11-${String(opts.day ?? 1).padStart(2, '0')}T00:00:00.000Z`;
  const trainingInput = opts.notebook ? { notebook: { path: opts.notebook } } : {};
  return {
    job: { jobId, owner: opts.owner ?? 'alice', state: opts.state ?? 'QUEUED', createTime, labels: opts.labels ?? {}, trainingInput } as unknown as Job,
    runtime: { backend: 'local' } as unknown as JobRecord['runtime']
  };
}

async function ids(store: Store, filter: Partial<JobFilter>, pageSize = 50): Promise<string[]> {
  const out: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.listJobs({ owner: 'alice', ...filter, pageSize, pageToken });
    out.push(...page.jobs.map(j => j.jobId));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

let store: Store;
beforeEach(async () => {
  store = await openTestStore(path.join(tempRoot(), 'laketahoe.db'));
  await store.createJob(job('mnist_lr', { notebook: 'work/MNIST.ipynb', labels: { team: 'vision', exp: 'lr' }, day: 1 }));
  await store.createJob(job('mnist_depth', { notebook: 'work/MNIST.ipynb', labels: { team: 'vision', exp: 'depth' }, state: 'SUCCEEDED', day: 2 }));
  await store.createJob(job('churn_100', { notebook: 'churn/model.ipynb', labels: { team: 'growth' }, state: 'SUCCEEDED', day: 3 }));
  await store.createJob(job('module_job', { labels: {}, day: 4 }));
  await store.createJob(job('odd_100pct', { notebook: 'a/50%_b.ipynb', day: 5 }));
  // Bob's job matches every filter below; alice never sees it.
  await store.createJob(job('bobs_mnist', { owner: 'bob', notebook: 'work/MNIST.ipynb', labels: { team: 'vision', exp: 'lr' }, state: 'SUCCEEDED', day: 6 }));
});
afterEach(async () => {
  await store.close();
});

test('text matches the id or the notebook path, case-insensitively and literally', async () => {
  expect(await ids(store, { text: 'MNIST' })).toEqual(['mnist_depth', 'mnist_lr']);
  expect(await ids(store, { text: 'churn/' })).toEqual(['churn_100']);
  expect(await ids(store, { text: '100' })).toEqual(['odd_100pct', 'churn_100']);
  // `%` and `_` are text, not wildcards.
  expect(await ids(store, { text: '50%_' })).toEqual(['odd_100pct']);
  expect(await ids(store, { text: '%' })).toEqual(['odd_100pct']);
  expect(await ids(store, { text: 'nothing' })).toEqual([]);
});

test('notebook matches the path exactly; labels by key or key=value, all of them; state; combined and paged', async () => {
  expect(await ids(store, { notebook: 'work/MNIST.ipynb' })).toEqual(['mnist_depth', 'mnist_lr']);
  expect(await ids(store, { notebook: 'work/mnist.ipynb' })).toEqual([]);
  expect(await ids(store, { labels: [{ key: 'team' }] })).toEqual(['churn_100', 'mnist_depth', 'mnist_lr']);
  expect(await ids(store, { labels: [{ key: 'team', value: 'vision' }] })).toEqual(['mnist_depth', 'mnist_lr']);
  expect(await ids(store, { labels: [{ key: 'team', value: 'vision' }, { key: 'exp', value: 'lr' }] })).toEqual(['mnist_lr']);
  expect(await ids(store, { labels: [{ key: 'team', value: 'vis' }] })).toEqual([]);
  expect(await ids(store, { state: 'SUCCEEDED' })).toEqual(['churn_100', 'mnist_depth']);
  expect(await ids(store, { state: 'SUCCEEDED', labels: [{ key: 'team', value: 'vision' }], text: 'mnist' })).toEqual(['mnist_depth']);
  expect(await ids(store, { labels: [{ key: 'team' }] }, 1)).toEqual(['churn_100', 'mnist_depth', 'mnist_lr']);
  // An admin's listing (every owner) finds bob's too.
  expect(await ids(store, { owner: undefined, labels: [{ key: 'exp', value: 'lr' }] })).toEqual(['bobs_mnist', 'mnist_lr']);
});

test('relabelling replaces what labels find; a deleted job leaves no label behind', async () => {
  const record = (await store.getJob('mnist_lr'))!;
  record.job.labels = { team: 'growth', reviewed: 'yes' };
  await store.saveJobWithLabels(record);
  expect((await store.getJob('mnist_lr'))!.job.labels).toEqual({ team: 'growth', reviewed: 'yes' });
  expect(await ids(store, { labels: [{ key: 'team', value: 'vision' }] })).toEqual(['mnist_depth']);
  expect(await ids(store, { labels: [{ key: 'exp' }] })).toEqual(['mnist_depth']);
  expect(await ids(store, { labels: [{ key: 'team', value: 'growth' }] })).toEqual(['churn_100', 'mnist_lr']);
  // saveJob (status updates) keeps the labels' index as it is.
  record.job.state = 'RUNNING';
  await store.saveJob(record);
  expect(await ids(store, { labels: [{ key: 'reviewed' }], state: 'RUNNING' })).toEqual(['mnist_lr']);

  await store.deleteJob('mnist_lr');
  expect(await ids(store, { labels: [{ key: 'reviewed' }] })).toEqual([]);
  await store.createJob(job('mnist_lr', { labels: { reviewed: 'again' } }));
  expect(await ids(store, { labels: [{ key: 'reviewed', value: 'again' }] })).toEqual(['mnist_lr']);
});

(usingPostgres() ? test.skip : test)('a database from before search finds its old jobs by notebook and label', async () => {
  const file = path.join(tempRoot(), 'old.db');
  const db = new Database(file);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  for (const m of MIGRATIONS.filter(m => m.version < 8)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
  }
  const old = job('old_run', { notebook: 'n/old.ipynb', labels: { team: 'vision' } });
  db.prepare('INSERT INTO jobs (job_id, public_id, owner, state, create_time, job, runtime) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    'old_run', 'old_run', 'alice', 'QUEUED', old.job.createTime, JSON.stringify(old.job), '{}'
  );
  db.close();
  const upgraded = new SqliteStore(file);
  try {
    expect(await ids(upgraded, { notebook: 'n/old.ipynb' })).toEqual(['old_run']);
    expect(await ids(upgraded, { labels: [{ key: 'team', value: 'vision' }] })).toEqual(['old_run']);
  } finally {
    await upgraded.close();
  }
});
