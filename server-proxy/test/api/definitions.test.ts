import path from 'node:path';
import type { ServiceParts } from '../../src/app.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { usingPostgres } from '../helpers/postgres.js';
import { databaseFor } from '../helpers/stores.js';
import { startService, tempRoot, type TestService } from '../helpers/service.js';

// Job definitions and their schedules on a real store, with the schedule clock under the test's control:
// a tick fires once, across restarts, with missed ticks run once or skipped, and with two replicas on one
// PostgreSQL database.

let clock = Date.parse('2026-12-05T10:00:30Z');
const parts: ServiceParts = { clock: () => clock, schedules: { intervalMs: 3_600_000, lateAfterMs: 60_000 } };
let root: string;
let t: TestService;

const notebook = { notebook: { path: 'nightly.ipynb' } };
const hourly = { definitionId: 'hourly', trainingInput: notebook, schedule: { cron: '0 * * * *', timeZone: 'UTC' }, webhook: { url: 'https://hooks.example.com/secret-path' } };

async function restartAt(time: string): Promise<void> {
  await t.close();
  clock = Date.parse(time);
  t = await startService(root, {}, parts);
  // start() already began a pass; this waits for it (or makes one).
  await t.service.scheduler.pass();
}

/** The ids of the caller's jobs a definition made. */
async function runsOf(service: TestService, definitionId: string): Promise<string[]> {
  const jobs = (await service.call('GET', '/api/v1/jobs')).body.jobs as { jobId: string; labels: Record<string, string> }[];
  return jobs.filter(j => j.labels.definition === definitionId).map(j => j.jobId).sort();
}

beforeAll(async () => {
  root = tempRoot();
  writeNotebook(path.join(root, 'nightly.ipynb'), ['print("nightly", flush=True)']);
  t = await startService(root, {}, parts);
});

afterAll(async () => {
  await t.close();
});

test('a definition is checked as a job is, shows its next runs and is its owner\'s alone', async () => {
  const missing = await t.call('POST', '/api/v1/definitions', { ...hourly, trainingInput: { notebook: { path: 'nope.ipynb' } } });
  expect(missing.status).toBe(400);
  expect(missing.body.error.field).toBe('trainingInput.notebook.path');
  const badCron = await t.call('POST', '/api/v1/definitions', { ...hourly, schedule: { cron: '0 25 * * *' } });
  expect(badCron.body.error).toMatchObject({ code: 'invalid_argument', field: 'schedule.cron' });
  const badZone = await t.call('POST', '/api/v1/definitions', { ...hourly, schedule: { cron: '0 * * * *', timeZone: 'Europe/Atlantis' } });
  expect(badZone.body.error.field).toBe('schedule.timeZone');
  expect((await t.call('POST', '/api/v1/definitions', { ...hourly, definitionId: 'has-dash' })).body.error.field).toBe('definitionId');

  const created = await t.call('POST', '/api/v1/definitions', hourly);
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ definitionId: 'hourly', owner: 'alice', paused: false, missedRuns: 'RUN_ONCE', webhook: { target: 'https://hooks.example.com' } });
  expect(JSON.stringify(created.body)).not.toContain('secret-path');
  expect(created.body.nextRunTimes).toEqual(['2026-12-05T11:00:00.000Z', '2026-12-05T12:00:00.000Z', '2026-12-05T13:00:00.000Z']);
  expect((await t.call('POST', '/api/v1/definitions', hourly)).status).toBe(409);

  const preview = await t.call('GET', `/api/v1/schedule-preview?cron=${encodeURIComponent('0 9 * * 1-5')}&timeZone=Asia/Tokyo&count=2`);
  expect(preview.body.nextRunTimes).toEqual(['2026-12-07T00:00:00.000Z', '2026-12-08T00:00:00.000Z']);
  expect((await t.call('GET', '/api/v1/schedule-preview?cron=nope')).body.error.field).toBe('cron');

  // Bob neither sees nor changes alice's definition; an admin-only owner read is refused to him.
  expect((await t.call('GET', '/api/v1/definitions/hourly', undefined, 'bob-token')).status).toBe(404);
  expect((await t.call('GET', '/api/v1/definitions', undefined, 'bob-token')).body.definitions).toEqual([]);
  expect((await t.call('POST', '/api/v1/definitions/hourly/run', undefined, 'bob-token')).status).toBe(404);
  expect((await t.call('GET', '/api/v1/definitions?owner=alice', undefined, 'bob-token')).status).toBe(403);
  expect((await t.call('GET', '/api/v1/definitions', undefined, null)).status).toBe(401);
});

