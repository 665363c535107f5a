import fs from 'node:fs';
import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { openSse } from '../helpers/sse.js';

// HPO jobs whose trials are real runner subprocesses executing tiny notebooks on a real ipykernel.
let t: TestService;
let root: string;

const ENDED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

beforeAll(async () => {
  root = tempRoot();
  // score peaks at x = 0.3; the "b" kind adds 0.5.
  writeNotebook(
    path.join(root, 'quad.ipynb'),
    [
      'import laketahoe\nscore = 1 - (x - 0.3) ** 2 + (0.5 if kind == "b" else 0.0)\nprint("trial", x, kind, flush=True)',
      'laketahoe.report(step=1, score=score - 0.1)\nlaketahoe.report(step=2, score=score, other=1.0)'
    ],
    'x = 0.0\nkind = "a"\nbase = "unchanged"'
  );
  writeNotebook(path.join(root, 'nometric.ipynb'), ['import laketahoe\nlaketahoe.report(step=1, loss=x)'], 'x = 0.0');
  // A learning curve per variant; the bad ones stay low from the start.
  writeNotebook(
    path.join(root, 'curve.ipynb'),
    [
      'import time, laketahoe\nlevel = {"good": 0.9, "bad": 0.2, "worse": 0.1}[variant]\nfor step in range(1, 9):\n    laketahoe.report(step=step, accuracy=level + step * 0.001)\n    time.sleep(0.4)'
    ],
    'variant = "good"'
  );
  writeNotebook(
    path.join(root, 'slow.ipynb'),
    ['import time, laketahoe\nprint("started", flush=True)\ntime.sleep(seconds)\nlaketahoe.report(step=1, accuracy=x)'],
    'x = 0.0\nseconds = 3'
  );
  // x = 1 diverges: its loss is NaN (x = 2: infinite), yet the notebook runs on to its end.
  writeNotebook(
    path.join(root, 'diverge.ipynb'),
    [
      'import laketahoe\nloss = {0: 0.5, 1: float("nan"), 2: float("inf")}[x]\nlaketahoe.report(step=1, loss=loss, other=1.0)\nprint("ran on after", loss, flush=True)'
    ],
    'x = 0'
  );
  t = await startService(root);
});

afterAll(async () => {
  await t.close();
});

const submit = (body: unknown) => t.call('POST', '/api/v1/jobs', body);
const trials = async (jobId: string, query = '') => (await t.call('GET', `/api/v1/jobs/${jobId}/trials${query}`)).body;

function quadSpec(extra: Record<string, unknown> = {}) {
  return {
    goal: 'MAXIMIZE',
    hyperparameterMetricTag: 'score',
    maxTrials: 4,
    maxParallelTrials: 2,
    params: [
      { parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 },
      { parameterName: 'kind', type: 'CATEGORICAL', categoricalValues: ['a', 'b'] }
    ],
    ...extra
  };
}

