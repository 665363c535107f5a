import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../../src/process/procinfo.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { openSse } from '../helpers/sse.js';

// These tests run real runner subprocesses executing tiny notebooks on a real ipykernel.
let t: TestService;
let root: string;

/** A cell that records the kernel's pid in the job's snapshot folder, to check it is gone later. */
const KERNEL_PID_CELL = "import os\nopen('kernel.pid', 'w').write(str(os.getpid()))";

beforeAll(async () => {
  root = tempRoot();
  writeNotebook(
    path.join(root, 'work', 'train.ipynb'),
    [
      'import os, laketahoe\nprint("threads", os.environ["OMP_NUM_THREADS"], "job", os.environ["LAKETAHOE_JOB_ID"])',
      'for i in range(3):\n    laketahoe.report(step=i, accuracy=0.5 + i * 0.1)',
      'print("value", n)\nprint(open("data.txt").read())'
    ],
    'n = 1'
  );
  fs.writeFileSync(path.join(root, 'work', 'data.txt'), 'from the folder');
  writeNotebook(path.join(root, 'fail.ipynb'), ['x = 1', "raise ValueError('boom')", 'print("never")']);
  writeNotebook(path.join(root, 'short.ipynb'), ['import time\ntime.sleep(2)\nprint("short done")']);
  writeNotebook(path.join(root, 'sleep.ipynb'), [KERNEL_PID_CELL, "import time\nprint('sleeping', flush=True)\ntime.sleep(300)"]);
  t = await startService(root);
});

afterAll(async () => {
  await t.close();
});

const submit = (body: unknown) => t.call('POST', '/api/v1/jobs', body);

async function kernelPid(jobId: string): Promise<number> {
  const file = path.join(root, 'laketahoe-jobs', jobId, 'snapshot', 'kernel.pid');
  await waitFor(async () => fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== '', 60_000, 'kernel.pid');
  return Number(fs.readFileSync(file, 'utf8'));
}

test('a notebook runs with parameters, reports metrics and pushes events; later edits do not change it', async () => {
  const events = await openSse(`${t.url}/api/v1/events`, t.token);
  expect(events.status).toBe(200);
  expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
  expect(events.headers.get('cache-control')).toBe('no-cache');
  expect(events.headers.get('x-accel-buffering')).toBe('no');
  expect(events.headers.get('content-length')).toBeNull();

  const r = await submit({
    jobId: 'train_ok',
    labels: { team: 'ml' },
    trainingInput: { notebook: { path: 'work/train.ipynb', parameters: { n: 7 }, includeFolder: true } }
  });
  expect(r.status).toBe(201);
  expect(r.body.state).toBe('QUEUED');
  // Edit the notebook right after submitting: the job runs the snapshot taken at submit.
  writeNotebook(path.join(root, 'work', 'train.ipynb'), ['print("edited")']);

  const job = await waitForState(t, 'train_ok', ['SUCCEEDED', 'FAILED']);
  expect(job.state).toBe('SUCCEEDED');
  expect(job.stateHistory.map((h: { state: string }) => h.state)).toEqual(['QUEUED', 'PREPARING', 'RUNNING', 'SUCCEEDED']);
  expect(job.trainingOutput.totalCells).toBeGreaterThanOrEqual(4);
  expect(job.trainingOutput.completedCells).toBe(job.trainingOutput.totalCells);
  expect(job.trainingOutput.latestMetrics).toEqual({ accuracy: 0.7 });
  expect(job.trainingOutput.exitCode).toBe(0);
  expect(job.trainingOutput.outputNotebook).toBe('laketahoe-jobs/train_ok/output.ipynb');
  expect(job.trainingOutput.resources).toEqual({ cpu: 1, memoryBytes: 2 * 1024 ** 3, gpus: [] });
  expect(job.labels).toEqual({ team: 'ml' });

  const metrics = await t.call('GET', '/api/v1/jobs/train_ok/metrics');
  expect(metrics.body.metrics.map((m: { step: number; value: number }) => [m.step, m.value])).toEqual([
    [0, 0.5],
    [1, 0.6],
    [2, 0.7]
  ]);

  const logs = await t.call('GET', '/api/v1/jobs/train_ok/logs');
  const texts = logs.body.lines.map((l: { text: string }) => l.text);
  expect(texts).toContain('value 7');
  expect(texts).toContain('threads 1 job train_ok');
  expect(texts).toContain('from the folder');
  expect(texts).not.toContain('edited');
  expect(texts.some((s: string) => s.startsWith('##laketahoe'))).toBe(false);
  expect(logs.body.nextSeq).toBe(logs.body.lines[logs.body.lines.length - 1].seq);
  const later = await t.call('GET', `/api/v1/jobs/train_ok/logs?after=${logs.body.nextSeq}`);
  expect(later.body.lines).toEqual([]);

  const out = await t.call('GET', '/api/v1/jobs/train_ok/outputs/output.ipynb');
  expect(out.status).toBe(200);
  expect(out.body.cells.length).toBeGreaterThan(0);

  // The log stream replays the stored lines and ends with the finished job.
  const stream = await openSse(`${t.url}/api/v1/jobs/train_ok/logs/stream`, t.token);
  await stream.ended;
  expect(stream.events.filter(e => e.event === 'log').map(e => e.data.text)).toEqual(texts);
  expect(stream.events[stream.events.length - 1]).toMatchObject({ event: 'end', data: { jobId: 'train_ok', state: 'SUCCEEDED' } });

  await waitFor(async () => events.events.some(e => e.event === 'job' && e.data.state === 'SUCCEEDED'), 10_000, 'SSE job event');
  events.close();
  const states = events.events.filter(e => e.event === 'job').map(e => e.data.state);
  // The new job is pushed as QUEUED before anything else happens to it.
  expect(states[0]).toBe('QUEUED');
  expect(states).toEqual(expect.arrayContaining(['PREPARING', 'RUNNING', 'SUCCEEDED']));
  const metricEvents = events.events.filter(e => e.event === 'metric');
  expect(metricEvents.map(e => e.data)).toEqual(
    expect.arrayContaining([expect.objectContaining({ jobId: 'train_ok', step: 2, name: 'accuracy', value: 0.7 })])
  );

  const list = await t.call('GET', '/api/v1/jobs?state=SUCCEEDED');
  expect(list.body.jobs.map((j: { jobId: string }) => j.jobId)).toContain('train_ok');
});

