import fs from 'node:fs';
import path from 'node:path';
import { RETENTION_LABELS } from '../../src/jobs/retention.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';

// Retention applied by the service's background sweeper: a per-user rule from the service options and
// a group's rule from its runs' labels, over real runs on a real ipykernel and a real SQLite file.
let t: TestService;
let root: string;
const ENDED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

beforeAll(async () => {
  root = tempRoot();
  writeNotebook(path.join(root, 'quick.ipynb'), ['print("quick", flush=True)']);
  // Each user keeps their last 3 finished runs; sweeps every 400 ms.
  t = await startService(root, { retention: { keepLast: 3 }, retentionIntervalMs: 400 });
});

afterAll(async () => {
  await t.close();
});

async function run(jobId: string, token?: string, labels?: Record<string, string>): Promise<void> {
  const r = await t.call('POST', '/api/v1/jobs', { jobId, labels, trainingInput: { notebook: { path: 'quick.ipynb' } } }, token);
  expect(r.status).toBe(201);
  await waitFor(async () => ENDED.includes((await t.call('GET', `/api/v1/jobs/${jobId}`, undefined, token)).body.state), 90_000, jobId);
}
const ids = async (token?: string) => ((await t.call('GET', '/api/v1/jobs', undefined, token)).body.jobs as { jobId: string }[]).map(j => j.jobId);

test("the sweeper keeps each user's last finished runs and deletes the older ones with their folders", async () => {
  for (const id of ['r1', 'r2', 'r3']) {
    await run(id);
  }
  await run('bob1', 'bob-token');
  expect(fs.existsSync(path.join(root, 'laketahoe-jobs', 'r1'))).toBe(true);
  await run('r4');
  // The timer deletes the oldest of alice's four; bob's one run is under his own limit.
  await waitFor(async () => !(await ids()).includes('r1'), 10_000, 'r1 to be swept');
  expect((await ids()).sort()).toEqual(['r2', 'r3', 'r4']);
  expect(await ids('bob-token')).toEqual(['bob1']);
  expect(fs.existsSync(path.join(root, 'laketahoe-jobs', 'r1'))).toBe(false);
  expect((await t.call('GET', '/api/v1/jobs/r1/logs')).status).toBe(404);
});

test("a group's labels set its own rule; running jobs are never swept", async () => {
  const nightly = { [RETENTION_LABELS.group]: 'nightly', [RETENTION_LABELS.keepLast]: '1' };
  await run('n1', undefined, nightly);
  await run('n2', undefined, nightly);
  await waitFor(async () => !(await ids()).includes('n1'), 10_000, 'n1 to be swept');
  expect(await ids()).toContain('n2');
  // A sweep while a job runs leaves it alone (only finished runs count).
  writeNotebook(path.join(root, 'slow.ipynb'), ['import time\ntime.sleep(5)']);
  expect((await t.call('POST', '/api/v1/jobs', { jobId: 'slow', trainingInput: { notebook: { path: 'slow.ipynb' } } })).status).toBe(201);
  await waitForState(t, 'slow', ['RUNNING']);
  await t.service.retention.sweep();
  expect((await t.call('GET', '/api/v1/jobs/slow')).body.state).toBe('RUNNING');
  await waitForState(t, 'slow', ENDED);
});
