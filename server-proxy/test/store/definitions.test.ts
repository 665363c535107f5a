import path from 'node:path';
import type { DefinitionRecord, RunRecord } from '../../src/definitions/store.js';
import type { Stores } from '../../src/store/open.js';
import { openTestStores } from '../helpers/stores.js';
import { tempRoot } from '../helpers/service.js';

// The claim that makes a tick run once, on both stores: the first insert of a (definition, tick) wins,
// a stale claim is taken over by one replica only, and history pruning keeps the schedule's cursor.

let stores: Stores;

beforeAll(async () => {
  stores = await openTestStores(path.join(tempRoot(), 'laketahoe.db'));
});
afterAll(async () => {
  await stores.store.close();
});

function definition(owner: string, id: string, paused = false): DefinitionRecord {
  return {
    definition: { definitionId: id, owner, createTime: 't0', updateTime: 't0', trainingInput: {}, labels: {}, schedule: { cron: '0 * * * *', timeZone: 'UTC' }, paused, missedRuns: 'RUN_ONCE' },
    spec: { trainingInput: { notebook: { path: 'a.ipynb' } } as never },
    scheduleAnchor: '2026-12-01T00:00:00.000Z'
  };
}

function run(tick: string, extra: Partial<RunRecord> = {}): RunRecord {
  return { owner: 'alice', definitionId: 'hourly', tick, trigger: 'SCHEDULE', outcome: 'CLAIMED', jobId: 'j', missedTicks: 0, message: '', claimedAt: '2026-12-01T01:00:00.000Z', claimedBy: 'r1', ...extra };
}

test('one insert of a tick wins; the claim is the cursor of the schedule, run-now rows are not', async () => {
  const { definitions } = stores;
  await definitions.create(definition('alice', 'hourly'));
  await definitions.create(definition('alice', 'held', true));
  await definitions.create(definition('bob', 'hourly'));
  await expect(definitions.create(definition('alice', 'hourly'))).rejects.toThrow('already exists');
  expect((await definitions.listScheduled()).map(r => `${r.definition.owner}/${r.definition.definitionId}`).sort()).toEqual(['alice/hourly', 'bob/hourly']);

  const tick = '2026-12-01T01:00:00.000Z';
  const results = await Promise.all([definitions.claim(run(tick)), definitions.claim(run(tick, { claimedBy: 'r2' })), definitions.claim(run(tick))]);
  expect(results.filter(Boolean)).toHaveLength(1);
  // Bob's definition of the same name has its own ticks.
  expect(await definitions.claim(run(tick, { owner: 'bob' }))).toBe(true);
  await definitions.claim(run('2026-12-01T05:00:00.000Z#abcd', { trigger: 'MANUAL' }));
  expect(await definitions.lastTick('alice', 'hourly')).toBe(tick);
});

test('a stale claim is taken over by one replica; finishing records outcome and job', async () => {
  const { definitions } = stores;
  const [stale] = (await definitions.staleClaims('2026-12-01T02:00:00.000Z')).filter(r => r.owner === 'alice' && r.trigger === 'SCHEDULE');
  expect(stale.tick).toBe('2026-12-01T01:00:00.000Z');
  const takeovers = await Promise.all([definitions.reclaim(stale, '2026-12-01T02:00:00.000Z', 'r2'), definitions.reclaim(stale, '2026-12-01T02:00:00.000Z', 'r3')]);
  expect(takeovers.filter(Boolean)).toHaveLength(1);
  await definitions.finish('alice', 'hourly', stale.tick, 'SUBMITTED', 'scheduled', 'hourly_20261201_0100');
  const [, scheduled] = await definitions.runs('alice', 'hourly', 10);
  expect(scheduled).toMatchObject({ outcome: 'SUBMITTED', jobId: 'hourly_20261201_0100' });
  expect((await definitions.staleClaims('2026-12-02T00:00:00.000Z')).filter(r => r.owner === 'alice' && r.trigger === 'SCHEDULE')).toEqual([]);
});

test('pruning keeps the newest rows and the last scheduled tick; deleting takes the history along', async () => {
  const { definitions } = stores;
  for (let h = 2; h <= 6; h++) {
    await definitions.claim(run(`2026-12-01T0${h}:00:00.000Z`, { outcome: 'SKIPPED' }));
  }
  await definitions.claim(run('2026-12-01T09:00:00.000Z#ffff', { trigger: 'MANUAL', outcome: 'SUBMITTED' }));
  await definitions.claim(run('2026-12-01T09:30:00.000Z#eeee', { trigger: 'MANUAL', outcome: 'SUBMITTED' }));
  await definitions.prune('alice', 'hourly', 2);
  expect((await definitions.runs('alice', 'hourly', 10)).map(r => r.tick)).toEqual([
    '2026-12-01T09:30:00.000Z#eeee',
    '2026-12-01T09:00:00.000Z#ffff',
    '2026-12-01T06:00:00.000Z',
    // A claim still in flight is never pruned.
    '2026-12-01T05:00:00.000Z#abcd'
  ]);
  await definitions.delete('alice', 'hourly');
  expect(await definitions.get('alice', 'hourly')).toBeUndefined();
  expect(await definitions.runs('alice', 'hourly', 10)).toEqual([]);
  expect(await definitions.lastTick('bob', 'hourly')).toBe('2026-12-01T01:00:00.000Z');
});
