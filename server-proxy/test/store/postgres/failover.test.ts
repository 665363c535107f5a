import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../../../src/process/procinfo.js';
import { openStores } from '../../../src/store/open.js';
import { testDatabase } from '../../helpers/postgres.js';
import { writeNotebook } from '../../helpers/notebooks.js';
import { call, leads, modelServerPids as modelServerPidsIn, startReplica as startReplicaIn, type Replica } from '../../helpers/replicas.js';
import { ENDED_STATES, PROXY_DIR, PYTHON, tempRoot, waitFor, waitForJob } from '../../helpers/service.js';

// Two service processes (dist/main.js) on one PostgreSQL database, sharing the user's folder and jobs
// folder as replicas share a volume. The leader is killed with SIGKILL while an HPO job runs parallel
// trials on the local backend and a deployment answers inference sent through the follower; the
// follower takes over, adopts the running trials and the model server, and finishes the job.

const replicas: Replica[] = [];
let root: string;
let closeStore = async () => undefined as void;

async function startReplica(name: string, databaseUrl: string): Promise<Replica> {
  const replica = await startReplicaIn(root, name, databaseUrl);
  replicas.push(replica);
  return replica;
}

const modelServerPids = () => modelServerPidsIn(root, 'iris-live');

afterAll(async () => {
  await closeStore();
  for (const r of replicas) {
    r.child.kill('SIGTERM');
    await r.exited;
  }
  // A leader stopping gracefully hands its model server over to the next one (it keeps running): stop it.
  if (root) {
    modelServerPids().forEach(pid => process.kill(-pid, 'SIGKILL'));
  }
});

