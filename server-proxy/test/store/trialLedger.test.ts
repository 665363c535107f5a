import path from 'node:path';
import type { JobState, Trial } from '../../src/schemas/jobs.js';
import type { Stores } from '../../src/store/open.js';
import type { Store, TrialRecord } from '../../src/store/store.js';
import { TrialLedger, toSearchTrial, type TrialView } from '../../src/orchestration/trialLedger.js';
import { bestTrial } from '../../src/orchestration/experiments.js';
import { isTerminal } from '../../src/jobs/states.js';
import { tempRoot } from '../helpers/service.js';
import { openTestStores } from '../helpers/stores.js';

// The HPO controller's per-job ledger against a real store: after any sequence of trial changes its
// aggregates equal a full recount of the store's trials, and so does a ledger rebuilt after a restart.

let stores: Stores;
beforeEach(async () => {
  stores = await openTestStores(path.join(tempRoot(), 'laketahoe.db'));
});
afterEach(async () => {
  await stores.store.close();
});

function trial(id: number): TrialRecord {
  return {
    owner: 'alice',
    trial: {
      jobId: 'hpo',
      trialId: String(id),
      state: 'QUEUED',
      hyperparameters: { x: id / 100 },
      finalMetric: null,
      allMetrics: [],
      isTrialStoppedEarly: false,
      createTime: 't',
      startTime: null,
      endTime: null,
      errorMessage: ''
    } as unknown as Trial,
    runtime: { output: {}, queue: { priority: 'middle', order: id } }
  } as unknown as TrialRecord;
}

/** Saves trial `id` in `state`, with an objective for succeeded ones. */
async function move(store: Store, id: number, state: JobState, objective?: number): Promise<TrialRecord> {
  const record = (await store.getTrial('hpo', String(id)))!;
  record.trial.state = state;
  record.trial.startTime = state === 'QUEUED' ? null : 't1';
  if (objective !== undefined) {
    record.trial.allMetrics = [{ trainingStep: 1, objectiveValue: objective }];
    record.trial.finalMetric = { trainingStep: 1, objectiveValue: objective };
  }
  await store.saveTrial(record);
  return record;
}

/** What a pass used to compute from every trial of the job. */
async function recount(store: Store) {
  const all = await store.listAllTrials('hpo');
  const counts: Record<string, number> = {};
  for (const t of all) {
    counts[t.trial.state] = (counts[t.trial.state] ?? 0) + 1;
  }
  return {
    active: all.filter(t => !isTerminal(t.trial.state)).map(t => t.trial.trialId),
    total: all.length,
    counts,
    finished: all.filter(t => isTerminal(t.trial.state)).length,
    best: bestTrial(all.map(t => t.trial), { goal: 'MAXIMIZE' })?.trialId ?? null,
    history: all.map(t => (isTerminal(t.trial.state) ? toSearchTrial(t.trial) : undefined)).filter(Boolean)
  };
}

function summary(ledger: TrialLedger, view: TrialView) {
  return {
    active: view.active.map(t => t.trial.trialId),
    total: view.total,
    counts: view.counts,
    finished: view.finished,
    best: ledger.best()?.trialId ?? null,
    history: ledger.searchHistory()
  };
}

test('the ledger stays equal to a full recount across trial changes and after a restart', async () => {
  const { store } = stores;
  await store.createTrials([1, 2, 3, 4].map(trial));
  const { ledger, view: first } = await TrialLedger.load(store, 'hpo', 'MAXIMIZE');
  expect(summary(ledger, first)).toEqual(await recount(store));
  expect(await store.countTrials('hpo')).toBe(4);

  // Ends out of order, one noticed only by reading the store, one told directly (as the controller is).
  await move(store, 2, 'SUCCEEDED', 0.5);
  ledger.noteSaved(await move(store, 1, 'FAILED'));
  await move(store, 3, 'RUNNING');
  let view = (await ledger.view(store, 'hpo'))!;
  expect(summary(ledger, view)).toEqual(await recount(store));

  // New trials, a tie for the best (the earlier trial keeps it) and a better one.
  const created = [5, 6, 7].map(trial);
  await store.createTrials(created);
  ledger.noteCreated(created);
  await move(store, 5, 'SUCCEEDED', 0.5);
  await move(store, 3, 'SUCCEEDED', 0.25);
  await move(store, 7, 'CANCELLED');
  view = (await ledger.view(store, 'hpo'))!;
  expect(summary(ledger, view)).toEqual(await recount(store));
  expect(ledger.best()?.trialId).toBe('2');
  // Metrics that arrive after a trial ended replace what the ledger holds (and may change the best).
  ledger.noteSaved(await move(store, 5, 'SUCCEEDED', 0.9));
  view = (await ledger.view(store, 'hpo'))!;
  expect(summary(ledger, view)).toEqual(await recount(store));
  expect(ledger.best()?.trialId).toBe('5');

  // A restarted controller rebuilds the same ledger from the store.
  const restarted = await TrialLedger.load(store, 'hpo', 'MAXIMIZE');
  expect(summary(restarted.ledger, restarted.view)).toEqual(summary(ledger, view));

  // A trial the ledger never heard of (another process) puts it out of step: the caller rebuilds.
  await store.createTrials([trial(8)]);
  await move(store, 8, 'FAILED');
  expect(await ledger.view(store, 'hpo')).toBeUndefined();
  expect((await store.listUnfinishedTrials('hpo')).map(t => t.trial.trialId)).toEqual(['4', '6']);
});

test('a trial that ends while the view reads the store is counted once, as finished', async () => {
  const { store } = stores;
  await store.createTrials([1, 2].map(trial));
  await move(store, 1, 'RUNNING');
  await move(store, 2, 'RUNNING');
  const { ledger } = await TrialLedger.load(store, 'hpo', 'MAXIMIZE');
  ledger.noteSaved(await move(store, 1, 'SUCCEEDED', 0.5));
  // Trial 2 ends (and the controller is told) after the unfinished trials were read, before the count.
  const reading: Store = Object.create(store);
  reading.countTrials = async (jobId: string) => {
    ledger.noteSaved(await move(store, 2, 'SUCCEEDED', 0.7));
    return store.countTrials(jobId);
  };
  const view = (await ledger.view(reading, 'hpo'))!;
  expect(summary(ledger, view)).toEqual(await recount(store));
  expect(view).toMatchObject({ total: 2, lastNumber: 2, finished: 2, active: [] });
});