test('a Bayesian HPO job runs maxTrials notebook trials, at most maxParallelTrials at once, and finds the best', async () => {
  const events = await openSse(`${t.url}/api/v1/events`, t.token);
  const r = await submit({
    jobId: 'hpo_quad',
    trainingInput: { notebook: { path: 'quad.ipynb', parameters: { base: 'kept' } }, hyperparameters: quadSpec({ resumePreviousJobId: '' }) }
  });
  expect(r.status).toBe(201);
  expect(r.body.state).toBe('QUEUED');
  expect(r.body.trainingOutput).toMatchObject({ isHyperparameterTuningJob: true, hyperparameterMetricTag: 'score', completedTrialCount: 0 });

  const job = await waitForState(t, 'hpo_quad', ENDED, 120_000);
  expect(job.state).toBe('SUCCEEDED');
  expect(job.stateHistory.map((h: any) => h.state)).toEqual(['QUEUED', 'PREPARING', 'RUNNING', 'SUCCEEDED']);
  const list = await trials('hpo_quad');
  expect(list.trials.map((x: any) => x.trialId)).toEqual(['1', '2', '3', '4']);
  for (const trial of list.trials) {
    expect(trial.state).toBe('SUCCEEDED');
    const { x, kind } = trial.hyperparameters;
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(1);
    const score = 1 - (x - 0.3) ** 2 + (kind === 'b' ? 0.5 : 0);
    // LAST: the value at step 2; allMetrics holds only the metric tag's values.
    expect(trial.finalMetric.trainingStep).toBe(2);
    expect(trial.finalMetric.objectiveValue).toBeCloseTo(score, 9);
    expect(trial.allMetrics).toHaveLength(2);
    expect(trial.isTrialStoppedEarly).toBe(false);
    expect(trial.outputNotebook).toBe(`laketahoe-jobs/hpo_quad/trials/${trial.trialId}/output.ipynb`);
  }
  const keys = new Set(list.trials.map((x: any) => JSON.stringify(x.hyperparameters)));
  expect(keys.size).toBe(4);
  const best = [...list.trials].sort((a: any, b: any) => b.finalMetric.objectiveValue - a.finalMetric.objectiveValue)[0];
  expect(job.trainingOutput.bestTrial.trialId).toBe(best.trialId);
  expect(job.trainingOutput).toMatchObject({ completedTrialCount: 4, trialCounts: { SUCCEEDED: 4 }, completedCells: 0, totalCells: 0 });

  // The job's own notebook parameters reach every trial, under the trial's hyperparameters.
  const out = JSON.parse(fs.readFileSync(path.join(root, list.trials[0].outputNotebook), 'utf8'));
  const injected = out.cells.find((c: any) => (c.metadata.tags ?? []).includes('injected-parameters'));
  expect(JSON.stringify(injected.source)).toContain('kept');

  // Never more than two trials in flight, judged from every trial change pushed on /events.
  await waitFor(async () => events.events.some(e => e.event === 'job' && e.data.jobId === 'hpo_quad' && e.data.state === 'SUCCEEDED'), 10_000, 'job end event');
  events.close();
  const states = new Map<string, string>();
  let most = 0;
  for (const e of events.events.filter(e => e.event === 'trial' && e.data.jobId === 'hpo_quad')) {
    states.set(e.data.trial.trialId, e.data.trial.state);
    most = Math.max(most, [...states.values()].filter(s => !ENDED.includes(s)).length);
  }
  expect(states.size).toBe(4);
  expect(most).toBeGreaterThan(0);
  expect(most).toBeLessThanOrEqual(2);

  // One trial, its logs, log stream, outputs and paging.
  const one = await t.call('GET', '/api/v1/jobs/hpo_quad/trials/3');
  expect(one.body.trialId).toBe('3');
  const logs = await t.call('GET', '/api/v1/jobs/hpo_quad/trials/3/logs');
  expect(logs.body.lines.some((l: any) => l.text.startsWith('trial '))).toBe(true);
  const stream = await openSse(`${t.url}/api/v1/jobs/hpo_quad/trials/3/logs/stream`, t.token);
  await stream.ended;
  expect(stream.events.at(-1)).toMatchObject({ event: 'end', data: { trialId: '3', state: 'SUCCEEDED' } });
  expect(stream.events.some(e => e.event === 'log' && e.data.text.startsWith('trial '))).toBe(true);
  const html = await t.call('GET', '/api/v1/jobs/hpo_quad/trials/3/outputs/output.html');
  expect(html.status).toBe(200);
  const page1 = await trials('hpo_quad', '?pageSize=2');
  expect(page1.trials.map((x: any) => x.trialId)).toEqual(['1', '2']);
  const page2 = await trials('hpo_quad', `?pageSize=10000&pageToken=${page1.nextPageToken}`);
  expect(page2.trials.map((x: any) => x.trialId)).toEqual(['3', '4']);
  expect(page2.nextPageToken).toBeUndefined();
  expect((await trials('hpo_quad', '?state=FAILED')).trials).toEqual([]);
  expect((await t.call('GET', '/api/v1/jobs/hpo_quad/trials/9')).status).toBe(404);

  // Another user sees none of it.
  for (const p of ['/trials', '/trials/1', '/trials/1/logs', '/trials/1/outputs/output.ipynb']) {
    expect((await t.call('GET', `/api/v1/jobs/hpo_quad${p}`, undefined, 'bob-token')).status).toBe(404);
  }
  expect((await t.call('POST', '/api/v1/jobs/hpo_quad/stop', undefined, 'bob-token')).status).toBe(404);

  // A warm-started job sees the finished trials and never repeats their points.
  const resumed = await submit({
    jobId: 'hpo_quad_more',
    trainingInput: { notebook: { path: 'quad.ipynb' }, hyperparameters: quadSpec({ maxTrials: 1, maxParallelTrials: 1, resumePreviousJobId: 'hpo_quad' }) }
  });
  expect(resumed.status).toBe(201);
  expect((await waitForState(t, 'hpo_quad_more', ENDED)).state).toBe('SUCCEEDED');
  const more = (await trials('hpo_quad_more')).trials;
  expect(more).toHaveLength(1);
  expect(keys.has(JSON.stringify(more[0].hyperparameters))).toBe(false);
  // Longer than its own waits (120 s, then 90 s), so a slow run fails in a wait that says where the job stands.
}, 240_000);

