import path from 'node:path';
import type { Job } from '../../src/schemas/jobs.js';
import type { ModelVersion } from '../../src/schemas/serving.js';
import type { Stores } from '../../src/store/open.js';
import { DuplicateJobError, DuplicateNameError, InvalidPageTokenError, type JobRecord } from '../../src/store/store.js';
import { RequestBucket } from '../../src/monitoring/requests.js';
import { deploymentRecord } from '../helpers/records.js';
import { tempRoot } from '../helpers/service.js';
import { openTestStores } from '../helpers/stores.js';

// What every store promises, checked on a real database: SQLite here, PostgreSQL in the postgres project.

function job(jobId: string, owner = 'alice', createTime = '2026-11-01T00:00:00.000Z', state: Job['state'] = 'QUEUED'): JobRecord {
  return {
    job: { jobId, owner, state, createTime, trainingInput: {} } as unknown as Job,
    runtime: { backend: 'local' } as unknown as JobRecord['runtime']
  };
}

function version(name: string, createTime: string): ModelVersion {
  return { name, version: 0, createTime } as unknown as ModelVersion;
}

const line = (text: string) => ({ time: '2026-11-01T00:00:00.000Z', stream: 'stdout' as const, text });

let stores: Stores;
let storeFile: string;
beforeEach(async () => {
  storeFile = path.join(tempRoot(), 'laketahoe.db');
  stores = await openTestStores(storeFile);
});
afterEach(async () => {
  await stores.store.close();
});

describe('jobs', () => {
  test('a taken id is a DuplicateJobError, also when two writers race for it', async () => {
    const { store } = stores;
    await store.createJob(job('a'));
    await expect(store.createJob(job('a'))).rejects.toBeInstanceOf(DuplicateJobError);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.createJob(job('race'))));
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter(r => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateJobError);
    }
  });

  test("pages run newest first, ties in insertion order, one owner's jobs only, and a crafted token is refused", async () => {
    const { store } = stores;
    for (let i = 1; i <= 5; i++) {
      await store.createJob(job(`j${i}`, 'alice', i <= 3 ? '2026-11-01T00:00:00.000Z' : `2026-11-0${i}T00:00:00.000Z`));
    }
    await store.createJob(job('bobs', 'bob', '2026-12-01T00:00:00.000Z'));
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await store.listJobs({ owner: 'alice', pageSize: 2, pageToken: token });
      ids.push(...page.jobs.map(j => j.jobId));
      token = page.nextPageToken;
    } while (token);
    expect(ids).toEqual(['j5', 'j4', 'j3', 'j2', 'j1']);
    // An admin's listing: every owner's.
    expect((await store.listJobs({ owner: undefined, pageSize: 3 })).jobs.map(j => j.jobId)).toEqual(['bobs', 'j5', 'j4']);
    await expect(store.listJobs({ owner: 'alice', pageSize: 2, pageToken: "1' OR 1=1" })).rejects.toBeInstanceOf(InvalidPageTokenError);
    const saved = job('j2', 'alice', '2026-11-01T00:00:00.000Z', 'RUNNING');
    await store.saveJob(saved);
    expect((await store.listJobs({ owner: 'alice', state: 'RUNNING', pageSize: 10 })).jobs.map(j => j.jobId)).toEqual(['j2']);
    expect((await store.listJobsInStates(['QUEUED'])).map(r => r.job.jobId)).toEqual(['j1', 'j3', 'j4', 'j5', 'bobs']);
    expect(await store.getJob('j2')).toEqual(saved);
    expect(await store.getJob('nope')).toBeUndefined();
  });
});

describe('logs', () => {
  test('writers racing on one run get consecutive, distinct numbers', async () => {
    const { store } = stores;
    const batches = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.appendLogs('run', [line(`a${i}`), line(`b${i}`)], { lines: 1000, bytes: 1e9 }))
    );
    const seqs = batches.flat().map(l => l.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Each batch's lines are numbered together.
    for (const b of batches) {
      expect(b[1].seq).toBe(b[0].seq + 1);
    }
    const page = await store.getLogs('run', 0, 100);
    expect(page).toMatchObject({ firstSeq: 1, lastSeq: 20 });
  });

  test('retention by lines and by bytes keeps the newest lines, and reading resumes after a seq', async () => {
    const { store } = stores;
    await store.appendLogs('r', Array.from({ length: 12 }, (_, i) => line(`l${i + 1}`)), { lines: 10, bytes: 1e9 });
    expect(await store.getLogs('r', 0, 100)).toMatchObject({ firstSeq: 3, lastSeq: 12 });
    // Multi-byte text counts in bytes: each line below is 4 bytes.
    await store.appendLogs('bytes', Array.from({ length: 6 }, () => line('éé')), { lines: 100, bytes: 10 });
    const kept = await store.getLogs('bytes', 0, 100);
    expect(kept.lines.map(l => l.seq)).toEqual([5, 6]);
    const after = await store.getLogs('r', 10, 1);
    expect(after.lines.map(l => [l.seq, l.text])).toEqual([[11, 'l11']]);
  });
});

