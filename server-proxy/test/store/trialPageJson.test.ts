import path from 'node:path';
import fastJson from 'fast-json-stringify';
import { Type } from '@fastify/type-provider-typebox';
import { presentTrial } from '../../src/orchestration/present.js';
import { lastMetricJson, trialPageJson } from '../../src/orchestration/trialPageJson.js';
import { Trial } from '../../src/schemas/jobs.js';
import { scopedJobKey } from '../../src/jobs/ids.js';
import type { Store, TrialRecord } from '../../src/store/store.js';
import { tempRoot } from '../helpers/service.js';
import { openTestStore } from '../helpers/stores.js';

// The trials route writes its pages from the stored JSON text (trialPageJson); the bytes must be those
// the route's response schema serializer (Fastify's fast-json-stringify) writes for the same trials read
// the ordinary way. Over a real database: SQLite, or PostgreSQL in the postgres project.

const serialize = fastJson(Type.Object({ trials: Type.Array(Trial), nextPageToken: Type.Optional(Type.String()) }));
const key = scopedJobKey('alice', 'tuned');

/** Trials of every shape the schema allows: finished, failed, still queued, odd strings and numbers. */
function trial(n: number): TrialRecord {
  const ended = n % 3 !== 0;
  const failed = n % 5 === 0;
  return {
    owner: 'alice',
    trial: {
      jobId: key,
      trialId: String(n),
      state: failed ? 'FAILED' : ended ? 'SUCCEEDED' : 'QUEUED',
      hyperparameters: { learning_rate: 10 ** -(n % 7) * 1.2345e-3, layers: n, optimizer: n % 2 ? 'adam' : 'sgd "v2" \u00e9\n', 'odd key\t': -0.5 },
      finalMetric: ended && !failed ? { trainingStep: n * 100, objectiveValue: 1 / n } : null,
      allMetrics: ended ? [{ trainingStep: 1, objectiveValue: -1e21 }, { trainingStep: 2, objectiveValue: 1 / (n + 1) }] : [],
      isTrialStoppedEarly: n % 4 === 0,
      createTime: new Date(Date.UTC(2026, 10, 1, 0, 0, n)).toISOString(),
      startTime: ended ? new Date(Date.UTC(2026, 10, 1, 0, 1, n)).toISOString() : null,
      endTime: ended ? new Date(Date.UTC(2026, 10, 1, 0, 2, n)).toISOString() : null,
      errorMessage: failed ? 'Cell 2 raised ValueError: "bad" \\ \u2028 \ud83d\ude00' : '',
      ...(n % 2 ? { outputNotebook: `laketahoe-jobs/tuned/trials/${n}/output.ipynb` } : {})
    },
    runtime: { output: {}, queue: { priority: 'middle', order: n } } as unknown as TrialRecord['runtime']
  };
}

let store: Store;

beforeEach(async () => {
  store = await openTestStore(path.join(tempRoot(), 'laketahoe.db'));
  await store.createTrials(Array.from({ length: 23 }, (_, i) => trial(i + 1)));
});

afterEach(async () => {
  await store.close();
});

test.each([
  ['every page of 5', { pageSize: 5 }, 5],
  ['one page of all', { pageSize: 1000 }, 1],
  ['QUEUED trials only (3, 6, 9, 12, 18, 21), pages of 2', { pageSize: 2, state: 'QUEUED' as const }, 3]
])('%s: the page text equals the schema serializer output, byte for byte', async (_name, query, pageCount) => {
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const expected = await store.listTrials({ jobId: key, ...query, pageToken });
    const shown = { ...expected, trials: expected.trials.map(presentTrial) };
    const text = trialPageJson(await store.listTrialRows({ jobId: key, ...query, pageToken }), 'tuned');
    expect(text).toBe(serialize(shown));
    expect(JSON.parse(text).trials.every((t: { jobId: string }) => t.jobId === 'tuned')).toBe(true);
    pageToken = expected.nextPageToken;
    pages++;
  } while (pageToken);
  expect(pages).toBe(pageCount);
});

test('an empty page is an empty list without a token', async () => {
  expect(trialPageJson(await store.listTrialRows({ jobId: 'someone-else', pageSize: 10 }), 'someone-else')).toBe('{"trials":[]}');
});

test("metrics 'last': each trial carries its last intermediate value only, as the serializer writes it", async () => {
  const expected = await store.listTrials({ jobId: key, pageSize: 1000 });
  const shown = { trials: expected.trials.map(t => presentTrial({ ...t, allMetrics: t.allMetrics.slice(-1) })) };
  const text = trialPageJson(await store.listTrialRows({ jobId: key, pageSize: 1000 }), 'tuned', 'last');
  expect(text).toBe(serialize(shown));
  expect(JSON.parse(text).trials.map((t: { allMetrics: unknown[] }) => t.allMetrics.length)).toEqual(
    expected.trials.map(t => (t.allMetrics.length ? 1 : 0))
  );
});

test('lastMetricJson keeps the last element of any stored list', () => {
  expect(lastMetricJson('[]')).toBe('[]');
  expect(lastMetricJson('[{"trainingStep":1,"objectiveValue":-1e+21}]')).toBe('[{"trainingStep":1,"objectiveValue":-1e+21}]');
  expect(lastMetricJson('[{"trainingStep":1,"objectiveValue":2},{"trainingStep":3,"objectiveValue":0.5}]')).toBe(
    '[{"trainingStep":3,"objectiveValue":0.5}]'
  );
});

test('trialIds keeps only those trials, in trial order, paged and filtered like the rest', async () => {
  const ids = (page: { rows: { trial_id: number }[] }) => page.rows.map(r => Number(r.trial_id));
  const first = await store.listTrialRows({ jobId: key, pageSize: 3, trialIds: [21, 2, 9, 40, 14, 6] });
  expect(ids(first)).toEqual([2, 6, 9]);
  const rest = await store.listTrialRows({ jobId: key, pageSize: 3, trialIds: [21, 2, 9, 40, 14, 6], pageToken: first.nextPageToken });
  expect(ids(rest)).toEqual([14, 21]);
  expect(rest.nextPageToken).toBeUndefined();
  expect(ids(await store.listTrialRows({ jobId: key, pageSize: 10, state: 'QUEUED', trialIds: [2, 6, 9, 40] }))).toEqual([6, 9]);
  expect(ids(await store.listTrialRows({ jobId: key, pageSize: 10, trialIds: [] }))).toEqual([]);
});
