import fs from 'node:fs';
import path from 'node:path';
import { scopedJobKey } from '../../src/jobs/ids.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { openSse } from '../helpers/sse.js';

// Job ids per owner, probed as an attacker would: bob tries ids alice holds and compares every answer
// with the one an unknown id gets. Two users through the tokens file; real runners on a real ipykernel.
let t: TestService;
let root: string;
const BOB = 'bob-token';
const ENDED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

beforeAll(async () => {
  root = tempRoot();
  writeNotebook(path.join(root, 'sleep.ipynb'), ['import time\ntime.sleep(60)']);
  writeNotebook(path.join(root, 'say.ipynb'), ['import laketahoe\nprint("said", who, flush=True)\nlaketahoe.report(step=1, score=len(who))'], 'who = "nobody"');
  t = await startService(root);
});

afterAll(async () => {
  await t.close();
});

const submit = (jobId: string, who: string, token?: string, extra: Record<string, unknown> = {}) =>
  t.call('POST', '/api/v1/jobs', { jobId, trainingInput: { notebook: { path: 'say.ipynb', parameters: { who } }, ...extra } }, token);
const logText = async (jobId: string, token?: string) =>
  ((await t.call('GET', `/api/v1/jobs/${jobId}/logs?limit=1000`, undefined, token)).body.lines as { text: string }[]).map(l => l.text).join('\n');
/** An answer without what differs between any two submissions (times). */
const shape = (r: { status: number; body: any }) => ({ status: r.status, jobId: r.body.jobId, state: r.body.state, error: r.body.error });

test("an id alice holds answers bob exactly as an unknown id does, and both users keep a job of that id", async () => {
  expect((await submit('train_1', 'alice')).status).toBe(201);
  const taken = await submit('train_1', 'bob', BOB);
  const unknown = await submit('fresh_1', 'bob', BOB);
  expect(shape(taken)).toEqual({ ...shape(unknown), jobId: 'train_1' });
  expect(taken.body.owner).toBe('bob');

  const [alice, bob] = await Promise.all([waitForState(t, 'train_1', ENDED), waitFor(async () => {
    const r = await t.call('GET', '/api/v1/jobs/train_1', undefined, BOB);
    return ENDED.includes(r.body.state) ? r.body : undefined;
  })]);
  expect([alice.state, alice.owner, alice.jobId]).toEqual(['SUCCEEDED', 'alice', 'train_1']);
  expect([bob.state, bob.owner, bob.jobId]).toEqual(['SUCCEEDED', 'bob', 'train_1']);
  // Each reads only their own run: logs, metrics, outputs and lists.
  expect(await logText('train_1')).toContain('said alice');
  expect(await logText('train_1')).not.toContain('said bob');
  expect(await logText('train_1', BOB)).toContain('said bob');
  const metrics = (await t.call('GET', '/api/v1/jobs/train_1/metrics', undefined, BOB)).body.metrics;
  expect(metrics.map((m: any) => m.value)).toEqual([3]);
  const output = await t.call('GET', '/api/v1/jobs/train_1/outputs/output.ipynb', undefined, BOB);
  expect(JSON.stringify(output.body)).toContain('said bob');
  const bobsList = (await t.call('GET', '/api/v1/jobs', undefined, BOB)).body.jobs.map((j: any) => j.jobId).sort();
  expect(bobsList).toEqual(['fresh_1', 'train_1']);
  const alicesList = (await t.call('GET', '/api/v1/jobs')).body.jobs.map((j: any) => j.jobId);
  expect(alicesList).toEqual(['train_1']);

  // Two folders on disk; neither may use the other's as input, each may use their own.
  const bobsFolder = path.join('laketahoe-jobs', scopedJobKey('bob', 'train_1'));
  expect(fs.existsSync(path.join(root, 'laketahoe-jobs', 'train_1', 'output.ipynb'))).toBe(true);
  expect(fs.existsSync(path.join(root, bobsFolder, 'output.ipynb'))).toBe(true);
  const aliceUsesBobs = await t.call('POST', '/api/v1/jobs', { trainingInput: { notebook: { path: `${bobsFolder}/output.ipynb` } } });
  expect(aliceUsesBobs.status).toBe(400);
  expect(aliceUsesBobs.body.error.field).toBe('trainingInput.notebook.path');
  const bobUsesOwn = await t.call('POST', '/api/v1/jobs', { jobId: 'rerun', trainingInput: { notebook: { path: `${bobsFolder}/output.ipynb` } } }, BOB);
  expect(bobUsesOwn.status).toBe(201);
  await waitFor(async () => ENDED.includes((await t.call('GET', '/api/v1/jobs/rerun', undefined, BOB)).body.state));
});

