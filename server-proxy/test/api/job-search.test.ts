import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitForState, type TestService } from '../helpers/service.js';

// Find, relabel and run again through the HTTP API: a real service, real runs on a real ipykernel, and
// a second user (bob) who must neither see nor change alice's jobs.
let t: TestService;
const BOB = 'bob-token';
const ENDED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

beforeAll(async () => {
  const root = tempRoot();
  writeNotebook(path.join(root, 'work', 'MNIST.ipynb'), ['import laketahoe\nlaketahoe.report(step=1, loss=lr)'], 'lr = 0.1');
  writeNotebook(path.join(root, 'churn.ipynb'), ['print("churn")']);
  t = await startService(root);
  const jobs: [string, string, Record<string, string>, (string | undefined)?][] = [
    ['mnist_a', 'work/MNIST.ipynb', { team: 'vision', exp: 'lr' }],
    ['mnist_b', 'work/MNIST.ipynb', { team: 'vision' }],
    ['churn_a', 'churn.ipynb', { team: 'growth' }],
    ['bobs_mnist', 'work/MNIST.ipynb', { team: 'vision', exp: 'lr' }, BOB]
  ];
  for (const [jobId, notebook, labels, token] of jobs) {
    const r = await t.call('POST', '/api/v1/jobs', { jobId, labels, trainingInput: { notebook: { path: notebook, parameters: { lr: 0.5 } } } }, token);
    expect(r.status).toBe(201);
  }
  for (const [jobId, , , token] of jobs) {
    // Every run ends before the tests, so state filters see settled states.
    await waitForState({ ...t, call: (m, p, b) => t.call(m, p, b, token) }, jobId, ENDED);
  }
});

afterAll(async () => {
  await t.close();
});

async function listed(query: string, token?: string): Promise<string[]> {
  const r = await t.call('GET', `/api/v1/jobs?${query}`, undefined, token);
  expect(r.status).toBe(200);
  return r.body.jobs.map((j: { jobId: string }) => j.jobId).sort();
}

test('the list route finds jobs by text, notebook, label and state, only the caller’s', async () => {
  expect(await listed('q=mnist')).toEqual(['mnist_a', 'mnist_b']);
  expect(await listed('q=CHURN')).toEqual(['churn_a']);
  expect(await listed(`notebook=${encodeURIComponent('work/MNIST.ipynb')}`)).toEqual(['mnist_a', 'mnist_b']);
  expect(await listed('label=team')).toEqual(['churn_a', 'mnist_a', 'mnist_b']);
  expect(await listed('label=team%3Dvision&label=exp%3Dlr')).toEqual(['mnist_a']);
  expect(await listed('label=team%3Dvision&state=SUCCEEDED&pageSize=1&q=mnist')).toHaveLength(1);
  expect(await listed('state=QUEUED')).toEqual([]);
  // Bob's search for the same things finds only his own.
  expect(await listed('label=team%3Dvision', BOB)).toEqual(['bobs_mnist']);
  expect(await listed('q=mnist', BOB)).toEqual(['bobs_mnist']);
});

test('bad filters are 400s naming the field', async () => {
  for (const [query, field] of [
    ['label=%3Dvision', 'label'],
    [`label=${'k'.repeat(64)}`, 'label'],
    [Array.from({ length: 11 }, (_, i) => `label=k${i}`).join('&'), 'label'],
    ['q=', 'q'],
    ['state=DONE', 'state']
  ]) {
    const r = await t.call('GET', `/api/v1/jobs?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_argument', field });
  }
});

test('labels change after submit, within the submit limits, by the owner only', async () => {
  const r = await t.call('PATCH', '/api/v1/jobs/mnist_b', { labels: { team: 'growth', reviewed: 'yes' } });
  expect(r.status).toBe(200);
  expect(r.body.labels).toEqual({ team: 'growth', reviewed: 'yes' });
  expect((await t.call('GET', '/api/v1/jobs/mnist_b')).body.labels).toEqual({ team: 'growth', reviewed: 'yes' });
  expect(await listed('label=team%3Dgrowth')).toEqual(['churn_a', 'mnist_b']);
  expect(await listed('label=team%3Dvision')).toEqual(['mnist_a']);

  const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
  for (const [body, field] of [
    [{ labels: tooMany }, 'labels'],
    [{ labels: { ['k'.repeat(64)]: 'v' } }, 'labels'],
    [{ labels: { team: 'v'.repeat(64) } }, 'labels.team'],
    [{ labels: { team: { nested: 'x' } } }, 'labels.team'],
    [{ labels: { team: 'x' }, state: 'SUCCEEDED' }, 'state'],
    [{}, 'labels']
  ] as [unknown, string][]) {
    const bad = await t.call('PATCH', '/api/v1/jobs/mnist_b', body);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe(field);
  }
  expect((await t.call('GET', '/api/v1/jobs/mnist_b')).body.labels).toEqual({ team: 'growth', reviewed: 'yes' });
  // Submit has the same limit on names.
  const longName = await t.call('POST', '/api/v1/jobs', { labels: { ['k'.repeat(64)]: 'v' }, trainingInput: { notebook: { path: 'churn.ipynb' } } });
  expect(longName.status).toBe(400);
  expect(longName.body.error.field).toBe('labels');

  // Bob cannot change (or learn of) alice's job; his own is his to change.
  expect((await t.call('PATCH', '/api/v1/jobs/mnist_b', { labels: {} }, BOB)).status).toBe(404);
  expect((await t.call('PATCH', '/api/v1/jobs/no_such_job', { labels: {} })).status).toBe(404);
  expect((await t.call('GET', '/api/v1/jobs/mnist_b')).body.labels).toEqual({ team: 'growth', reviewed: 'yes' });
  expect((await t.call('PATCH', '/api/v1/jobs/bobs_mnist', { labels: { mine: '' } }, BOB)).status).toBe(200);
  expect(await listed('label=mine')).toEqual([]);
});

test('a finished job runs again with its notebook, parameters and labels; only its owner may', async () => {
  const again = await t.call('POST', '/api/v1/jobs/mnist_a/rerun', { jobId: 'mnist_a_again' });
  expect(again.status).toBe(201);
  expect(again.body).toMatchObject({ jobId: 'mnist_a_again', labels: { team: 'vision', exp: 'lr' } });
  expect(again.body.trainingInput.notebook).toMatchObject({ path: 'work/MNIST.ipynb', parameters: { lr: 0.5 } });
  // A run just submitted has not ended (its kernel takes seconds to start): refused.
  const early = await t.call('POST', '/api/v1/jobs/mnist_a_again/rerun', {});
  expect(early.status).toBe(400);
  expect(early.body.error.message).toMatch(/has not ended/);
  const generated = await t.call('POST', '/api/v1/jobs/mnist_a/rerun', {});
  expect(generated.status).toBe(201);
  expect(generated.body.jobId).not.toBe('mnist_a');

  // A taken id is a 409, a bad one a 400 on jobId; another user's job is unknown.
  expect((await t.call('POST', '/api/v1/jobs/mnist_a/rerun', { jobId: 'mnist_a_again' })).status).toBe(409);
  expect((await t.call('POST', '/api/v1/jobs/mnist_a/rerun', { jobId: 'bad id' })).body.error.field).toBe('jobId');
  expect((await t.call('POST', '/api/v1/jobs/mnist_a/rerun', {}, BOB)).status).toBe(404);
  expect((await waitForState(t, 'mnist_a_again', ENDED)).trainingOutput.latestMetrics).toEqual({ loss: 0.5 });
  await waitForState(t, generated.body.jobId, ENDED);
});