describe('metrics', () => {
  test('values come in step order, page by token, thin past the cap and downsample for charts', async () => {
    const { store } = stores;
    const values = Array.from({ length: 30 }, (_, i) => ({ step: 30 - i, name: i % 2 ? 'loss' : 'acc', value: i / 3, time: 't' }));
    await store.addMetrics('m', values);
    const all = await store.getMetrics('m');
    expect(all.metrics.map(m => m.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const first = await store.getMetrics('m', { name: 'loss', pageSize: 4 });
    const second = await store.getMetrics('m', { name: 'loss', pageSize: 4, pageToken: first.nextPageToken });
    expect([...first.metrics, ...second.metrics].map(m => m.step)).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    const chart = await store.getMetrics('m', { name: 'acc', maxPoints: 4 });
    expect(chart.metrics.map(m => m.step)).toEqual([2, 12, 22, 30]);
    await store.addMetrics('capped', Array.from({ length: 12 }, (_, i) => ({ step: i, name: 'x', value: i, time: 't' })), 10);
    const capped = await store.getMetrics('capped');
    expect(capped.metrics.map(m => m.step)).toEqual([0, 2, 4, 6, 8, 10, 11]);
    await expect(store.getMetrics('m', { pageToken: 'x' })).rejects.toBeInstanceOf(InvalidPageTokenError);
  });
});

describe('trials', () => {
  test('a batch with a taken trial id adds none of its trials', async () => {
    const { store } = stores;
    const trial = (id: number) => ({
      owner: 'alice',
      trial: { jobId: 'hpo', trialId: String(id), state: 'QUEUED', hyperparameters: {}, finalMetric: null, allMetrics: [], isTrialStoppedEarly: false, createTime: 't', startTime: null, endTime: null, errorMessage: '' },
      runtime: { output: {}, queue: { priority: 'middle', order: id } }
    }) as never;
    await store.createTrials([trial(1), trial(2)]);
    // Compared by message: SQLite's native errors may come from another test file's realm, where instanceof fails.
    const refused = await store.createTrials([trial(3), trial(2)]).then(() => 'added', (err: Error) => err.message);
    expect(refused).toMatch(/UNIQUE constraint failed|duplicate key/);
    expect((await store.listAllTrials('hpo')).map(t => t.trial.trialId)).toEqual(['1', '2']);
    expect(await store.getTrial('hpo', '01')).toBeUndefined();
  });
});

describe('models and deployments', () => {
  test('versions racing for one model are numbered 1..n without gaps; a saved model registers once', async () => {
    const { store } = stores;
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => store.addModelVersion({ owner: 'alice', version: version('iris', `2026-11-01T00:00:0${i}.000Z`) })));
    expect(made.map(v => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await store.getModel('alice', 'iris')).toMatchObject({ latestVersion: 8 });
    const first = await store.addModelVersion({ owner: 'alice', version: version('net', 't1'), sourceKey: 'job1:model' });
    const again = await store.addModelVersion({ owner: 'alice', version: version('net', 't2'), sourceKey: 'job1:model' });
    expect(again).toEqual(first);
    expect((await store.listModelVersions('alice', 'net')).map(v => v.version)).toEqual([1]);
    expect(await store.listModels('bob')).toEqual([]);
    expect((await store.listModels('alice')).map(m => m.name)).toEqual(['net', 'iris']);
    // Same update time as alice's: owners break the tie.
    await store.addModelVersion({ owner: 'bob', version: version('net', 't1') });
    expect((await store.listModels(undefined)).map(m => `${m.owner}/${m.name}`)).toEqual(['alice/net', 'bob/net', 'alice/iris']);
  });

  test('a deployment name is taken per owner; listing is oldest first', async () => {
    const { store } = stores;
    await store.createDeployment(deploymentRecord('alice', 'd1'));
    await store.createDeployment(deploymentRecord('bob', 'd1'));
    await expect(store.createDeployment(deploymentRecord('alice', 'd1'))).rejects.toBeInstanceOf(DuplicateNameError);
    await store.createDeployment(deploymentRecord('alice', 'd2'));
    expect((await store.listDeployments('alice')).map(d => d.deployment.name)).toEqual(['d1', 'd2']);
    expect(await store.listDeployments()).toHaveLength(3);
    await store.deleteDeployment('alice', 'd1');
    expect(await store.getDeployment('alice', 'd1')).toBeUndefined();
    expect(await store.getDeployment('bob', 'd1')).toBeDefined();
  });

  test('updates of one deployment from two writers (replicas) at once are all kept; a refused or failed change saves nothing', async () => {
    const { store } = stores;
    // A second connection to the same database, as another replica has.
    const second = await openTestStores(storeFile);
    try {
      await store.createDeployment(deploymentRecord('alice', 'd'));
      const bump = (s: typeof store) => s.updateDeployment('alice', 'd', r => {
        r.deployment.restarts += 1;
        return true;
      });
      await Promise.all(Array.from({ length: 10 }, (_, i) => bump(i % 2 ? second.store : store)));
      expect((await store.getDeployment('alice', 'd'))!.deployment.restarts).toBe(10);
      const unchanged = await store.updateDeployment('alice', 'd', r => {
        r.deployment.restarts = 99;
        return false;
      });
      expect(unchanged!.deployment.restarts).toBe(99);
      await expect(store.updateDeployment('alice', 'd', () => {
        throw new Error('refused');
      })).rejects.toThrow('refused');
      expect((await store.getDeployment('alice', 'd'))!.deployment.restarts).toBe(10);
      expect(await store.updateDeployment('alice', 'none', () => true)).toBeUndefined();
    } finally {
      await second.store.close();
    }
  });
});

describe('monitoring history', () => {
  test('buckets are replaced while filling, alerts list newest first, rows prune by time and version', async () => {
    const { monitor } = stores;
    const bucket = (start: number, requests: number) => ({
      start, widthMs: 1000, requests, errors: 0, clientErrors: 0, serverErrors: 0, latencySumMs: 1.5, histogram: { bounds: [], counts: [] } as never
    });
    await monitor.saveBuckets('alice', 'd', [bucket(1000, 1), bucket(2000, 2)]);
    await monitor.saveBuckets('alice', 'd', [bucket(2000, 5)]);
    expect((await monitor.listBuckets('alice', 'd', 0, 3000)).map(b => [b.start, b.requests])).toEqual([[1000, 1], [2000, 5]]);
    const alert = (id: string, startTime: string, state: string) => ({ id, deployment: 'd', rule: 'errors', state, startTime }) as never;
    await monitor.saveAlert('alice', alert('a1', '2026-11-01T00:00:00Z', 'firing'));
    await monitor.saveAlert('alice', alert('a2', '2026-11-02T00:00:00Z', 'firing'));
    await monitor.saveAlert('alice', alert('a1', '2026-11-01T00:00:00Z', 'resolved'));
    expect((await monitor.listAlerts('alice', 'd', 10)).map(a => a.id)).toEqual(['a2', 'a1']);
    expect((await monitor.firingAlerts('alice', 'd')).map(a => a.id)).toEqual(['a2']);
    const rows = (time: number) => ({ time, kind: 'inputs' as const, rows: 1, columns: { x: [time] } });
    await monitor.saveRows('alice', 'd', 'iris', 1, [rows(10), rows(20)]);
    await monitor.saveRows('alice', 'd', 'iris', 2, [rows(30)]);
    await monitor.pruneRows('alice', 'd', 'iris', 1, 15);
    expect((await monitor.listRows('alice', 'd', 'iris', 1, 0)).map(r => r.columns.x[0])).toEqual([20]);
    expect(await monitor.listRows('alice', 'd', 'iris', 2, 0)).toEqual([]);
    await monitor.deleteDeployment('alice', 'd');
    expect(await monitor.listAlerts('alice', 'd', 10)).toEqual([]);
  });

  test('requests added by several writers at once are all counted, latencies included', async () => {
    const { monitor } = stores;
    const requests = (start: number, statuses: number[]) => {
      const b = new RequestBucket(start, 10_000);
      statuses.forEach((status, i) => b.add(status, 10 + i));
      return b.toRecord();
    };
    await monitor.saveBuckets('alice', 'sum', [requests(0, [200])]);
    // Two replicas flushing the same buckets concurrently: one bucket stored already, one new.
    await Promise.all([
      monitor.addBuckets('alice', 'sum', [requests(0, [200, 500]), requests(10_000, [200])]),
      monitor.addBuckets('alice', 'sum', [requests(10_000, [404, 200, 200]), requests(0, [200])])
    ]);
    const stored = (await monitor.listBuckets('alice', 'sum', 0, 20_000)).map(RequestBucket.fromRecord);
    expect(stored.map(b => [b.start, b.requests, b.serverErrors, b.clientErrors, b.latency.total])).toEqual([
      [0, 4, 1, 0, 4],
      [10_000, 4, 0, 1, 4]
    ]);
  });
});
