import path from 'node:path';
import type { Trial } from '../../src/schemas/jobs.js';
import type { Store, TrialRecord } from '../../src/store/store.js';
import { tempRoot } from '../helpers/service.js';
import { openTestStore } from '../helpers/stores.js';

// Trial pages over a real database (SQLite, or PostgreSQL in the postgres project) while the search keeps adding trials and changing their states.

function trial(jobId: string, id: number, state: Trial['state'] = 'QUEUED'): TrialRecord {
  return {
    owner: 'alice',
    trial: {
      jobId,
      trialId: String(id),
      state,
      hyperparameters: { x: id / 10 },
      finalMetric: null,
      allMetrics: [],
      isTrialStoppedEarly: false,
      createTime: new Date(Date.UTC(2026, 10, 1, 0, 0, id)).toISOString(),
      startTime: null,
      endTime: null,
      errorMessage: ''
    },
    runtime: { output: {}, queue: { priority: 'middle', order: id } } as unknown as TrialRecord['runtime']
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

let store: Store;

beforeEach(async () => {
  store = await openTestStore(path.join(tempRoot(), 'laketahoe.db'));
});

afterEach(async () => {
  await store.close();
});

test('paging while trials are added and change state returns each trial once, in order', async () => {
  await store.createTrials(range(1, 5).map(i => trial('search', i)));
  const seen: string[] = [];
  let page = await store.listTrials({ jobId: 'search', pageSize: 2 });
  seen.push(...page.trials.map(t => t.trialId));
  let added = 5;
  while (page.nextPageToken) {
    // Between two pages: three more trials (crossing from one digit to two) and earlier ones move on.
    await store.createTrials(range(added + 1, Math.min(added + 3, 12)).map(i => trial('search', i)));
    added = Math.min(added + 3, 12);
    const first = await store.getTrial('search', seen[0]);
    await store.saveTrial({ ...first!, trial: { ...first!.trial, state: 'SUCCEEDED' } });
    page = await store.listTrials({ jobId: 'search', pageSize: 2, pageToken: page.nextPageToken });
    seen.push(...page.trials.map(t => t.trialId));
  }
  expect(seen).toEqual(range(1, 12).map(String));
});

test('a state filter pages stably too: trials leaving the state behind the cursor shift nothing', async () => {
  await store.createTrials(range(1, 6).map(i => trial('filtered', i)));
  const page1 = await store.listTrials({ jobId: 'filtered', state: 'QUEUED', pageSize: 3 });
  expect(page1.trials.map(t => t.trialId)).toEqual(['1', '2', '3']);
  // The first three start running (leave QUEUED); a new one is queued.
  for (const id of ['1', '2', '3']) {
    const rec = (await store.getTrial('filtered', id))!;
    await store.saveTrial({ ...rec, trial: { ...rec.trial, state: 'RUNNING' } });
  }
  await store.createTrials([trial('filtered', 7)]);
  const page2 = await store.listTrials({ jobId: 'filtered', state: 'QUEUED', pageSize: 3, pageToken: page1.nextPageToken });
  expect(page2.trials.map(t => t.trialId)).toEqual(['4', '5', '6']);
  const page3 = await store.listTrials({ jobId: 'filtered', state: 'QUEUED', pageSize: 3, pageToken: page2.nextPageToken });
  expect(page3.trials.map(t => t.trialId)).toEqual(['7']);
  expect(page3.nextPageToken).toBeUndefined();
});