test('invalid specs are 400 naming the field', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [quadSpec({ params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }, { parameterName: 'y', type: 'DOUBLE', minValue: 2, maxValue: 1 }] }), 'trainingInput.hyperparameters.params[1].minValue'],
    [quadSpec({ hyperparameterMetricTag: undefined }), 'trainingInput.hyperparameters.hyperparameterMetricTag'],
    [quadSpec({ maxParallelTrials: 9 }), 'trainingInput.hyperparameters.maxParallelTrials'],
    [quadSpec({ algorithm: 'GRID_SEARCH' }), 'trainingInput.hyperparameters.params[0].type'],
    [quadSpec({ algorithm: 'HILL_CLIMB' }), 'trainingInput.hyperparameters.algorithm'],
    [quadSpec({ params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1, step: 2 }] }), 'trainingInput.hyperparameters.params[0].step'],
    [quadSpec({ metricSelection: 'MEDIAN' }), 'trainingInput.hyperparameters.metricSelection'],
    [quadSpec({ resumePreviousJobId: 'no_such_job' }), 'trainingInput.hyperparameters.resumePreviousJobId'],
    [quadSpec({ resumePreviousJobId: 'hpo_quad', params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 2 }] }), 'trainingInput.hyperparameters.resumePreviousJobId']
  ];
  for (const [spec, field] of cases) {
    const r = await submit({ trainingInput: { notebook: { path: 'quad.ipynb' }, hyperparameters: spec } });
    expect({ status: r.status, field: r.body.error?.field }).toEqual({ status: 400, field });
  }
  // Another user's job cannot be resumed from.
  const bob = await t.call(
    'POST',
    '/api/v1/jobs',
    { trainingInput: { notebook: { path: 'quad.ipynb' }, hyperparameters: quadSpec({ resumePreviousJobId: 'hpo_quad' }) } },
    'bob-token'
  );
  expect(bob.status).toBe(400);
  expect(bob.body.error.field).toBe('trainingInput.hyperparameters.resumePreviousJobId');
  // Stop is for HPO jobs only.
  expect((await t.call('POST', '/api/v1/jobs/no_such/stop')).status).toBe(404);
});

