import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { testDatabase } from '../../helpers/postgres.js';
import { writeNotebook } from '../../helpers/notebooks.js';
import { openSse } from '../../helpers/sse.js';
import { PROXY_DIR, PYTHON, runnerEnv, tempRoot, waitFor } from '../../helpers/service.js';

// Two service processes (dist/main.js) on one PostgreSQL database: a change made through one reaches a
// push stream opened on the other.

const TOKEN = 'replica-token';

interface Replica {
  child: ChildProcess;
  url: string;
  root: string;
  exited: Promise<unknown>;
}

const replicas: Replica[] = [];

async function startReplica(databaseUrl: string): Promise<Replica> {
  const root = tempRoot();
  const runtimeFile = path.join(root, 'rt.json');
  const child = spawn(
    process.execPath,
    [path.join(PROXY_DIR, 'dist', 'main.js'), 'serve', '--root-dir', root, '--runtime-file', runtimeFile, '--python', PYTHON,
     '--cpus', '1', '--memory-bytes', String(4 * 1024 ** 3), '--gpus', '0', '--log-level', 'warn'],
    { env: { ...runnerEnv(), LAKETAHOE_DATABASE_URL: databaseUrl, LAKETAHOE_TOKEN: TOKEN, LAKETAHOE_USER: 'erin' }, stdio: ['ignore', 'ignore', 'inherit'] }
  );
  const exited = new Promise(resolve => child.once('exit', resolve));
  await waitFor(async () => fs.existsSync(runtimeFile), 60_000, 'runtime file');
  const replica = { child, url: JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).url as string, root, exited };
  replicas.push(replica);
  return replica;
}

async function call(r: Replica, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(r.url + urlPath, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'x-laketahoe-request': '1', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  });
  return { status: res.status, body: await res.json() };
}

afterAll(async () => {
  for (const r of replicas) {
    r.child.kill('SIGTERM');
    await r.exited;
  }
});

test("a job submitted through replica A shows on replica B's event stream, large events included", async () => {
  const url = await testDatabase('replicas');
  const [a, b] = await Promise.all([startReplica(url), startReplica(url)]);
  writeNotebook(path.join(a.root, 'nb.ipynb'), ['print(len(blob))'], "blob = ''");
  const events = await openSse(`${b.url}/api/v1/events`, TOKEN);
  expect(events.status).toBe(200);
  const jobEvents = (jobId: string) => events.events.filter(e => e.event === 'job' && e.data.jobId === jobId).map(e => e.data.state as string);

  const submitted = await call(a, 'POST', '/api/v1/jobs', { jobId: 'via_a', trainingInput: { notebook: { path: 'nb.ipynb' } } });
  expect(submitted.status).toBe(201);
  await waitFor(async () => jobEvents('via_a').includes('QUEUED'), 5_000, 'the QUEUED event on replica B');
  await waitFor(async () => jobEvents('via_a').includes('SUCCEEDED'), 90_000, 'the SUCCEEDED event on replica B');
  // Every state change arrived, in order.
  const states = jobEvents('via_a');
  expect(states[0]).toBe('QUEUED');
  expect(states[states.length - 1]).toBe('SUCCEEDED');
  expect((await call(b, 'GET', '/api/v1/jobs/via_a')).body.state).toBe('SUCCEEDED');

  // A job event larger than a NOTIFY payload travels through the database.
  const blob = 'x'.repeat(12_000);
  const big = await call(a, 'POST', '/api/v1/jobs', { jobId: 'big_event', trainingInput: { notebook: { path: 'nb.ipynb', parameters: { blob } } } });
  expect(big.status).toBe(201);
  await waitFor(async () => events.events.some(e => e.event === 'job' && e.data.jobId === 'big_event'), 5_000, 'the large event on replica B');
  const received = events.events.find(e => e.event === 'job' && e.data.jobId === 'big_event')!;
  expect(received.data.trainingInput.notebook.parameters.blob).toBe(blob);
  events.close();
});
