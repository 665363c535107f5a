import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { LocalBackend } from '../../src/backends/local/backend.js';
import type { RunRequest } from '../../src/backends/runs.js';
import { EventBus } from '../../src/events.js';
import { Experiments } from '../../src/orchestration/experiments.js';
import { trialRunId } from '../../src/orchestration/trialRuns.js';
import type { Job } from '../../src/schemas/jobs.js';
import { JobUpdater, transition } from '../../src/orchestration/statusUpdater.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempRoot } from '../helpers/service.js';

// The controller against a real SQLite store and a fake backend that only records what it was asked.
const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as FastifyBaseLogger;

class FakeBackend {
  queued: string[] = [];
  terminated: string[] = [];
  dequeued: string[] = [];
  enqueue(item: RunRequest): void {
    this.queued.push(item.runId);
  }
  dequeue(runId: string): boolean {
    this.dequeued.push(runId);
    return true;
  }
  terminate(runId: string): void {
    this.terminated.push(runId);
  }
  workdir(runId: string): string {
    return `/jobs/${runId}`;
  }
  derive(_parent: unknown, runId: string, change: { parameters?: Record<string, unknown> }) {
    return { workdir: this.workdir(runId), plan: { kind: 'notebook', parameters: change.parameters }, request: { cpu: 1, memoryBytes: 1, gpu: 0 } };
  }
}

let store: SqliteStore;
let updater: JobUpdater;
let backend: FakeBackend;
let experiments: Experiments;

beforeEach(async () => {
  const root = tempRoot();
  store = new SqliteStore(path.join(root, 'db', 'laketahoe.db'));
  const bus = new EventBus();
  updater = new JobUpdater(store, bus);
  backend = new FakeBackend();
  experiments = new Experiments({
    store,
    jobs: updater,
    backend: backend as unknown as LocalBackend,
    bus,
    log: silent,
    rootDir: root
  });
  await experiments.start();
});

afterEach(async () => {
  await experiments.idle();
  await store.close();
});

async function createJob(jobId: string, hyperparameters: Record<string, unknown>): Promise<void> {
  const now = new Date().toISOString();
  const job: Job = {
    jobId,
    owner: 'alice',
    state: 'QUEUED',
    createTime: now,
    startTime: null,
    endTime: null,
    errorMessage: '',
    labels: {},
    trainingInput: { notebook: { path: 'x.ipynb' }, hyperparameters: hyperparameters as any },
    trainingOutput: { completedCells: 0, totalCells: 0, latestMetrics: {}, exitCode: null, resources: { cpu: 1, memoryBytes: 1, gpus: [] } },
    stateHistory: [{ state: 'QUEUED', time: now, reason: 'submitted' }]
  };
  await store.createJob({ job, runtime: { workdir: `/jobs/${jobId}`, plan: { kind: 'notebook' }, request: { cpu: 1, memoryBytes: 1, gpu: 0 }, hpo: {} } });
  experiments.schedule(jobId);
  await experiments.idle();
}

/** Plays a runner: starts the trial, reports `values` of the tag and ends it with `to`. */
async function finish(jobId: string, trialId: string, values: number[], to: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED'): Promise<void> {
  const runId = trialRunId(jobId, trialId);
  await experiments.trials.update(runId, r => {
    r.transition('PREPARING', 'allocated');
    r.transition('RUNNING', 'started');
    r.recordMetrics!(values.map((value, i) => ({ step: i + 1, name: 'acc', value, time: '' })));
  });
  await experiments.trials.update(runId, r => r.transition(to, 'ended'));
  await experiments.idle();
}

const spec = (extra: Record<string, unknown> = {}) => ({
  hyperparameterMetricTag: 'acc',
  algorithm: 'RANDOM_SEARCH',
  maxTrials: 5,
  maxParallelTrials: 2,
  params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }],
  ...extra
});

const trialStates = async (jobId: string) => (await store.listAllTrials(jobId)).map(t => t.trial.state);

test('keeps at most maxParallelTrials in flight and ends SUCCEEDED after exactly maxTrials', async () => {
  await createJob('j', spec());
  expect(backend.queued).toEqual(['j/trials/1', 'j/trials/2']);
  await finish('j', '1', [0.1, 0.4]);
  expect(backend.queued).toEqual(['j/trials/1', 'j/trials/2', 'j/trials/3']);
  for (const id of ['2', '3', '4', '5']) {
    expect((await store.getJob('j'))!.job.state).toBe('RUNNING');
    await finish('j', id, [Number(id) / 10]);
  }
  expect(backend.queued).toHaveLength(5);
  const job = (await store.getJob('j'))!.job;
  expect(job.state).toBe('SUCCEEDED');
  expect(job.trainingOutput).toMatchObject({ completedTrialCount: 5, trialCounts: { SUCCEEDED: 5 } });
  // LAST selection: trial 5 reported 0.5, trial 1 last reported 0.4.
  expect(job.trainingOutput.bestTrial?.trialId).toBe('5');
});

