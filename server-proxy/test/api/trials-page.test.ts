import fastJson from 'fast-json-stringify';
import { Type } from '@fastify/type-provider-typebox';
import { scopedJobKey } from '../../src/jobs/ids.js';
import { presentTrial } from '../../src/orchestration/present.js';
import { Trial } from '../../src/schemas/jobs.js';
import type { TrialRecord } from '../../src/store/store.js';
import { jobRecord } from '../helpers/records.js';
import { startService, tempRoot, type TestService } from '../helpers/service.js';

// GET /jobs/{id}/trials answers text written from the stored rows: over HTTP it must stay what the
// response schema's serializer wrote, per owner, with the route's errors unchanged. No kernel runs:
// the trials are written to the service's store as an HPO job would leave them.

const serialize = fastJson(Type.Object({ trials: Type.Array(Trial), nextPageToken: Type.Optional(Type.String()) }));
const key = scopedJobKey('alice', 'tuned');

function trial(n: number): TrialRecord {
  return {
    owner: 'alice',
    trial: {
      jobId: key,
      trialId: String(n),
      state: n % 4 === 0 ? 'FAILED' : 'SUCCEEDED',
      hyperparameters: { lr: n / 1000, optimizer: n % 2 ? 'adam' : 'sgd' },
      finalMetric: n % 4 === 0 ? null : { trainingStep: 300, objectiveValue: 0.5 + n / 100 },
      allMetrics: [100, 200, 300].map(s => ({ trainingStep: s, objectiveValue: s / 1000 + n / 100 })),
      isTrialStoppedEarly: n % 3 === 0,
      createTime: new Date(Date.UTC(2026, 10, 1, 0, n)).toISOString(),
      startTime: new Date(Date.UTC(2026, 10, 1, 0, n, 1)).toISOString(),
      endTime: new Date(Date.UTC(2026, 10, 1, 0, n, 30)).toISOString(),
      errorMessage: n % 4 === 0 ? 'Cell 1 raised "KeyError"' : '',
      outputNotebook: `laketahoe-jobs/tuned/trials/${n}/output.ipynb`
    },
    runtime: { output: {}, queue: { priority: 'middle', order: n } } as unknown as TrialRecord['runtime']
  };
}

let t: TestService;

beforeAll(async () => {
  t = await startService(tempRoot());
  await t.service.store.createJob(jobRecord('alice', key));
  await t.service.store.createTrials(Array.from({ length: 25 }, (_, i) => trial(i + 1)));
});

afterAll(async () => {
  await t.close();
});

async function get(urlPath: string, token = t.token): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(t.url + urlPath, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

test('pages of 10 follow their tokens and carry the bytes the response schema writes', async () => {
  const shown: string[] = [];
  let pageToken: string | undefined;
  do {
    const res = await get(`/api/v1/jobs/tuned/trials?pageSize=10${pageToken ? `&pageToken=${pageToken}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json; charset=utf-8');
    const expected = await t.service.store.listTrials({ jobId: key, pageSize: 10, pageToken });
    expect(res.text).toBe(serialize({ ...expected, trials: expected.trials.map(presentTrial) }));
    const page = JSON.parse(res.text);
    shown.push(...page.trials.map((x: { jobId: string; trialId: string }) => `${x.jobId}/${x.trialId}`));
    pageToken = page.nextPageToken;
  } while (pageToken);
  expect(shown).toEqual(Array.from({ length: 25 }, (_, i) => `tuned/${i + 1}`));
});

test('a state filter pages the FAILED trials only', async () => {
  const page = JSON.parse((await get('/api/v1/jobs/tuned/trials?state=FAILED&pageSize=4')).text);
  expect(page.trials.map((x: { trialId: string }) => x.trialId)).toEqual(['4', '8', '12', '16']);
  expect(page.trials[0]).toMatchObject({ finalMetric: null, errorMessage: 'Cell 1 raised "KeyError"' });
  const rest = JSON.parse((await get(`/api/v1/jobs/tuned/trials?state=FAILED&pageSize=4&pageToken=${page.nextPageToken}`)).text);
  expect(rest).toEqual({ trials: [expect.objectContaining({ trialId: '20' }), expect.objectContaining({ trialId: '24' })] });
});

test("another owner's job of that id is not found; bad tokens and sizes name their field", async () => {
  const bob = await get('/api/v1/jobs/tuned/trials', 'bob-token');
  expect(bob.status).toBe(404);
  const token = await get('/api/v1/jobs/tuned/trials?pageToken=not*a*token');
  expect(token.status).toBe(400);
  expect(JSON.parse(token.text).error.field).toBe('pageToken');
  const size = await get('/api/v1/jobs/tuned/trials?pageSize=10001');
  expect(size.status).toBe(400);
  expect(JSON.parse(size.text).error.field).toBe('pageSize');
  expect((await get('/api/v1/jobs/tuned/trials', 'wrong-token')).status).toBe(401);
});

test("metrics=last leaves each trial its last intermediate value; metrics=all is the default's bytes", async () => {
  const all = await get('/api/v1/jobs/tuned/trials?pageSize=5');
  expect((await get('/api/v1/jobs/tuned/trials?pageSize=5&metrics=all')).text).toBe(all.text);
  const last = await get('/api/v1/jobs/tuned/trials?pageSize=5&metrics=last');
  expect(last.status).toBe(200);
  const full = JSON.parse(all.text);
  const light = JSON.parse(last.text);
  expect(light.trials.map((x: { allMetrics: unknown[] }) => x.allMetrics)).toEqual(
    full.trials.map((x: { allMetrics: unknown[] }) => x.allMetrics.slice(-1))
  );
  // Everything else is what the full page says.
  const strip = (x: Record<string, unknown>) => ({ ...x, allMetrics: undefined });
  expect(light.trials.map(strip)).toEqual(full.trials.map(strip));
  expect(light.nextPageToken).toBe(full.nextPageToken);
});

test('trialIds answers those trials only, with either metrics', async () => {
  const page = JSON.parse((await get('/api/v1/jobs/tuned/trials?trialIds=24,3,999,17&state=SUCCEEDED')).text);
  expect(page.trials.map((x: { trialId: string }) => x.trialId)).toEqual(['3', '17']);
  expect(page.trials[0].allMetrics).toHaveLength(3);
  expect(page.nextPageToken).toBeUndefined();
  const light = JSON.parse((await get('/api/v1/jobs/tuned/trials?trialIds=24&metrics=last')).text);
  expect(light.trials).toEqual([expect.objectContaining({ trialId: '24', allMetrics: [{ trainingStep: 300, objectiveValue: 300 / 1000 + 24 / 100 }] })]);
});

test.each([
  ['trialIds', 'trialIds=1,,2'],
  ['trialIds', 'trialIds=one'],
  ['trialIds', `trialIds=${Array.from({ length: 1001 }, (_, i) => i + 1).join(',')}`],
  ['metrics', 'metrics=curves']
])('a bad %s is a 400 naming it (%#)', async (field, query) => {
  const res = await get(`/api/v1/jobs/tuned/trials?${query}`);
  expect(res.status).toBe(400);
  expect(JSON.parse(res.text).error.field).toBe(field);
});