test('a failing notebook fails with the cell and traceback while another job runs on', async () => {
  expect((await submit({ jobId: 'other_ok', trainingInput: { notebook: { path: 'short.ipynb' } } })).status).toBe(201);
  expect((await submit({ jobId: 'fails', trainingInput: { notebook: { path: 'fail.ipynb' } } })).status).toBe(201);
  const failed = await waitForState(t, 'fails', ['SUCCEEDED', 'FAILED']);
  expect(failed.state).toBe('FAILED');
  // The second of the notebook's cells raised: numbered as the user counts, from 1.
  expect(failed.errorMessage).toMatch(/^Cell 2 raised ValueError: boom/);
  expect(failed.errorMessage).toMatch(/Traceback|raise ValueError/);
  expect(failed.trainingOutput.exitCode).toBe(1);
  const other = await waitForState(t, 'other_ok', ['SUCCEEDED', 'FAILED']);
  expect(other.state).toBe('SUCCEEDED');
});

test('a running job is cancelled, its processes killed; a queued job is cancelled at once', async () => {
  const r = await submit({
    jobId: 'sleeper',
    trainingInput: { scaleTier: 'CUSTOM', masterConfig: { resources: { cpu: 2, memoryGb: 1 } }, notebook: { path: 'sleep.ipynb' } }
  });
  expect(r.status).toBe(201);
  const waiting = await submit({ jobId: 'waits', trainingInput: { notebook: { path: 'short.ipynb' } } });
  expect(waiting.status).toBe(201);
  await waitForState(t, 'sleeper', ['RUNNING']);
  const kernel = await kernelPid('sleeper');
  expect((await t.call('GET', '/api/v1/jobs/waits')).body.state).toBe('QUEUED');

  const cq = await t.call('POST', '/api/v1/jobs/waits/cancel');
  expect(cq.status).toBe(200);
  expect(cq.body.state).toBe('CANCELLED');

  const record = await t.service.store.getJob('sleeper');
  const runnerPid = record!.runtime.pid!;
  const c = await t.call('POST', '/api/v1/jobs/sleeper/cancel');
  expect(c.body.state).toBe('CANCELLING');
  const done = await waitForState(t, 'sleeper', ['CANCELLED', 'FAILED', 'SUCCEEDED']);
  expect(done.state).toBe('CANCELLED');
  expect(done.stateHistory.map((h: { state: string }) => h.state)).toEqual(['QUEUED', 'PREPARING', 'RUNNING', 'CANCELLING', 'CANCELLED']);
  expect(isProcessAlive(runnerPid)).toBe(false);
  await waitFor(async () => !isProcessAlive(kernel), 15_000, 'kernel to exit');
  // The cancelled queued job never ran.
  const waits = await t.call('GET', '/api/v1/jobs/waits');
  expect(waits.body.state).toBe('CANCELLED');
  expect(waits.body.startTime).toBeNull();
});

test('a job past maxRunningTime is killed and FAILED', async () => {
  const r = await submit({ jobId: 'hangs', trainingInput: { scheduling: { maxRunningTime: '6s' }, notebook: { path: 'sleep.ipynb' } } });
  expect(r.status).toBe(201);
  const kernel = await kernelPid('hangs');
  const runnerPid = (await t.service.store.getJob('hangs'))!.runtime.pid!;
  const done = await waitForState(t, 'hangs', ['FAILED', 'SUCCEEDED', 'CANCELLED']);
  expect(done.state).toBe('FAILED');
  expect(done.errorMessage).toMatch(/maxRunningTime of 6s/);
  expect(done.stateHistory[done.stateHistory.length - 1].reason).toMatch(/maxRunningTime/);
  expect(isProcessAlive(runnerPid)).toBe(false);
  await waitFor(async () => !isProcessAlive(kernel), 15_000, 'kernel to exit');
});