test('trials that never report the metric fail, and too many failures fail the job', async () => {
  const r = await submit({
    jobId: 'hpo_nometric',
    trainingInput: {
      notebook: { path: 'nometric.ipynb' },
      hyperparameters: {
        hyperparameterMetricTag: 'accuracy',
        algorithm: 'RANDOM_SEARCH',
        maxTrials: 4,
        maxParallelTrials: 1,
        maxFailedTrials: 1,
        params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }]
      }
    }
  });
  expect(r.status).toBe(201);
  const job = await waitForState(t, 'hpo_nometric', ENDED);
  expect(job.state).toBe('FAILED');
  expect(job.errorMessage).toBe('2 trials failed, more than maxFailedTrials (1)');
  const list = (await trials('hpo_nometric')).trials;
  // The second failure is one more than allowed: no third trial.
  expect(list).toHaveLength(2);
  for (const trial of list) {
    expect(trial).toMatchObject({ state: 'FAILED', errorMessage: 'metric accuracy was never reported', finalMetric: null, allMetrics: [] });
  }
  expect(job.trainingOutput).toMatchObject({ completedTrialCount: 2, trialCounts: { FAILED: 2 }, bestTrial: null });
});

test('a trial whose objective is NaN or infinite fails as infeasible; the job and the notebook carry on', async () => {
  const r = await submit({
    jobId: 'hpo_diverge',
    trainingInput: {
      notebook: { path: 'diverge.ipynb' },
      hyperparameters: {
        goal: 'MINIMIZE',
        hyperparameterMetricTag: 'loss',
        algorithm: 'GRID_SEARCH',
        maxTrials: 3,
        maxParallelTrials: 1,
        maxFailedTrials: 2,
        params: [{ parameterName: 'x', type: 'DISCRETE', discreteValues: [0, 1, 2] }]
      }
    }
  });
  expect(r.status).toBe(201);
  const job = await waitForState(t, 'hpo_diverge', ENDED);
  expect(job.state).toBe('SUCCEEDED');
  const byX = new Map<number, any>((await trials('hpo_diverge')).trials.map((x: any) => [x.hyperparameters.x, x]));
  expect(byX.get(0)).toMatchObject({ state: 'SUCCEEDED', finalMetric: { objectiveValue: 0.5 } });
  expect(byX.get(1)).toMatchObject({ state: 'FAILED', finalMetric: null, errorMessage: 'infeasible: metric loss was NaN at step 1' });
  expect(byX.get(2)).toMatchObject({ state: 'FAILED', finalMetric: null, errorMessage: 'infeasible: metric loss was Infinity at step 1' });
  expect(job.trainingOutput).toMatchObject({ trialCounts: { SUCCEEDED: 1, FAILED: 2 }, bestTrial: { hyperparameters: { x: 0 } } });
  // The diverged trial's notebook ran to its end.
  const logs = await t.call('GET', `/api/v1/jobs/hpo_diverge/trials/${byX.get(1).trialId}/logs`);
  expect(logs.body.lines.map((l: { text: string }) => l.text).join('\n')).toContain('ran on after nan');
});

test('a training job that reports a NaN metric succeeds with a warning', async () => {
  const r = await submit({ jobId: 'train_nan', trainingInput: { notebook: { path: 'diverge.ipynb', parameters: { x: 1 } } } });
  expect(r.status).toBe(201);
  const job = await waitForState(t, 'train_nan', ENDED);
  expect(job.state).toBe('SUCCEEDED');
  expect(job.trainingOutput.warnings).toEqual(['metric loss was NaN at step 1; not recorded as a value']);
  expect(job.trainingOutput.latestMetrics).toEqual({ other: 1 });
  const logs = await t.call('GET', '/api/v1/jobs/train_nan/logs');
  const text = logs.body.lines.map((l: { text: string }) => l.text).join('\n');
  expect(text).toContain('ran on after nan');
  expect(text).toMatch(/laketahoe.report\(\): loss=NaN at step 1 is not a finite number/);
});

