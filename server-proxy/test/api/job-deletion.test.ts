import fs from 'node:fs';
import path from 'node:path';
import { PostgresStore } from '../../src/store/postgres/store.js';
import type { SqliteStore } from '../../src/store/sqlite.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { openSse } from '../helpers/sse.js';

// Deleting jobs with everything they left: real runners on a real ipykernel, a real SQLite file, and a
// second user through the tokens file who must not reach the first one's jobs.
let t: TestService;
let root: string;
const BOB = 'bob-token';
const ENDED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

beforeAll(async () => {
  root = tempRoot();
  writeNotebook(path.join(root, 'fit.ipynb'), ['import laketahoe\nprint("fitting", flush=True)\nlaketahoe.report(step=1, loss=0.5)']);
  writeNotebook(path.join(root, 'sleep.ipynb'), ['import time\nprint("sleeping", flush=True)\ntime.sleep(120)']);
  writeNotebook(
    path.join(root, 'model.ipynb'),
    ['import laketahoe\nfrom sklearn.linear_model import LinearRegression\nX = [[0.0], [1.0], [2.0]]\ny = [0.0, 1.0, 2.0]\nlaketahoe.save_model(LinearRegression().fit(X, y), "line", X, y)']
  );
  writeNotebook(path.join(root, 'quad.ipynb'), ['import laketahoe\nlaketahoe.report(step=1, score=x)'], 'x = 0.0');
  t = await startService(root);
});

afterAll(async () => {
  await t.close();
});

const submit = (jobId: string, trainingInput: unknown, token?: string) => t.call('POST', '/api/v1/jobs', { jobId, trainingInput }, token);
/** Rows left anywhere in the database (SQLite or PostgreSQL) for a run id and its trials. */
async function rowsOf(key: string): Promise<number> {
  const store = t.service.store;
  const like = `${key}/trials/%`;
  let rows = 0;
  for (const table of ['jobs', 'trials', 'job_logs', 'job_metrics', 'usage_samples']) {
    const sql = `SELECT COUNT(*) AS n FROM ${table} WHERE job_id = $1 OR job_id LIKE $2`;
    rows +=
      store instanceof PostgresStore
        ? (await store.db.query<{ n: number }>(sql, [key, like]))[0].n
        : ((store as SqliteStore).database.prepare(sql.replace(/\$\d/g, '?')).get(key, like) as { n: number }).n;
  }
  return rows;
}

test('a finished job goes with its folder, logs, metrics and rows; its id is free again', async () => {
  const events = await openSse(`${t.url}/api/v1/events`, t.token);
  expect((await submit('done_1', { notebook: { path: 'fit.ipynb' } })).status).toBe(201);
  expect((await waitForState(t, 'done_1', ENDED)).state).toBe('SUCCEEDED');
  expect(fs.existsSync(path.join(root, 'laketahoe-jobs', 'done_1', 'output.ipynb'))).toBe(true);
  expect(await rowsOf('done_1')).toBeGreaterThan(2);

  const r = await t.call('DELETE', '/api/v1/jobs/done_1');
  expect(r.status).toBe(204);
  expect(fs.existsSync(path.join(root, 'laketahoe-jobs', 'done_1'))).toBe(false);
  expect(await rowsOf('done_1')).toBe(0);
  expect((await t.call('GET', '/api/v1/jobs/done_1')).status).toBe(404);
  expect((await t.call('GET', '/api/v1/jobs/done_1/logs')).status).toBe(404);
  expect((await t.call('GET', '/api/v1/jobs')).body.jobs.map((j: any) => j.jobId)).not.toContain('done_1');
  expect((await t.call('DELETE', '/api/v1/jobs/done_1')).status).toBe(404);
  await waitFor(async () => events.events.some(e => e.event === 'deleted' && e.data.jobId === 'done_1'), 5000, 'deleted event');
  events.close();
  expect((await submit('done_1', { notebook: { path: 'fit.ipynb' } })).status).toBe(201);
  await waitForState(t, 'done_1', ENDED);
});

