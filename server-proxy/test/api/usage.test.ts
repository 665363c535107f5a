import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitForState, type TestService } from '../helpers/service.js';

// Usage of a real runner and its real ipykernel, sampled from /proc every 0.5 s into a real store.
let t: TestService;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

beforeAll(async () => {
  const root = tempRoot();
  // About 150 MiB held while a loop keeps a core busy for 3 s: far below the BASIC tier's 2 GiB.
  writeNotebook(path.join(root, 'hold.ipynb'), [
    'import time\nb = bytearray(150 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\nend = time.time() + 3\nwhile time.time() < end: pass'
  ]);
  t = await startService(root);
});

afterAll(async () => {
  await t.close();
});

test('a job\'s usage: samples of its process tree, the summary with the memory hint, its owner alone, gone with the job', async () => {
  expect((await t.call('POST', '/api/v1/jobs', { jobId: 'use_1', trainingInput: { scaleTier: 'BASIC', notebook: { path: 'hold.ipynb' } } })).status).toBe(201);
  expect((await waitForState(t, 'use_1', ['SUCCEEDED', 'FAILED'])).state).toBe('SUCCEEDED');

  const r = await t.call('GET', '/api/v1/jobs/use_1/usage');
  expect(r.status).toBe(200);
  const { available, samples, summary } = r.body;
  expect(available).toBe(true);
  expect(samples.length).toBeGreaterThanOrEqual(3);
  // The kernel holds the bytearray: only counting the runner's whole tree finds it.
  expect(summary.peakMemoryBytes).toBeGreaterThan(150 * MIB);
  expect(summary.peakMemoryBytes).toBeLessThan(2 * GIB);
  expect(summary.cpuSeconds).toBeGreaterThan(1);
  expect(Math.max(...samples.map((s: { cpuCores: number }) => s.cpuCores))).toBeGreaterThan(0.3);
  expect(summary.gpuHours).toBe(0);
  expect(summary.requestedMemoryBytes).toBe(2 * GIB);
  expect(summary.hint).toMatch(/^This job used at most \d+ MiB of its 2\.0 GiB memory$/);

  const thinned = await t.call('GET', '/api/v1/jobs/use_1/usage?maxPoints=2');
  expect(thinned.body.samples).toEqual([samples[0], samples[samples.length - 1]]);
  expect(thinned.body.summary).toEqual(summary);
  const bad = await t.call('GET', '/api/v1/jobs/use_1/usage?maxPoints=1');
  expect(bad.status).toBe(400);
  expect(bad.body.error.message).toMatch(/maxPoints/);

  // Another user's job, an unknown job and a trial a training job does not have are all unknown.
  expect((await t.call('GET', '/api/v1/jobs/use_1/usage', undefined, 'bob-token')).status).toBe(404);
  expect((await t.call('GET', '/api/v1/jobs/nope/usage')).status).toBe(404);
  expect((await t.call('GET', '/api/v1/jobs/use_1/trials/1/usage')).status).toBe(404);
  expect((await t.call('GET', '/api/v1/jobs/use_1/usage', undefined, null)).status).toBe(401);

  expect((await t.call('DELETE', '/api/v1/jobs/use_1')).status).toBe(204);
  expect(await t.service.store.getUsage('use_1')).toEqual([]);
});
