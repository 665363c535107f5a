import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Job } from '../../../src/schemas/jobs.js';
import type { ModelVersion } from '../../../src/schemas/serving.js';
import { SqliteDefinitionStore } from '../../../src/definitions/store.js';
import { SqliteMonitorStore } from '../../../src/monitoring/store.js';
import { openStores, type Stores } from '../../../src/store/open.js';
import { migrateSqliteToPostgres, tableChecksum, TargetNotEmptyError } from '../../../src/store/migrate.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { ADMIN_URL_ENV, testDatabase } from '../../helpers/postgres.js';
import { deploymentRecord } from '../../helpers/records.js';
import { PROXY_DIR, tempRoot } from '../../helpers/service.js';

// `laketahoe-proxy migrate` from a personal service's SQLite file into a fresh PostgreSQL database.

const MAIN = path.join(PROXY_DIR, 'dist', 'main.js');

/** A SQLite database with something in every table. */
async function filledSqlite(file: string): Promise<void> {
  const store = new SqliteStore(file);
  const monitor = new SqliteMonitorStore(store.database);
  for (let i = 1; i <= 3; i++) {
    await store.createJob({ job: { jobId: `job${i}`, owner: i === 3 ? 'bob' : 'alice', state: 'SUCCEEDED', createTime: '2026-11-01T00:00:00.000Z' } as Job, runtime: { backend: 'local' } as never });
  }
  // Retention drops the first lines: the copy keeps their numbers, and numbering goes on after them.
  await store.appendLogs('job1', Array.from({ length: 12 }, (_, i) => ({ time: 't', stream: 'stdout' as const, text: `line ${i + 1} ünïcode` })), { lines: 10, bytes: 1e9 });
  await store.addMetrics('job1', Array.from({ length: 5 }, (_, i) => ({ step: 5 - i, name: 'loss', value: 1 / (i + 1), time: 't' })));
  await store.addUsage('job1', [
    { time: '2026-12-01T00:00:00.000Z', cpuCores: 0.5, cpuSeconds: 1.25, memoryBytes: 1e8 },
    { time: '2026-12-01T00:00:05.000Z', cpuCores: 1, cpuSeconds: 6.25, memoryBytes: 2e8, gpuCount: 1, gpuUtilization: 40, gpuMemoryBytes: 3e9 }
  ]);
  await store.createTrials([1, 2].map(id => ({
    owner: 'alice',
    trial: { jobId: 'job2', trialId: String(id), state: 'SUCCEEDED', hyperparameters: { lr: 0.1 * id }, finalMetric: { trainingStep: 1, objectiveValue: 0.5 }, allMetrics: [], isTrialStoppedEarly: id === 2, createTime: 't', startTime: 't', endTime: 't', errorMessage: '' },
    runtime: { output: {}, queue: { priority: 'middle', order: id } }
  })) as never);
  await store.addModelVersion({ owner: 'alice', version: { name: 'iris', createTime: 't1' } as ModelVersion, sourceKey: 'job1:model' });
  await store.addModelVersion({ owner: 'alice', version: { name: 'iris', createTime: 't2' } as ModelVersion });
  await store.createDeployment(deploymentRecord('alice', 'iris-prod'));
  await monitor.saveBuckets('alice', 'iris-prod', [{ start: 60_000, widthMs: 60_000, requests: 4, errors: 1, clientErrors: 1, serverErrors: 0, latencySumMs: 12.25, histogram: { counts: [1, 3] } as never }]);
  await monitor.saveAlert('alice', { id: 'a1', deployment: 'iris-prod', rule: 'errors', state: 'firing', startTime: 't' } as never);
  await monitor.saveRows('alice', 'iris-prod', 'iris', 2, [{ time: 5, kind: 'inputs', rows: 1, columns: { x: [1.5] } }]);
  const definitions = new SqliteDefinitionStore(store.database);
  await definitions.create({
    definition: { definitionId: 'nightly', owner: 'alice', createTime: 't', updateTime: 't', trainingInput: {}, labels: {}, schedule: { cron: '0 3 * * *', timeZone: 'Asia/Tokyo' }, paused: false, missedRuns: 'SKIP' },
    spec: { trainingInput: { notebook: { path: 'a.ipynb' } } as never, webhook: { url: 'https://hooks.example/secret' } },
    scheduleAnchor: '2026-11-01T00:00:00.000Z'
  });
  await definitions.claim({ owner: 'alice', definitionId: 'nightly', tick: '2026-11-01T18:00:00.000Z', trigger: 'SCHEDULE', outcome: 'SUBMITTED', jobId: 'nightly_20261101_1800', missedTicks: 0, message: 'scheduled', claimedAt: 't', claimedBy: 'r1' });
  await store.close();
}

