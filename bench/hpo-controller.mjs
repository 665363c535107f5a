// What one trial's end costs the HPO controller for a job that already has many trials: the trial's
// update plus the reconcile pass it triggers (which creates the replacement trial), against a real
// SQLite store and a backend that only records what it is asked. Before the trial ledger every pass
// read and parsed all of the job's trials (twice), so the cost grew with the job's size.
//
// Usage: node bench/hpo-controller.mjs [--dist server-proxy/dist] [--trials 1000,5000] [--ends 200]
// Pass another checkout's dist (e.g. a build of the commit before) to compare in the same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const opt = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const dist = path.resolve(opt('dist', path.join(repo, 'server-proxy', 'dist')));
const sizes = opt('trials', '1000,5000').split(',').map(Number);
const ends = Number(opt('ends', 200));
const PARALLEL = 10;
const load = rel => import(pathToFileURL(path.join(dist, rel)).href);
const { SqliteStore } = await load('store/sqlite.js');
const { Experiments } = await load('orchestration/experiments.js');
const { trialRunId } = await load('orchestration/trialRuns.js');
const { JobUpdater } = await load('orchestration/statusUpdater.js');
const { EventBus } = await load('events.js');

const silent = { info() {}, warn() {}, error() {}, debug() {}, child: () => silent };
const backend = {
  enqueue() {},
  dequeue: () => true,
  terminate() {},
  workdir: runId => `/jobs/${runId}`,
  derive: (_parent, runId, change) => ({
    workdir: `/jobs/${runId}`,
    plan: { kind: 'notebook', path: 'train.ipynb', parameters: change.parameters },
    request: { cpu: 1, memoryBytes: 2 ** 30, gpu: 1 },
    env: change.env
  })
};

/** A finished trial as the runner leaves it: 20 metric steps, the runtime a real trial carries. */
function finishedTrial(jobId, n) {
  const x = (n * 0.6180339887) % 1;
  const allMetrics = Array.from({ length: 20 }, (_, i) => ({ trainingStep: i + 1, objectiveValue: x * (i + 1) / 20 }));
  const runId = trialRunId(jobId, String(n));
  return {
    owner: 'alice',
    trial: {
      jobId, trialId: String(n), state: 'SUCCEEDED', hyperparameters: { x, layers: 1 + (n % 4) },
      finalMetric: allMetrics[19], allMetrics, isTrialStoppedEarly: false,
      createTime: '2026-12-01T00:00:00.000Z', startTime: '2026-12-01T00:00:01.000Z', endTime: '2026-12-01T00:01:00.000Z', errorMessage: ''
    },
    runtime: {
      ...backend.derive(null, runId, { parameters: { x }, env: { LAKETAHOE_JOB_ID: jobId, LAKETAHOE_TRIAL_ID: String(n) } }),
      output: { completedCells: 12, totalCells: 12, latestMetrics: { acc: x }, exitCode: 0, resources: { cpu: 1, memoryBytes: 2 ** 30, gpus: [] } },
      queue: { priority: 'middle', order: `2026-12-01T00:00:00.000Z/${n}` }
    }
  };
}

async function measure(size) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-hpo-bench-'));
  const store = new SqliteStore(path.join(root, 'laketahoe.db'));
  const bus = new EventBus();
  const jobs = new JobUpdater(store, bus);
  const experiments = new Experiments({ store, jobs, backend, bus, log: silent, rootDir: root });
  const jobId = 'hpo';
  const now = new Date().toISOString();
  const hyperparameters = {
    hyperparameterMetricTag: 'acc', goal: 'MAXIMIZE', algorithm: 'RANDOM_SEARCH',
    maxTrials: size + PARALLEL + ends, maxParallelTrials: PARALLEL,
    params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }, { parameterName: 'layers', type: 'INTEGER', minValue: 1, maxValue: 4 }]
  };
  const job = {
    jobId, owner: 'alice', state: 'RUNNING', createTime: now, startTime: now, endTime: null, errorMessage: '', labels: {},
    trainingInput: { notebook: { path: 'train.ipynb' }, hyperparameters },
    trainingOutput: { completedCells: 0, totalCells: 0, latestMetrics: {}, exitCode: null, resources: { cpu: 1, memoryBytes: 1, gpus: [] } },
    stateHistory: [{ state: 'QUEUED', time: now, reason: 'submitted' }, { state: 'PREPARING', time: now, reason: '' }, { state: 'RUNNING', time: now, reason: '' }]
  };
  await store.createJob({ job, runtime: { workdir: `/jobs/${jobId}`, plan: { kind: 'notebook' }, request: { cpu: 1, memoryBytes: 1, gpu: 0 }, hpo: {} } });
  await store.createTrials(Array.from({ length: size }, (_, i) => finishedTrial(jobId, i + 1)));
  await experiments.start();
  await experiments.idle();

  // Ends the oldest unfinished trial, again and again; each end brings one pass and one new trial.
  const started = process.hrtime.bigint();
  for (let i = 0; i < ends; i++) {
    const runId = trialRunId(jobId, String(size + i + 1));
    await experiments.trials.update(runId, r => {
      r.transition('PREPARING', 'allocated');
      r.transition('RUNNING', 'started');
      r.recordMetrics([{ step: 1, name: 'acc', value: Math.random(), time: now }]);
      r.transition('SUCCEEDED', 'ended');
    });
    await experiments.idle();
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const trials = (await store.listAllTrials(jobId)).length;
  experiments.stop();
  await store.close();
  fs.rmSync(root, { recursive: true, force: true });
  if (trials !== size + PARALLEL + ends) {
    throw new Error(`expected ${size + PARALLEL + ends} trials, found ${trials}`);
  }
  return ms / ends;
}

console.log(`dist: ${dist}`);
for (const size of sizes) {
  const perEnd = await measure(size);
  console.log(`${size} stored trials: ${perEnd.toFixed(2)} ms per trial end (update + reconcile pass), ${ends} ends`);
}
