import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { childServiceLogging, ENDED_STATES, PROXY_DIR, PYTHON, runnerEnv, tempRoot, waitFor, waitForJob } from '../helpers/service.js';
import { databaseEnv } from '../helpers/stores.js';

// The service runs as a real child process (dist/main.js, built by `npm test`) and is killed with SIGKILL
// while trials of an HPO job run.
const TOKEN = 'hpo-recovery-token';
let root: string;
let runtimeFile: string;

interface Proc {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function startProxy(): Promise<Proc> {
  fs.rmSync(runtimeFile, { force: true });
  const logging = childServiceLogging();
  const child = spawn(
    process.execPath,
    [
      path.join(PROXY_DIR, 'dist', 'main.js'), 'serve',
      '--root-dir', root, '--runtime-file', runtimeFile, '--python', PYTHON,
      '--cpus', '2', '--memory-bytes', String(8 * 1024 ** 3), '--gpus', '0', '--log-level', logging.level
    ],
    { env: { ...runnerEnv(), ...(await databaseEnv(root)), LAKETAHOE_TOKEN: TOKEN, LAKETAHOE_USER: 'dave' }, stdio: ['ignore', logging.stdout, 'inherit'] }
  );
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  await waitFor(async () => fs.existsSync(runtimeFile), 30_000, 'runtime file');
  const info = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
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

beforeAll(() => {
  root = tempRoot();
  runtimeFile = path.join(root, 'runtime', 'laketahoe-proxy.json');
  const ran = path.join(root, 'ran.txt');
  writeNotebook(
    path.join(root, 'trial.ipynb'),
    [
      `import os, time, laketahoe\nwith open(${JSON.stringify(ran)}, 'a') as f:\n    f.write(os.environ['LAKETAHOE_TRIAL_ID'] + '\\n')\nprint('begin', flush=True)`,
      'for step in range(1, 4):\n    time.sleep(1)\n    laketahoe.report(step=step, accuracy=x * step)'
    ],
    'x = 0.0'
  );
});

test('after kill -9 of the service mid-experiment, the HPO job ends with exactly maxTrials trials, none run twice', async () => {
  const first = await startProxy();
  const spec = {
    hyperparameterMetricTag: 'accuracy',
    maxTrials: 5,
    maxParallelTrials: 2,
    params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }]
  };
  expect((await call(first, 'POST', '/api/v1/jobs', { jobId: 'hpo_restart', trainingInput: { notebook: { path: 'trial.ipynb' }, hyperparameters: spec } })).status).toBe(201);
  // Kill while trials run: two in flight, at least one of them mid-way through its notebook.
  await waitFor(
    async () => {
      const running = (await call(first, 'GET', '/api/v1/jobs/hpo_restart/trials?state=RUNNING')).body.trials;
      return running.length === 2 && running.some((t: any) => t.allMetrics.length > 0);
    },
    90_000,
    'two running trials with a metric'
  );
  first.child.kill('SIGKILL');
  await first.exited;

  const second = await startProxy();
  const job = await waitForJob(async p => (await call(second, 'GET', p)).body, 'hpo_restart', ENDED_STATES, 120_000);
  expect(job.state).toBe('SUCCEEDED');
  const trials = (await call(second, 'GET', '/api/v1/jobs/hpo_restart/trials')).body.trials;
  expect(trials.map((t: any) => t.trialId)).toEqual(['1', '2', '3', '4', '5']);
  // A continuous space: every point is distinct.
  expect(new Set(trials.map((t: any) => JSON.stringify(t.hyperparameters))).size).toBe(5);
  for (const t of trials) {
    expect(t.state).toBe('SUCCEEDED');
    // Every value reported across the restart is there once.
    expect(t.allMetrics.map((m: any) => m.trainingStep)).toEqual([1, 2, 3]);
    expect(t.finalMetric.objectiveValue).toBeCloseTo(t.hyperparameters.x * 3, 9);
    const begins = (await call(second, 'GET', `/api/v1/jobs/hpo_restart/trials/${t.trialId}/logs`)).body.lines.filter((l: any) => l.text === 'begin');
    expect(begins).toHaveLength(1);
  }
  expect(job.trainingOutput).toMatchObject({ completedTrialCount: 5, trialCounts: { SUCCEEDED: 5 } });
  // Each trial's notebook ran exactly once.
  expect(fs.readFileSync(path.join(root, 'ran.txt'), 'utf8').trim().split('\n').sort()).toEqual(['1', '2', '3', '4', '5']);

  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  // Longer than its own waits (90 s, then 120 s), so a slow machine fails there, saying what did not happen.
}, 300_000);