/** What a reader sees through the Store interfaces, for comparing both sides. */
async function snapshot({ store, monitor, definitions }: Stores) {
  return {
    jobs: await store.listJobs({ owner: 'alice', pageSize: 10 }),
    bobsJobs: await store.listJobs({ owner: 'bob', pageSize: 10 }),
    logs: await store.getLogs('job1', 0, 100),
    metrics: await store.getMetrics('job1'),
    usage: await store.getUsage('job1'),
    trials: await store.listAllTrials('job2'),
    models: await store.listModels('alice'),
    versions: await store.listModelVersions('alice', 'iris'),
    deployments: await store.listDeployments(),
    buckets: await monitor.listBuckets('alice', 'iris-prod', 0, 1e9),
    alerts: await monitor.listAlerts('alice', 'iris-prod', 10),
    rows: await monitor.listRows('alice', 'iris-prod', 'iris', 2, 0),
    definitions: await definitions.list(undefined),
    scheduled: await definitions.listScheduled(),
    runs: await definitions.runs('alice', 'nightly', 10)
  };
}

test('every table is copied and verified; the stores read the same, and numbering goes on where it stopped', async () => {
  const file = path.join(tempRoot(), 'laketahoe.db');
  await filledSqlite(file);
  const url = await testDatabase('migrate_copy');
  const reports = await migrateSqliteToPostgres({ file, to: url });
  expect(Object.fromEntries(reports.map(r => [r.table, r.rows]))).toEqual({
    jobs: 3, job_logs: 10, job_metrics: 5, trials: 2, models: 1, model_versions: 2, deployments: 1, request_buckets: 1, alerts: 1, live_rows: 1, job_definitions: 1, definition_runs: 1, usage_samples: 2
  });

  const sqlite = new SqliteStore(file);
  const before = await snapshot({ store: sqlite, monitor: new SqliteMonitorStore(sqlite.database), definitions: new SqliteDefinitionStore(sqlite.database) });
  await sqlite.close();
  const pg = await openStores({ dataDir: '', databaseUrl: url });
  try {
    expect(await snapshot(pg)).toEqual(before);
    const [next] = await pg.store.appendLogs('job1', [{ time: 't', stream: 'stdout', text: 'after' }], { lines: 10, bytes: 1e9 });
    expect(next.seq).toBe(13);
    expect((await pg.store.getLogs('job1', 0, 100)).firstSeq).toBe(4);
    const v3 = await pg.store.addModelVersion({ owner: 'alice', version: { name: 'iris', createTime: 't3' } as ModelVersion });
    expect(v3.version).toBe(3);
    // The saved model registered before the move is still known as version 1.
    expect((await pg.store.addModelVersion({ owner: 'alice', version: { name: 'iris', createTime: 't4' } as ModelVersion, sourceKey: 'job1:model' })).version).toBe(1);
  } finally {
    await pg.store.close();
  }
});

test('a non-empty target is refused unless --replace; the command prints counts and checksums, never the password', async () => {
  const root = tempRoot();
  const file = path.join(root, 'laketahoe.db');
  await filledSqlite(file);
  const url = await testDatabase('migrate_cli');
  await migrateSqliteToPostgres({ file, to: url });
  await expect(migrateSqliteToPostgres({ file, to: url })).rejects.toBeInstanceOf(TargetNotEmptyError);

  const password = decodeURIComponent(new URL(url.replace(/^postgres:/, 'http:').replace('@/', '@localhost/')).password);
  const env = { ...process.env, LAKETAHOE_DATABASE_URL: url };
  const refused = spawnSync(process.execPath, [MAIN, 'migrate', '--from', `sqlite:${file}`], { env, encoding: 'utf8' });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/the target database is not empty \(3 jobs, .*\): pass --replace/);

  const replaced = spawnSync(process.execPath, [MAIN, 'migrate', '--from', `sqlite:${file}`, '--replace'], { env, encoding: 'utf8' });
  expect(replaced.stderr).toBe('');
  expect(replaced.status).toBe(0);
  expect(replaced.stdout).toMatch(/^jobs +3 rows {2}sha256 [0-9a-f]{64} {2}verified$/m);
  expect(replaced.stdout).toMatch(/^live_rows +1 rows/m);
  expect(replaced.stdout).toContain('postgres://laketahoe:***@');
  expect(replaced.stdout + replaced.stderr).not.toContain(password);

  const wrong = url.replace(encodeURIComponent(password), 'not-the-s3cret');
  const denied = spawnSync(process.execPath, [MAIN, 'migrate', '--from', `sqlite:${file}`, '--to', wrong], { encoding: 'utf8' });
  expect(denied.status).toBe(1);
  expect(denied.stderr).toMatch(/password authentication failed/);
  expect(denied.stderr).not.toContain('not-the-s3cret');
  expect(fs.existsSync(file)).toBe(true);
  expect(process.env[ADMIN_URL_ENV]).toBeDefined();
});

test('a service holding the data folder blocks the copy; the checksum ignores row order but not content', async () => {
  const root = tempRoot();
  const file = path.join(root, 'laketahoe.db');
  await filledSqlite(file);
  const { lockDataDir } = await import('../../../src/dataDir.js');
  const unlock = lockDataDir(root);
  try {
    await expect(migrateSqliteToPostgres({ file, to: await testDatabase('migrate_locked') })).rejects.toThrow(/in use by another LakeTahoe service/);
  } finally {
    unlock();
  }
  expect(tableChecksum([[1, 'a'], [2, 'b']])).toEqual(tableChecksum([[2, 'b'], [1, 'a']]));
  expect(tableChecksum([[1, 'a'], [2, 'b']]).checksum).not.toBe(tableChecksum([[1, 'a'], [2, 'c']]).checksum);
});