test('an own id is still a 409, and acting on a job never reaches the other owner\'s', async () => {
  const again = await submit('train_1', 'bob', BOB);
  expect(again.status).toBe(409);
  expect(again.body.error).toMatchObject({ code: 'already_exists', field: 'jobId' });
  expect(again.body.error.message).toBe('job train_1 already exists');

  // Both submit a slow one under one id; bob cancels his; alice's runs on.
  const slow = { notebook: { path: 'sleep.ipynb' } };
  expect((await t.call('POST', '/api/v1/jobs', { jobId: 'slow_1', trainingInput: slow })).status).toBe(201);
  expect((await t.call('POST', '/api/v1/jobs', { jobId: 'slow_1', trainingInput: slow }, BOB)).status).toBe(201);
  const cancel = await t.call('POST', '/api/v1/jobs/slow_1/cancel', undefined, BOB);
  expect(cancel.status).toBe(200);
  expect(cancel.body).toMatchObject({ jobId: 'slow_1', owner: 'bob' });
  const bobs = await waitFor(async () => {
    const r = await t.call('GET', '/api/v1/jobs/slow_1', undefined, BOB);
    return ENDED.includes(r.body.state) ? r.body : undefined;
  });
  expect((await t.call('GET', '/api/v1/jobs/slow_1')).body.state).not.toMatch(/CANCEL/);
  expect((await t.call('POST', '/api/v1/jobs/slow_1/cancel')).status).toBe(200);
  expect((await waitForState(t, 'slow_1', ENDED)).state).toBe('CANCELLED');
  expect(bobs.state).toBe('CANCELLED');
});

test("pushed events carry the owner's id, and a filter by id follows the caller's job only", async () => {
  const bobEvents = await openSse(`${t.url}/api/v1/events?jobId=pushed`, BOB);
  const aliceEvents = await openSse(`${t.url}/api/v1/events?jobId=pushed`, t.token);
  expect((await submit('pushed', 'alice')).status).toBe(201);
  expect((await submit('pushed', 'bob', BOB)).status).toBe(201);
  const ended = (events: typeof bobEvents) => events.events.some(e => e.event === 'job' && ENDED.includes(e.data.state));
  await waitFor(async () => ended(bobEvents) && ended(aliceEvents), 90_000, 'both jobs to end');
  bobEvents.close();
  aliceEvents.close();
  const jobs = (events: typeof bobEvents) => events.events.filter(e => e.event === 'job').map(e => e.data);
  expect(jobs(bobEvents).every(j => j.owner === 'bob' && j.jobId === 'pushed')).toBe(true);
  expect(jobs(aliceEvents).every(j => j.owner === 'alice' && j.jobId === 'pushed')).toBe(true);
  const metric = bobEvents.events.find(e => e.event === 'metric');
  expect(metric?.data).toMatchObject({ jobId: 'pushed', name: 'score', value: 3 });
});

test("HPO trials and resuming work per owner: bob cannot resume from alice's job of the same id", async () => {
  const spec = (extra: Record<string, unknown> = {}) => ({
    hyperparameters: {
      goal: 'MAXIMIZE',
      hyperparameterMetricTag: 'score',
      maxTrials: 1,
      maxParallelTrials: 1,
      algorithm: 'GRID_SEARCH',
      params: [{ parameterName: 'who', type: 'CATEGORICAL', categoricalValues: ['ab', 'abcd'] }],
      ...extra
    }
  });
  expect((await submit('tune', 'x', undefined, spec())).status).toBe(201);
  expect((await waitForState(t, 'tune', ENDED, 120_000)).state).toBe('SUCCEEDED');
  // Bob has no job "tune": resuming from it answers as for any unknown id.
  const foreign = await submit('tune_more', 'x', BOB, spec({ resumePreviousJobId: 'tune' }));
  const unknown = await submit('tune_more', 'x', BOB, spec({ resumePreviousJobId: 'no_such' }));
  expect(foreign.status).toBe(400);
  expect(foreign.body.error.message).toBe(unknown.body.error.message.replace('no_such', 'tune'));

  expect((await submit('tune', 'x', BOB, spec())).status).toBe(201);
  const bobs = await waitFor(async () => {
    const r = await t.call('GET', '/api/v1/jobs/tune', undefined, BOB);
    return ENDED.includes(r.body.state) ? r.body : undefined;
  }, 120_000);
  expect(bobs.state).toBe('SUCCEEDED');
  expect(bobs.trainingOutput.bestTrial.jobId).toBe('tune');
  const trials = (await t.call('GET', '/api/v1/jobs/tune/trials', undefined, BOB)).body.trials;
  expect(trials.map((x: any) => [x.jobId, x.trialId])).toEqual([['tune', '1']]);
  expect((await t.call('GET', '/api/v1/jobs/tune/trials/1', undefined, BOB)).body.jobId).toBe('tune');
  // Bob resumes from his own "tune": the job shows the id he chose.
  const resumed = await submit('tune_more', 'x', BOB, spec({ resumePreviousJobId: 'tune', maxTrials: 2 }));
  expect(resumed.status).toBe(201);
  expect(resumed.body.trainingInput.hyperparameters.resumePreviousJobId).toBe('tune');
  const more = await waitFor(async () => {
    const r = await t.call('GET', '/api/v1/jobs/tune_more', undefined, BOB);
    return ENDED.includes(r.body.state) ? r.body : undefined;
  }, 120_000);
  expect(more.state).toBe('SUCCEEDED');
  // Alice's own trial list is untouched by bob's.
  expect((await t.call('GET', '/api/v1/jobs/tune/trials')).body.trials).toHaveLength(1);
});
