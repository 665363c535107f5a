import fs from 'node:fs';
import path from 'node:path';
import { TRIAL_BATCH } from '../../src/orchestration/experiments.js';
import type { TrialRecord } from '../../src/store/store.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, type TestService } from '../helpers/service.js';

let t: TestService;

beforeAll(async () => {
  const root = tempRoot();
  writeNotebook(path.join(root, 'nb.ipynb'), ['print(x)'], 'x = 0.0');
  // An "interpreter" that only waits: on one CPU the first trial holds it and the rest stay queued, which
  // keeps this test about how trials are created.
  const waiter = path.join(root, 'wait.sh');
  fs.writeFileSync(waiter, '#!/bin/sh\nexec sleep 20\n', { mode: 0o755 });
  t = await startService(root, { python: waiter, cpus: 1 });
});

afterAll(async () => {
  await t.close();
});

test('a 1,000-parallel-trial submit creates its trials in bounded batches, letting the event loop turn between them', async () => {
  const store = t.service.store;
  const original = store.createTrials.bind(store);
  // Counts turns of the event loop: a batch created in the same turn as the previous one held the loop.
  let turns = 0;
  let ticking = true;
  const tick = () => {
    turns += 1;
    if (ticking) {
      setImmediate(tick);
    }
  };
  setImmediate(tick);
  const calls: { size: number; turn: number }[] = [];
  store.createTrials = async (records: TrialRecord[]) => {
    calls.push({ size: records.length, turn: turns });
    return original(records);
  };
  try {
    const r = await t.call('POST', '/api/v1/jobs', {
      trainingInput: {
        notebook: { path: 'nb.ipynb' },
        hyperparameters: {
          goal: 'MAXIMIZE',
          hyperparameterMetricTag: 'score',
          maxTrials: 1000,
          maxParallelTrials: 1000,
          maxFailedTrials: 10000,
          algorithm: 'RANDOM_SEARCH',
          params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }]
        }
      }
    });
    expect(r.status).toBe(201);
    // Another request is answered while the trials are still being made.
    const info = await t.call('GET', '/api/v1/info');
    expect(info.status).toBe(200);
    await waitFor(async () => calls.reduce((n, c) => n + c.size, 0) >= 1000, 60_000, 'all trials to be created');
  } finally {
    ticking = false;
    store.createTrials = original;
  }
  expect(Math.max(...calls.map(c => c.size))).toBeLessThanOrEqual(TRIAL_BATCH);
  expect(calls.length).toBeGreaterThanOrEqual(1000 / TRIAL_BATCH);
  for (let i = 1; i < calls.length; i++) {
    expect(calls[i].turn).toBeGreaterThan(calls[i - 1].turn);
  }
}, 90_000);