test('early stopping kills trials whose curve stays below the median of finished ones', async () => {
  const r = await submit({
    jobId: 'hpo_curve',
    trainingInput: {
      notebook: { path: 'curve.ipynb' },
      hyperparameters: {
        hyperparameterMetricTag: 'accuracy',
        metricSelection: 'BEST',
        algorithm: 'GRID_SEARCH',
        maxTrials: 3,
        maxParallelTrials: 1,
        enableTrialEarlyStopping: true,
        earlyStopping: { kind: 'median', minStep: 2, minCompletedTrials: 1 },
        params: [{ parameterName: 'variant', type: 'CATEGORICAL', categoricalValues: ['good', 'bad', 'worse'] }]
      }
    }
  });
  expect(r.status).toBe(201);
  const job = await waitForState(t, 'hpo_curve', ENDED);
  expect(job.state).toBe('SUCCEEDED');
  const list = (await trials('hpo_curve')).trials;
  expect(list.map((x: any) => x.hyperparameters.variant)).toEqual(['good', 'bad', 'worse']);
  expect(list[0]).toMatchObject({ state: 'SUCCEEDED', isTrialStoppedEarly: false });
  expect(list[0].allMetrics).toHaveLength(8);
  expect(list[0].finalMetric).toEqual({ trainingStep: 8, objectiveValue: 0.908 });
  for (const trial of list.slice(1)) {
    expect(trial.state).toBe('SUCCEEDED');
    expect(trial.isTrialStoppedEarly).toBe(true);
    expect(trial.allMetrics.length).toBeGreaterThanOrEqual(2);
    expect(trial.allMetrics.length).toBeLessThan(8);
    // BEST of a rising curve is its last value.
    expect(trial.finalMetric).toEqual(trial.allMetrics.at(-1));
  }
  expect(job.trainingOutput.bestTrial.trialId).toBe('1');
});

const slowSpec = {
  hyperparameterMetricTag: 'accuracy',
  algorithm: 'RANDOM_SEARCH',
  maxTrials: 6,
  maxParallelTrials: 2,
  params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }]
};

async function twoRunning(jobId: string): Promise<void> {
  await waitFor(async () => (await trials(jobId, '?state=RUNNING')).trials.length === 2, 60_000, `two running trials of ${jobId}`);
}

test('stop starts no new trial and succeeds once the running ones have ended', async () => {
  expect((await submit({ jobId: 'hpo_stop', trainingInput: { notebook: { path: 'slow.ipynb' }, hyperparameters: slowSpec } })).status).toBe(201);
  await twoRunning('hpo_stop');
  const stopped = await t.call('POST', '/api/v1/jobs/hpo_stop/stop');
  expect(stopped.status).toBe(200);
  expect(stopped.body.state).toBe('RUNNING');
  const job = await waitForState(t, 'hpo_stop', ENDED);
  expect(job.state).toBe('SUCCEEDED');
  const list = (await trials('hpo_stop')).trials;
  expect(list).toHaveLength(2);
  expect(list.map((x: any) => x.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect((await t.call('POST', '/api/v1/jobs/hpo_stop/stop')).status).toBe(400);
});

test('cancel ends running trials and the job is CANCELLED', async () => {
  const spec = { ...slowSpec, maxTrials: 3 };
  expect(
    (await submit({ jobId: 'hpo_cancel', trainingInput: { notebook: { path: 'slow.ipynb', parameters: { seconds: 120 } }, hyperparameters: spec } })).status
  ).toBe(201);
  await twoRunning('hpo_cancel');
  const c = await t.call('POST', '/api/v1/jobs/hpo_cancel/cancel');
  expect(c.status).toBe(200);
  expect(c.body.state).toBe('CANCELLING');
  const job = await waitForState(t, 'hpo_cancel', ENDED);
  expect(job.state).toBe('CANCELLED');
  const list = (await trials('hpo_cancel')).trials;
  expect(list.map((x: any) => x.state)).toEqual(['CANCELLED', 'CANCELLED']);
  expect(job.trainingOutput.trialCounts).toEqual({ CANCELLED: 2 });
});
