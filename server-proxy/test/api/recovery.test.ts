import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { PROXY_DIR, PYTHON, runnerEnv, tempRoot, waitFor } from '../helpers/service.js';
import { databaseEnv } from '../helpers/stores.js';

// The service runs as a real child process (dist/main.js, built by `npm test`) and is killed with SIGKILL.
const TOKEN = 'recovery-token';
let root: string;
let runtimeFile: string;

interface Proc {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function startProxy(): Promise<Proc> {
  fs.rmSync(runtimeFile, { force: true });
  const child = spawn(
    process.execPath,
    [
      path.join(PROXY_DIR, 'dist', 'main.js'), 'serve',
      '--root-dir', root, '--runtime-file', runtimeFile, '--python', PYTHON,
      '--cpus', '1', '--memory-bytes', String(4 * 1024 ** 3), '--gpus', '0', '--log-level', 'warn'
    ],
    { env: { ...runnerEnv(), ...(await databaseEnv(root)), LAKETAHOE_TOKEN: TOKEN, LAKETAHOE_USER: 'carol' }, stdio: ['ignore', 'ignore', 'inherit'] }
  );
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  await waitFor(async () => fs.existsSync(runtimeFile), 30_000, 'runtime file');
  const info = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  expect(info).toMatchObject({ token: TOKEN, pid: child.pid, rootDir: root, user: 'carol', socket: null });
  expect(fs.statSync(runtimeFile).mode & 0o777).toBe(0o600);
  return { child, url: info.url, exited };
}

async function call(p: Proc, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(p.url + urlPath, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'x-laketahoe-request': '1', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  });
  return { status: res.status, body: await res.json() };
}

async function state(p: Proc, jobId: string, states: string[]): Promise<any> {
  return waitFor(
    async () => {
      const r = await call(p, 'GET', `/api/v1/jobs/${jobId}`);
      return states.includes(r.body.state) ? r.body : undefined;
    },
    90_000,
    `${jobId} in ${states.join('|')}`
  );
}

beforeAll(() => {
  root = tempRoot();
  runtimeFile = path.join(root, 'runtime', 'laketahoe-proxy.json');
  const ran = path.join(root, 'ran.txt');
  writeNotebook(
    path.join(root, 'slow.ipynb'),
    [
      `import os, time, laketahoe\nwith open(${JSON.stringify(ran)}, 'a') as f:\n    f.write(os.environ['LAKETAHOE_JOB_ID'] + '\\n')\nprint('begin', flush=True)`,
      'time.sleep(seconds)',
      "laketahoe.report(step=1, loss=0.25)\nprint('finished', flush=True)"
    ],
    'seconds = 1'
  );
});

test('after kill -9 of the service, a running job is re-adopted and a queued one resumes, each run once', async () => {
  const first = await startProxy();
  expect((await call(first, 'POST', '/api/v1/jobs', { jobId: 'runs_through', trainingInput: { notebook: { path: 'slow.ipynb', parameters: { seconds: 6 } } } })).status).toBe(201);
  expect((await call(first, 'POST', '/api/v1/jobs', { jobId: 'was_queued', trainingInput: { notebook: { path: 'slow.ipynb' } } })).status).toBe(201);
  await state(first, 'runs_through', ['RUNNING']);
  // Wait until the job is mid-way (its first cell printed) before killing the service.
  await waitFor(async () => (await call(first, 'GET', '/api/v1/jobs/runs_through/logs')).body.lines.some((l: any) => l.text === 'begin'), 60_000, 'begin line');
  expect((await call(first, 'GET', '/api/v1/jobs/was_queued')).body.state).toBe('QUEUED');
  first.child.kill('SIGKILL');
  await first.exited;

  const second = await startProxy();
  const done = await state(second, 'runs_through', ['SUCCEEDED', 'FAILED', 'CANCELLED']);
  expect(done.state).toBe('SUCCEEDED');
  expect(done.stateHistory.map((h: any) => h.state)).toEqual(['QUEUED', 'PREPARING', 'RUNNING', 'SUCCEEDED']);
  expect(done.trainingOutput.latestMetrics).toEqual({ loss: 0.25 });
  const queued = await state(second, 'was_queued', ['SUCCEEDED', 'FAILED', 'CANCELLED']);
  expect(queued.state).toBe('SUCCEEDED');

  // Each notebook ran exactly once and its output was read once, across the restart.
  expect(fs.readFileSync(path.join(root, 'ran.txt'), 'utf8').trim().split('\n').sort()).toEqual(['runs_through', 'was_queued']);
  const logs = (await call(second, 'GET', '/api/v1/jobs/runs_through/logs')).body.lines.map((l: any) => l.text);
  expect(logs.filter((s: string) => s === 'begin')).toHaveLength(1);
  expect(logs.filter((s: string) => s === 'finished')).toHaveLength(1);
  const metrics = (await call(second, 'GET', '/api/v1/jobs/runs_through/metrics')).body.metrics;
  expect(metrics).toHaveLength(1);

  // A clean shutdown removes the runtime file.
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  expect(fs.existsSync(runtimeFile)).toBe(false);
});

test('a runner that died while the service was down is marked FAILED', async () => {
  const first = await startProxy();
  expect((await call(first, 'POST', '/api/v1/jobs', { jobId: 'orphan', trainingInput: { notebook: { path: 'slow.ipynb', parameters: { seconds: 60 } } } })).status).toBe(201);
  await state(first, 'orphan', ['RUNNING']);
  first.child.kill('SIGKILL');
  await first.exited;
  // Kill the runner's whole group without letting it write exit.json.
  const workdir = path.join(root, 'laketahoe-jobs', 'orphan');
  const inWorkdir = (pid: number) => {
    try {
      const cwd = fs.realpathSync(`/proc/${pid}/cwd`);
      return cwd === workdir || cwd.startsWith(workdir + path.sep);
    } catch {
      return false;
    }
  };
  const pids = fs.readdirSync('/proc').filter(n => /^\d+$/.test(n)).map(Number).filter(inWorkdir);
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }
  await waitFor(async () => !pids.some(inWorkdir), 10_000, 'runner gone');
  const second = await startProxy();
  const done = await state(second, 'orphan', ['SUCCEEDED', 'FAILED', 'CANCELLED']);
  expect(done.state).toBe('FAILED');
  expect(done.errorMessage).toBe('runner exited while the service was down');
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
});