test('a tick fires exactly once, also across a restart; missed ticks run once or are skipped', async () => {
  clock = Date.parse('2026-12-05T11:00:05Z');
  await t.service.scheduler.pass();
  await t.service.scheduler.pass();
  expect(await runsOf(t, 'hourly')).toEqual(['hourly_20261205_1100']);

  // A restart a few seconds later does not fire the same tick again.
  await restartAt('2026-12-05T11:00:20Z');
  expect(await runsOf(t, 'hourly')).toEqual(['hourly_20261205_1100']);

  // Down over 12:00, 13:00 and 14:00: RUN_ONCE runs the latest once.
  await restartAt('2026-12-05T14:30:00Z');
  expect(await runsOf(t, 'hourly')).toEqual(['hourly_20261205_1100', 'hourly_20261205_1400']);
  let runs = (await t.call('GET', '/api/v1/definitions/hourly/runs')).body.runs;
  expect(runs[0]).toMatchObject({ scheduledTime: '2026-12-05T14:00:00.000Z', trigger: 'MISSED', outcome: 'SUBMITTED', jobId: 'hourly_20261205_1400', missedTicks: 2 });
  expect(runs[1]).toMatchObject({ trigger: 'SCHEDULE', outcome: 'SUBMITTED', jobId: 'hourly_20261205_1100', missedTicks: 0 });
  expect(typeof runs[1].jobState).toBe('string');

  // Switched to SKIP (same schedule: it keeps its place), then down over 15:00-17:00: recorded, not run.
  const { definitionId: _, ...body } = hourly;
  expect((await t.call('PUT', '/api/v1/definitions/hourly', { ...body, missedRuns: 'SKIP' })).status).toBe(200);
  await restartAt('2026-12-05T17:30:00Z');
  expect(await runsOf(t, 'hourly')).toEqual(['hourly_20261205_1100', 'hourly_20261205_1400']);
  runs = (await t.call('GET', '/api/v1/definitions/hourly/runs')).body.runs;
  expect(runs[0]).toMatchObject({ scheduledTime: '2026-12-05T17:00:00.000Z', trigger: 'MISSED', outcome: 'SKIPPED', missedTicks: 2 });
  expect(runs[0].jobId).toBeUndefined();
});

test('paused definitions do not fire; resume starts from now; run now submits at once', async () => {
  expect((await t.call('POST', '/api/v1/definitions/hourly/pause')).body).toMatchObject({ paused: true, nextRunTimes: [] });
  clock = Date.parse('2026-12-05T18:00:10Z');
  await t.service.scheduler.pass();
  expect(await runsOf(t, 'hourly')).toHaveLength(2);
  const resumed = await t.call('POST', '/api/v1/definitions/hourly/resume');
  expect(resumed.body.nextRunTimes[0]).toBe('2026-12-05T19:00:00.000Z');
  await t.service.scheduler.pass();
  expect(await runsOf(t, 'hourly')).toHaveLength(2);

  const now = await t.call('POST', '/api/v1/definitions/hourly/run');
  expect(now.status).toBe(201);
  expect(now.body.labels).toMatchObject({ definition: 'hourly' });
  expect(now.body.webhook).toEqual({ target: 'https://hooks.example.com', deliveries: [] });
  expect(await runsOf(t, 'hourly')).toContain(now.body.jobId);
  const [latest] = (await t.call('GET', '/api/v1/definitions/hourly/runs')).body.runs;
  expect(latest).toMatchObject({ trigger: 'MANUAL', outcome: 'SUBMITTED', jobId: now.body.jobId });

  // Deleting the definition leaves its jobs; its history goes with it.
  expect((await t.call('DELETE', '/api/v1/definitions/hourly')).status).toBe(204);
  expect((await t.call('GET', '/api/v1/definitions/hourly/runs')).status).toBe(404);
  expect(await runsOf(t, 'hourly')).toHaveLength(3);
});

(usingPostgres() ? test : test.skip)('two replicas on one PostgreSQL database fire a tick once', async () => {
  // A second service with its own folder and the first one's database, as a second replica.
  const otherRoot = tempRoot();
  writeNotebook(path.join(otherRoot, 'nightly.ipynb'), ['print("nightly", flush=True)']);
  const other = await startService(otherRoot, await databaseFor(root), parts);
  try {
    clock = Date.parse('2026-12-05T20:00:30Z');
    const created = await t.call('POST', '/api/v1/definitions', { ...hourly, definitionId: 'shared', schedule: { cron: '*/5 * * * *', timeZone: 'UTC' } });
    expect(created.status).toBe(201);
    clock = Date.parse('2026-12-05T20:05:01Z');
    await Promise.all([t.service.scheduler.pass(), other.service.scheduler.pass(), t.service.scheduler.pass(), other.service.scheduler.pass()]);
    expect(await runsOf(t, 'shared')).toEqual(['shared_20261205_2005']);
    expect(await runsOf(other, 'shared')).toEqual(['shared_20261205_2005']);
    const runs = (await other.call('GET', '/api/v1/definitions/shared/runs')).body.runs;
    expect(runs).toHaveLength(1);
  } finally {
    await other.close();
  }
});