test('kill -9 of the leader mid-experiment and mid-traffic: the follower takes over within 15 s, the job ends with exactly maxTrials trials, none twice, and inference never stops', async () => {
  root = tempRoot();
  execFileSync(PYTHON, [path.join(PROXY_DIR, 'test', 'serving', 'make_models.py'), path.join(root, 'models')]);
  const ran = path.join(root, 'ran.txt');
  writeNotebook(
    path.join(root, 'trial.ipynb'),
    [
      `import os, time, laketahoe\nwith open(${JSON.stringify(ran)}, 'a') as f:\n    f.write(os.environ.get('LAKETAHOE_TRIAL_ID', 'job') + '\\n')\nprint('begin', flush=True)`,
      'for step in range(1, 5):\n    time.sleep(1)\n    laketahoe.report(step=step, accuracy=x * step)'
    ],
    'x = 0.0'
  );
  const url = await testDatabase('failover');
  const a = await startReplica('a', url);
  const b = await startReplica('b', url);
  expect(await leads(a)).toBe(true);
  expect(await leads(b)).toBe(false);

  // A deployment made through the leader, which starts its model server; inference goes through the follower.
  expect((await call(a, 'POST', '/api/v1/models', { path: 'models/iris' })).status).toBe(201);
  expect((await call(a, 'POST', '/api/v1/deployments', { name: 'iris-live', model: { name: 'iris', version: 1 } })).status).toBe(201);
  await waitFor(async () => (await call(b, 'GET', '/api/v1/deployments/iris-live')).body.state === 'READY', 120_000, 'the deployment to be ready');
  const { store } = await openStores({ dataDir: '', databaseUrl: url });
  closeStore = () => store.close();
  const serverBefore = (await store.getDeployment('erin', 'iris-live'))!.runtime.servers;
  expect(serverBefore).toHaveLength(1);
  const answered: number[] = [];
  let inferring = true;
  const inference = (async () => {
    const body = { inputs: [{ name: 'input-0', datatype: 'FP64', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] };
    while (inferring) {
      answered.push((await call(b, 'POST', '/api/v1/deployments/iris-live/v2/models/iris/infer', body)).status);
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  })();

  // Submitted through the follower: the leader picks the job up and runs its trials.
  const spec = {
    hyperparameterMetricTag: 'accuracy',
    maxTrials: 4,
    maxParallelTrials: 2,
    params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }]
  };
  const submitted = await call(b, 'POST', '/api/v1/jobs', { jobId: 'hpo_failover', trainingInput: { notebook: { path: 'trial.ipynb' }, hyperparameters: spec } });
  expect(submitted.status).toBe(201);
  // A plain job submitted through the follower runs too (on the leader), and only once.
  const plain = await call(b, 'POST', '/api/v1/jobs', { jobId: 'plain', trainingInput: { notebook: { path: 'trial.ipynb', parameters: { x: 0.5 } } } });
  expect(plain.status).toBe(201);

  await waitFor(
    async () => {
      const running = (await call(b, 'GET', '/api/v1/jobs/hpo_failover/trials?state=RUNNING')).body.trials;
      return running.length === 2 && running.some((t: any) => t.allMetrics.length > 0);
    },
    120_000,
    'two running trials with a metric'
  );
  a.child.kill('SIGKILL');
  const killed = Date.now();
  await a.exited;
  await waitFor(async () => leads(b), 15_000, 'the follower to lead');
  const takeover = Date.now() - killed;
  expect(takeover).toBeLessThan(15_000);

  // The new leader adopts the model server the dead one started: same process, still READY, never restarted.
  const adopted = await waitFor(
    async () => {
      const d = (await call(b, 'GET', '/api/v1/deployments/iris-live')).body;
      return d.stateHistory.some((h: any) => h.reason.includes('adopted')) ? d : undefined;
    },
    60_000,
    'the model server to be adopted'
  );
  const atAdoption = answered.length;
  await waitFor(async () => answered.length >= atAdoption + 10, 30_000, 'answers after the adoption');
  inferring = false;
  await inference;
  expect(answered.filter(status => status !== 200)).toEqual([]);
  expect(adopted).toMatchObject({ state: 'READY', restarts: 0 });
  expect(adopted.stateHistory.map((h: any) => h.state)).toEqual(['DEPLOYING', 'READY', 'READY']);
  const serverAfter = (await store.getDeployment('erin', 'iris-live'))!.runtime.servers;
  expect(serverAfter.map(s => [s.pid, s.pidStartTime])).toEqual(serverBefore.map(s => [s.pid, s.pidStartTime]));
  expect(isProcessAlive(serverAfter[0].pid!, serverAfter[0].pidStartTime)).toBe(true);
  expect(modelServerPids()).toEqual([serverAfter[0].pid]);
  // Every answer the follower forwarded is counted once in the monitoring history.
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const counted = async () =>
    ((await call(b, 'GET', `/api/v1/deployments/iris-live/monitoring?step=10&since=${since}`)).body.series as { requests: number }[]).reduce(
      (n, p) => n + p.requests,
      0
    );
  let total = await counted();
  for (const deadline = Date.now() + 30_000; total !== answered.length && Date.now() < deadline; total = await counted()) {
    await new Promise(r => setTimeout(r, 250));
  }
  expect(total).toBe(answered.length);

  const viaFollower = async (apiPath: string) => (await call(b, 'GET', apiPath)).body;
  const job = await waitForJob(viaFollower, 'hpo_failover', ENDED_STATES, 180_000);
  expect(job.state).toBe('SUCCEEDED');
  const trials = (await call(b, 'GET', '/api/v1/jobs/hpo_failover/trials')).body.trials;
  expect(trials.map((t: any) => t.trialId)).toEqual(['1', '2', '3', '4']);
  expect(new Set(trials.map((t: any) => JSON.stringify(t.hyperparameters))).size).toBe(4);
  for (const t of trials) {
    expect(t.state).toBe('SUCCEEDED');
    // Every value reported across the failover is there once.
    expect(t.allMetrics.map((m: any) => m.trainingStep)).toEqual([1, 2, 3, 4]);
    const begins = (await call(b, 'GET', `/api/v1/jobs/hpo_failover/trials/${t.trialId}/logs`)).body.lines.filter((l: any) => l.text === 'begin');
    expect(begins).toHaveLength(1);
  }
  expect(job.trainingOutput).toMatchObject({ completedTrialCount: 4, trialCounts: { SUCCEEDED: 4 } });
  const plainJob = await waitForJob(viaFollower, 'plain', ENDED_STATES, 120_000);
  expect(plainJob.state).toBe('SUCCEEDED');
  expect(plainJob.trainingOutput.latestMetrics.accuracy).toBe(2);
  // Each notebook ran exactly once: four trials and the plain job (which has no trial id).
  expect(fs.readFileSync(ran, 'utf8').trim().split('\n').sort()).toEqual(['1', '2', '3', '4', 'job']);
}, 240_000);