test('a reconcile pass that fails is tried again: the job ends even when no trial event comes after the failure', async () => {
  await createJob('r', spec({ maxTrials: 1, maxParallelTrials: 1 }));
  expect(backend.queued).toEqual(['r/trials/1']);
  // The pass after the last trial's end fails once (a store error, say); nothing else will wake the job.
  const getJob = store.getJob.bind(store);
  let failures = 0;
  store.getJob = async (jobId: string) => {
    const trialEnded = (await store.listAllTrials('r')).every(t => t.trial.state === 'SUCCEEDED');
    if (jobId === 'r' && failures === 0 && trialEnded) {
      failures += 1;
      throw new Error('connection lost');
    }
    return getJob(jobId);
  };
  await finish('r', '1', [0.3]);
  expect(failures).toBe(1);
  const ended = async () => {
    for (let i = 0; i < 50; i++) {
      const state = (await getJob('r'))!.job.state;
      if (state !== 'RUNNING') {
        return state;
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    return 'RUNNING';
  };
  expect(await ended()).toBe('SUCCEEDED');
});

test('trial numbers with a gap (left by an older version): new trials are numbered after the highest and the job ends', async () => {
  await createJob('g', spec({ maxTrials: 3, maxParallelTrials: 1 }));
  // Trial 3 stored beside trial 1 with no trial 2, as the miscount of an older version left them.
  const third = structuredClone((await store.getTrial('g', '1'))!);
  Object.assign(third.trial, { trialId: '3', state: 'SUCCEEDED', finalMetric: { trainingStep: 1, objectiveValue: 0.2 } });
  await store.createTrials([third]);
  await finish('g', '1', [0.1]);
  expect(backend.queued).toEqual(['g/trials/1', 'g/trials/4']);
  await finish('g', '4', [0.3]);
  expect((await store.listAllTrials('g')).map(t => t.trial.trialId)).toEqual(['1', '3', '4']);
  expect((await store.getJob('g'))!.job).toMatchObject({ state: 'SUCCEEDED', trainingOutput: { completedTrialCount: 3 } });
});

test('a job fails once more than maxFailedTrials trials failed and the rest are cancelled', async () => {
  await createJob('f', spec({ maxFailedTrials: 1 }));
  await finish('f', '1', [], 'SUCCEEDED');
  const first = (await store.getTrial('f', '1'))!.trial;
  expect(first).toMatchObject({ state: 'FAILED', errorMessage: 'metric acc was never reported' });
  expect((await store.getJob('f'))!.job.state).toBe('RUNNING');
  await finish('f', '3', [], 'FAILED');
  const job = (await store.getJob('f'))!.job;
  expect(job.state).toBe('FAILED');
  expect(job.errorMessage).toBe('2 trials failed, more than maxFailedTrials (1)');
  // Trial 2 never started: dropped from the queue.
  expect(await trialStates('f')).toEqual(['FAILED', 'CANCELLED', 'FAILED']);
  expect(backend.dequeued).toEqual(['f/trials/2']);
});

test('stop and cancel end the experiment without new trials', async () => {
  await createJob('s', spec());
  await experiments.trials.update(trialRunId('s', '1'), r => {
    r.transition('PREPARING', 'allocated');
    r.transition('RUNNING', 'started');
  });
  await experiments.requestStop('s');
  await experiments.idle();
  expect(await trialStates('s')).toEqual(['RUNNING', 'CANCELLED']);
  await finish2('s', '1');
  const stopped = (await store.getJob('s'))!.job;
  expect(stopped.state).toBe('SUCCEEDED');
  expect(backend.queued).toEqual(['s/trials/1', 's/trials/2']);

  await createJob('c', spec());
  await experiments.trials.update(trialRunId('c', '1'), r => {
    r.transition('PREPARING', 'allocated');
    r.transition('RUNNING', 'started');
  });
  await experiments.idle();
  await updater.update('c', r => transition(r, 'CANCELLING', 'cancel'));
  experiments.schedule('c');
  await experiments.idle();
  expect(await trialStates('c')).toEqual(['CANCELLING', 'CANCELLED']);
  expect(backend.terminated).toEqual(['c/trials/1']);
  await experiments.trials.update(trialRunId('c', '1'), r => r.transition('CANCELLED', 'killed'));
  await experiments.idle();
  expect((await store.getJob('c'))!.job.state).toBe('CANCELLED');
});

/** Ends a running trial after it reported one value. */
async function finish2(jobId: string, trialId: string): Promise<void> {
  await experiments.trials.update(trialRunId(jobId, trialId), r => {
    r.recordMetrics!([{ step: 1, name: 'acc', value: 0.5, time: '' }]);
    r.transition('SUCCEEDED', 'ended');
  });
  await experiments.idle();
}

test('a restarted controller adds no trial while the stored ones fill the parallel slots', async () => {
  await createJob('d1', spec({ maxParallelTrials: 1 }));
  const a = (await store.getTrial('d1', '1'))!.trial.hyperparameters;
  await experiments.idle();
  // A fresh controller over the same store proposes nothing new while trial 1 is in flight.
  const again = new Experiments({ store, jobs: updater, backend: backend as unknown as LocalBackend, bus: new EventBus(), log: silent, rootDir: '/' });
  await again.start();
  await again.idle();
  expect((await store.listAllTrials('d1')).map(t => t.trial.hyperparameters)).toEqual([a]);
});
