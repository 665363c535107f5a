import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { PROXY_DIR, PYTHON, runnerEnv, tempRoot, waitFor } from '../helpers/service.js';
import { databaseEnv } from '../helpers/stores.js';

// The service runs as a real child process (dist/main.js) and is killed with a real SIGKILL inside a
// crash window: a failpoint holds it there and says so on stderr, then the test kills it.
const TOKEN = 'crash-token';
let root: string;
let runtimeFile: string;

interface Proc {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Services started by a test, stopped after it whatever happened. */
const started: Proc[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
});

async function startProxy(failpoints = ''): Promise<Proc> {
  fs.rmSync(runtimeFile, { force: true });
  const child = spawn(
    process.execPath,
    [
      path.join(PROXY_DIR, 'dist', 'main.js'), 'serve',
      '--root-dir', root, '--runtime-file', runtimeFile, '--python', PYTHON,
      '--cpus', '1', '--memory-bytes', String(4 * 1024 ** 3), '--gpus', '0', '--log-level', 'warn'
    ],
    { env: { ...runnerEnv(), ...(await databaseEnv(root)), LAKETAHOE_TOKEN: TOKEN, LAKETAHOE_USER: 'carol', LAKETAHOE_FAILPOINTS: failpoints }, stdio: ['ignore', 'ignore', 'pipe'] }
  );
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  await waitFor(async () => fs.existsSync(runtimeFile), 30_000, 'runtime file');
  const info = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  const proc = { child, url: info.url, exited, stderr: () => err };
  started.push(proc);
  return proc;
}

async function call(p: Proc, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(p.url + urlPath, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  });
  return { status: res.status, body: await res.json() };
}

/** Kills the service with SIGKILL once it says it holds at `point`. */
async function killAt(p: Proc, point: string): Promise<void> {
  await waitFor(async () => p.stderr().includes(`failpoint ${point} reached`), 60_000, `failpoint ${point}`);
  p.child.kill('SIGKILL');
  await p.exited;
}

async function ended(p: Proc, jobId: string): Promise<any> {
  return waitFor(
    async () => {
      const r = await call(p, 'GET', `/api/v1/jobs/${jobId}`);
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.body.state) ? r.body : undefined;
    },
    90_000,
    `${jobId} to end`
  );
}

beforeAll(() => {
  root = tempRoot();
  runtimeFile = path.join(root, 'runtime', 'laketahoe-proxy.json');
  const ran = path.join(root, 'ran.txt');
  writeNotebook(path.join(root, 'work.ipynb'), [
    `import os, time\nwith open(${JSON.stringify(ran)}, 'a') as f:\n    f.write(os.environ['LAKETAHOE_JOB_ID'] + '\\n')\nprint('begin', flush=True)\ntime.sleep(3)\nprint('finished', flush=True)`
  ]);
});

test('kill -9 between staging and the database insert: the id can be submitted again', async () => {
  const first = await startProxy('after-stage');
  const pending = call(first, 'POST', '/api/v1/jobs', { jobId: 'staged_only', trainingInput: { notebook: { path: 'work.ipynb' } } }).catch(() => undefined);
  await killAt(first, 'after-stage');
  await pending;
  // The crash left the staged folder but no job.
  expect(fs.existsSync(path.join(root, 'laketahoe-jobs', 'staged_only', 'snapshot', 'work.ipynb'))).toBe(true);

  const second = await startProxy();
  expect((await call(second, 'GET', '/api/v1/jobs/staged_only')).status).toBe(404);
  const again = await call(second, 'POST', '/api/v1/jobs', { jobId: 'staged_only', trainingInput: { notebook: { path: 'work.ipynb' } } });
  expect(again.status).toBe(201);
  expect((await ended(second, 'staged_only')).state).toBe('SUCCEEDED');
  // A real duplicate is still refused.
  const dup = await call(second, 'POST', '/api/v1/jobs', { jobId: 'staged_only', trainingInput: { notebook: { path: 'work.ipynb' } } });
  expect(dup.status).toBe(409);
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
}, 180_000);

test('kill -9 between spawning the runner and saving its pid: the runner is adopted, runs once and its job succeeds', async () => {
  const first = await startProxy('after-spawn');
  expect((await call(first, 'POST', '/api/v1/jobs', { jobId: 'pid_unsaved', trainingInput: { notebook: { path: 'work.ipynb' } } })).status).toBe(201);
  await killAt(first, 'after-spawn');

  const second = await startProxy();
  const done = await ended(second, 'pid_unsaved');
  expect(done.errorMessage).toBe('');
  expect(done.state).toBe('SUCCEEDED');
  const logs = (await call(second, 'GET', '/api/v1/jobs/pid_unsaved/logs')).body.lines.map((l: any) => l.text);
  expect(logs.filter((s: string) => s === 'finished')).toHaveLength(1);
  expect(fs.readFileSync(path.join(root, 'ran.txt'), 'utf8').trim().split('\n').filter(s => s === 'pid_unsaved')).toHaveLength(1);
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
}, 180_000);
