import path from 'node:path';
import type { Job } from '../../src/schemas/jobs.js';
import type { UsageSample } from '../../src/schemas/usage.js';
import type { Store } from '../../src/store/store.js';
import { tempRoot } from '../helpers/service.js';
import { openTestStore } from '../helpers/stores.js';

// Usage rows on a real database: SQLite here, PostgreSQL in the postgres project.
let store: Store;
beforeEach(async () => {
  store = await openTestStore(path.join(tempRoot(), 'laketahoe.db'));
});
afterEach(async () => {
  await store.close();
});

const sample = (i: number, extra: Partial<UsageSample> = {}): UsageSample => ({
  time: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(),
  cpuCores: 0.5,
  cpuSeconds: i / 2,
  memoryBytes: 1000 + i,
  ...extra
});

test('samples read back as written, GPU fields only where given; past the limit the older half thins', async () => {
  await store.addUsage('j', [sample(0), sample(1, { gpuCount: 2, gpuUtilization: 40.5, gpuMemoryBytes: 1e9 })]);
  expect(await store.getUsage('j')).toEqual([sample(0), sample(1, { gpuCount: 2, gpuUtilization: 40.5, gpuMemoryBytes: 1e9 })]);

  for (let i = 2; i < 40; i++) {
    await store.addUsage('j', [sample(i)], 10);
  }
  const kept = await store.getUsage('j');
  expect(kept.length).toBeLessThanOrEqual(10);
  expect(kept.length).toBeGreaterThanOrEqual(5);
  // The span stays whole: the first and the latest sample are always kept, in time order.
  expect(kept[0]).toEqual(sample(0));
  expect(kept[kept.length - 1]).toEqual(sample(39));
  expect(kept.map(s => s.time)).toEqual([...kept.map(s => s.time)].sort());
});

test('deleting a job removes its samples and its trials\', not another job\'s', async () => {
  const job = (jobId: string) => ({ job: { jobId, owner: 'alice', state: 'SUCCEEDED', createTime: '2026-12-01T00:00:00.000Z', trainingInput: {} } as unknown as Job, runtime: {} });
  await store.createJob(job('a'));
  await store.createJob(job('a2'));
  await store.addUsage('a', [sample(0)]);
  await store.addUsage('a/trials/1', [sample(1)]);
  await store.addUsage('a2', [sample(2)]);
  await store.deleteJob('a');
  expect(await store.getUsage('a')).toEqual([]);
  expect(await store.getUsage('a/trials/1')).toEqual([]);
  expect(await store.getUsage('a2')).toEqual([sample(2)]);
});