test('a running job is cancelled first, its runner stopped, then deleted', async () => {
  expect((await submit('busy', { notebook: { path: 'sleep.ipynb' } })).status).toBe(201);
  await waitFor(async () => (await t.call('GET', '/api/v1/jobs/busy/logs')).body.lines?.some((l: any) => l.text.includes('sleeping')), 60_000, 'runner');
  const runtime = (await t.service.store.getJob('busy'))!.runtime as { pid?: number };
  expect(runtime.pid).toBeGreaterThan(0);

  const r = await t.call('DELETE', '/api/v1/jobs/busy');
  expect(r.status).toBe(204);
  expect((await t.call('GET', '/api/v1/jobs/busy')).status).toBe(404);
  expect(fs.existsSync(path.join(root, 'laketahoe-jobs', 'busy'))).toBe(false);
  expect(await rowsOf('busy')).toBe(0);
  expect(() => process.kill(runtime.pid!, 0)).toThrow();
});

test("another user's job answers exactly as an unknown one and is left alone", async () => {
  expect((await submit('mine', { notebook: { path: 'fit.ipynb' } })).status).toBe(201);
  await waitForState(t, 'mine', ENDED);
  const theirs = await t.call('DELETE', '/api/v1/jobs/mine', undefined, BOB);
  const unknown = await t.call('DELETE', '/api/v1/jobs/no_such_job', undefined, BOB);
  expect(theirs.status).toBe(404);
  expect(theirs.body.error.message).toBe(unknown.body.error.message.replace('no_such_job', 'mine'));
  const batch = await t.call('POST', '/api/v1/jobs/batch-delete', { jobIds: ['mine'] }, BOB);
  expect(batch.body.results).toEqual([{ jobId: 'mine', deleted: false, error: { code: 'not_found', message: 'job mine not found' } }]);
  expect((await t.call('GET', '/api/v1/jobs/mine')).body.state).toBe('SUCCEEDED');
  expect((await t.call('DELETE', '/api/v1/jobs/mine', undefined, null)).status).toBe(401);
});

test('an HPO job goes with its trials; a batch reports each job', async () => {
  const hyperparameters = {
    goal: 'MAXIMIZE',
    hyperparameterMetricTag: 'score',
    maxTrials: 2,
    maxParallelTrials: 2,
    algorithm: 'GRID_SEARCH',
    params: [{ parameterName: 'x', type: 'DISCRETE', discreteValues: [1, 2] }]
  };
  expect((await submit('tuned', { notebook: { path: 'quad.ipynb' }, hyperparameters })).status).toBe(201);
  expect((await waitForState(t, 'tuned', ENDED, 120_000)).state).toBe('SUCCEEDED');
  expect(fs.existsSync(path.join(root, 'laketahoe-jobs', 'tuned', 'trials', '2', 'output.ipynb'))).toBe(true);
  expect(await rowsOf('tuned')).toBeGreaterThan(3);

  const r = await t.call('POST', '/api/v1/jobs/batch-delete', { jobIds: ['tuned', 'never_was'] });
  expect(r.status).toBe(200);
  expect(r.body.results).toEqual([
    { jobId: 'tuned', deleted: true },
    { jobId: 'never_was', deleted: false, error: { code: 'not_found', message: 'job never_was not found' } }
  ]);
  expect(await rowsOf('tuned')).toBe(0);
  expect(fs.existsSync(path.join(root, 'laketahoe-jobs', 'tuned'))).toBe(false);
  const bad = await t.call('POST', '/api/v1/jobs/batch-delete', { jobIds: [] });
  expect(bad.status).toBe(400);
  expect(bad.body.error.field).toBe('jobIds');
});

test('a job a registered model version came from is kept: 409 naming the version', async () => {
  expect((await submit('trained', { notebook: { path: 'model.ipynb' } })).status).toBe(201);
  expect((await waitForState(t, 'trained', ENDED, 120_000)).state).toBe('SUCCEEDED');
  // Saved models of a succeeded job are registered on their own.
  const model = await waitFor(async () => {
    const r = await t.call('GET', '/api/v1/models/line');
    return r.status === 200 ? r.body : undefined;
  }, 30_000, 'model line');
  expect(model.versions[0].source.jobId).toBe('trained');

  const r = await t.call('DELETE', '/api/v1/jobs/trained');
  expect(r.status).toBe(409);
  expect(r.body.error.code).toBe('conflict');
  expect(r.body.error.message).toBe('job trained is kept: model line version 1 was registered from it and its lineage needs it');
  expect((await t.call('GET', '/api/v1/jobs/trained')).body.state).toBe('SUCCEEDED');
  expect(fs.existsSync(path.join(root, model.versions[0].artifactDir))).toBe(true);
});
