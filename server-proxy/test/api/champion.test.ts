import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../../src/process/procinfo.js';
import { MLSERVER, PROXY_DIR, PYTHON, startService, tempRoot, waitFor, type TestService } from '../helpers/service.js';

// Champion and challengers with real model servers (MLServer from .venv-serving): versions of one
// scikit-learn iris model (1: iris, 2 and 3: iris-b registered twice), two challengers at once in canary
// split and shadow copy, weight changes and promotion of one of them under load.

const IRIS_ROWS = [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3];
const body = { inputs: [{ name: 'input-0', datatype: 'FP64', shape: [2, 4], data: IRIS_ROWS }] };

let root: string;
let t: TestService;

const infer = () => t.call('POST', '/api/v1/deployments/iris-ab/v2/models/iris/infer', body);
const patch = (b: unknown) => t.call('PATCH', '/api/v1/deployments/iris-ab', b);
const versions = async () => (await t.call('GET', '/api/v1/deployments/iris-ab/monitoring/versions')).body;

async function waitDeployment(ok: (d: any) => boolean, what: string, timeoutMs = 90_000): Promise<any> {
  return waitFor(
    async () => {
      const r = await t.call('GET', '/api/v1/deployments/iris-ab');
      return r.status === 200 && ok(r.body) ? r.body : undefined;
    },
    timeoutMs,
    what
  );
}

/** Sends `n` requests, `concurrency` at a time; the model_version of each answer, or the failed status. */
async function send(n: number, concurrency = 4): Promise<string[]> {
  const answers: string[] = [];
  let left = n;
  const worker = async () => {
    while (left-- > 0) {
      const r = await infer();
      answers.push(r.status === 200 ? r.body.model_version : `status ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

/** Requests sent continuously until `stop` is called; resolves to every answer. */
function continuous(): { stop: () => Promise<string[]> } {
  const answers: string[] = [];
  let running = true;
  const worker = async () => {
    while (running) {
      const r = await infer();
      answers.push(r.status === 200 ? r.body.model_version : `status ${r.status} ${JSON.stringify(r.body)}`);
    }
  };
  const workers = [worker(), worker(), worker()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return answers;
    }
  };
}

const count = (answers: string[], v: string) => answers.filter(a => a === v).length;
const iris = (version: number, more: object = {}) => ({ model: { name: 'iris', version }, ...more });
const byVersion = (v: any) => Object.fromEntries(v.versions.map((x: any) => [x.version, x]));
const challengerPids = async () =>
  Object.fromEntries((await t.service.store.getDeployment('alice', 'iris-ab'))!.runtime.challengerServers!.map(s => [s.version, s.pid!]));

beforeAll(async () => {
  if (!fs.existsSync(MLSERVER)) {
    throw new Error(`${MLSERVER} is missing: run \`make serving-env\` (part of \`make setup\`) first`);
  }
  root = tempRoot();
  execFileSync(PYTHON, [path.join(PROXY_DIR, 'test', 'serving', 'make_models.py'), path.join(root, 'models')]);
  t = await startService(root, { livenessMs: 500 });
  expect((await t.call('POST', '/api/v1/models', { path: 'models/iris' })).body.version).toBe(1);
  expect((await t.call('POST', '/api/v1/models', { path: 'models/iris-b' })).body.version).toBe(2);
  expect((await t.call('POST', '/api/v1/models', { path: 'models/iris-b' })).body.version).toBe(3);
  expect((await t.call('POST', '/api/v1/deployments', { name: 'iris-ab', model: { name: 'iris', version: 1 } })).status).toBe(201);
  await waitDeployment(d => d.state === 'READY', 'champion ready');
}, 120_000);

afterAll(async () => {
  await t?.close();
});

test('challenger requests are validated with field paths', async () => {
  const cases: [unknown, number, string][] = [
    [{ challenger: { model: { name: 'iris', version: 2 }, weight: 101 } }, 400, 'challenger.weight'],
    [{ challenger: { model: { name: 'iris', version: 2 }, weight: -1 } }, 400, 'challenger.weight'],
    [{ challenger: { model: { name: 'iris', version: 2 }, mode: 'split' } }, 400, 'challenger.mode'],
    [{ challenger: { model: { name: 'iris', version: 2 }, mode: 'shadow', weight: 10 } }, 400, 'challenger.weight'],
    [{ challenger: { model: { name: 'iris', version: 1 } } }, 400, 'challenger.model.version'],
    [{ challenger: { model: { name: 'other', version: 1 } } }, 400, 'challenger.model.name'],
    [{ challenger: { weight: 20 } }, 400, 'challenger.model'],
    [{ challengers: [iris(2), iris(3), iris(2), iris(3)] }, 400, 'challengers'],
    [{ challengers: [iris(2, { weight: 60 }), iris(3, { weight: 50 })] }, 400, 'challengers'],
    [{ challengers: [iris(2), iris(2)] }, 400, 'challengers.1.model.version'],
    [{ challengers: [iris(2), { model: { name: 'other', version: 1 } }] }, 400, 'challengers.1.model.name'],
    [{ challengers: [iris(1)] }, 400, 'challengers.0.model.version'],
    [{ challengers: [iris(2, { mode: 'shadow', weight: 5 })] }, 400, 'challengers.0.weight'],
    [{ challengers: [iris(2)], challenger: iris(3) }, 400, 'challengers'],
    [{ replicas: 2 }, 400, 'replicas'],
    [{ replicas: 0 }, 400, 'replicas']
  ];
  for (const [b, status, field] of cases) {
    const r = await patch(b);
    expect([JSON.stringify(b), r.status, r.body.error?.field?.replace(/^\//, '').replaceAll('/', '.')]).toEqual([JSON.stringify(b), status, field]);
  }
  expect((await patch({ challengers: [iris(9)] })).status).toBe(404);
  expect((await t.call('GET', '/api/v1/deployments/iris-ab')).body.challengers).toBeUndefined();
  expect((await t.call('POST', '/api/v1/deployments/iris-ab/promote')).status).toBe(400);
  expect((await t.call('POST', '/api/v1/deployments/nothing/promote')).status).toBe(404);
  expect((await t.call('GET', '/api/v1/deployments/nothing/monitoring/versions')).status).toBe(404);
});

test('two canaries at 10 and 20: each answers within 5 points of its weight over 1,000 requests', async () => {
  const added = await patch({ challengers: [iris(2, { weight: 10 }), iris(3, { weight: 20 })] });
  expect(added.status).toBe(200);
  expect(added.body.challengers).toMatchObject([
    { model: { name: 'iris', version: 2 }, mode: 'canary', weight: 10, state: 'DEPLOYING' },
    { model: { name: 'iris', version: 3 }, mode: 'canary', weight: 20, state: 'DEPLOYING' }
  ]);
  // Clients of one challenger see the first.
  expect(added.body.challenger.model.version).toBe(2);
  // Until a challenger is ready every request it would get is the champion's.
  await waitDeployment(d => d.challengers?.every((c: any) => c.state === 'READY'), 'challengers ready');
  const answers = await send(1000);
  expect(answers.filter(a => !['1', '2', '3'].includes(a))).toEqual([]);
  for (const [version, weight] of [['2', 10], ['3', 20]] as const) {
    const share = count(answers, version) / 10;
    expect([version, share >= weight - 5 && share <= weight + 5]).toEqual([version, true]);
  }
  const v = byVersion(await versions());
  expect(v[2]).toMatchObject({ role: 'challenger', requests: count(answers, '2'), returned: count(answers, '2'), errors: 0 });
  expect(v[3]).toMatchObject({ role: 'challenger', requests: count(answers, '3'), returned: count(answers, '3'), errors: 0 });
  expect(v[1]).toMatchObject({ role: 'champion', requests: count(answers, '1'), errors: 0, agreement: null });
  expect(v[1].latencyMs.p99).toBeGreaterThan(0);
  expect(v[1].predictions.length).toBeGreaterThan(0);

  // A third challenger whose weight would take the canaries over 100 is refused before anything starts.
  expect((await t.call('POST', '/api/v1/models', { path: 'models/iris' })).body.version).toBe(4);
  const over = await patch({ challenger: iris(4, { weight: 80 }) });
  expect([over.status, over.body.error.field]).toEqual([400, 'challenger.weight']);
  expect(over.body.error.message).toMatch(/sum to 110/);
  const refused = await patch({ challengers: [iris(2, { weight: 10 }), iris(3, { weight: 91 })] });
  expect([refused.status, refused.body.error.field]).toEqual([400, 'challengers']);
  expect(refused.body.error.message).toMatch(/sum to 101/);
}, 240_000);

test('weight changes under continuous requests fail none and apply at once', async () => {
  const load = continuous();
  for (const [w2, w3] of [
    [50, 30],
    [90, 10],
    [0, 0]
  ]) {
    const both = await patch({ challengers: [iris(2, { weight: w2 }), iris(3, { weight: 0 })] });
    expect(both.body.challengers.map((c: any) => c.weight)).toEqual([w2, 0]);
    const one = await patch({ challenger: iris(3, { weight: w3 }) });
    expect(one.body.challengers.map((c: any) => c.weight)).toEqual([w2, w3]);
    await new Promise(r => setTimeout(r, 1500));
  }
  const answers = await load.stop();
  expect(answers.filter(a => !['1', '2', '3'].includes(a))).toEqual([]);
  expect(count(answers, '2')).toBeGreaterThan(0);
  expect(count(answers, '3')).toBeGreaterThan(0);
  // Several challengers: the one to change must be named.
  expect((await patch({ challenger: { weight: 5 } })).body.error.field).toBe('challenger.model');
  // Weights 0 now: the champion answers every request.
  expect(new Set(await send(100))).toEqual(new Set(['1']));
}, 120_000);

test('shadow: both challengers get every request, their answers are recorded per challenger and never returned', async () => {
  const r = await patch({ challengers: [iris(2, { mode: 'shadow' }), iris(3, { mode: 'shadow' })] });
  expect(r.body.challengers).toMatchObject([
    { mode: 'shadow', weight: 0 },
    { mode: 'shadow', weight: 0 }
  ]);
  const before = byVersion(await versions());
  const answers = await send(300);
  expect(new Set(answers)).toEqual(new Set(['1']));
  const after = await waitFor(
    async () => {
      const v = await versions();
      const now = byVersion(v);
      return [2, 3].every(x => now[x].requests - before[x].requests === 300) ? v : undefined;
    },
    30_000,
    'every shadow copy answered'
  );
  const now = byVersion(after);
  for (const x of [2, 3]) {
    expect(now[x].errors).toBe(0);
    expect(now[x].returned).toBe(before[x].returned);
    expect(now[x].agreement.compared).toBe(300);
    expect(now[x].agreement.rate).toBeGreaterThanOrEqual(0);
  }
  // Versions 2 and 3 are the same saved model: they always agree with each other's rate.
  expect(now[2].agreement.agreed).toBe(now[3].agreement.agreed);
  expect(after.shadowDropped).toBe(0);
  expect(after.agreement.compared).toBe(600);
  expect(after.recentShadow).toHaveLength(50);
  expect(new Set(after.recentShadow.map((p: any) => p.version))).toEqual(new Set([2, 3]));
  expect(after.recentShadow[0].challenger).toHaveLength(2);
  expect(after.recentShadow[0].champion).toHaveLength(2);
}, 120_000);

test('promote one of two challengers under continuous requests: none fails, the other stays beside the new champion', async () => {
  const record = await t.service.store.getDeployment('alice', 'iris-ab');
  const oldPid = record!.runtime.servers[0].pid!;
  const pids = await challengerPids();
  await patch({ challengers: [iris(2, { mode: 'canary', weight: 10 }), iris(3, { mode: 'canary', weight: 10 })] });
  const unnamed = await t.call('POST', '/api/v1/deployments/iris-ab/promote');
  expect([unnamed.status, unnamed.body.error.field]).toEqual([400, 'version']);
  expect((await t.call('POST', '/api/v1/deployments/iris-ab/promote?version=7')).body.error.field).toBe('version');
  const load = continuous();
  await new Promise(r => setTimeout(r, 500));
  const promoted = await t.call('POST', '/api/v1/deployments/iris-ab/promote?version=3');
  expect(promoted.status).toBe(200);
  expect(promoted.body.model).toEqual({ name: 'iris', version: 3 });
  expect(promoted.body.challengers).toMatchObject([{ model: { version: 2 }, mode: 'canary', weight: 10, state: 'READY' }]);
  expect(promoted.body.stateHistory.at(-1).reason).toMatch(/promoted challenger version 3/);
  await new Promise(r => setTimeout(r, 1000));
  const answers = await load.stop();
  expect(answers.filter(a => !['1', '2', '3'].includes(a))).toEqual([]);
  const after = await send(200);
  expect(new Set(after)).toEqual(new Set(['2', '3']));
  // The promoted server kept running (no restart), and so did the other challenger's.
  expect(isProcessAlive(pids[3])).toBe(true);
  expect(isProcessAlive(pids[2])).toBe(true);
  await waitFor(async () => !isProcessAlive(oldPid), 40_000, 'old champion stopped');
  await waitFor(async () => (await t.service.store.getDeployment('alice', 'iris-ab'))!.runtime.servers.length === 1, 10_000, 'old server forgotten');
  expect(await challengerPids()).toEqual({ 2: pids[2] });
  // The comparison starts afresh with the new champion (answers the old one gave while draining may follow).
  const v = byVersion(await versions());
  expect(v[3]).toMatchObject({ role: 'champion' });
  expect(v[2]).toMatchObject({ role: 'challenger', agreement: { compared: 0 } });
}, 120_000);

test('challengers not listed are removed (their servers stop); null removes them all', async () => {
  await patch({ challengers: [iris(2, { weight: 10 }), iris(1, { mode: 'shadow' })] });
  await waitDeployment(d => d.challengers?.length === 2 && d.challengers.every((c: any) => c.state === 'READY'), 'challengers ready');
  const pids = await challengerPids();
  const kept = await patch({ challengers: [iris(1, { mode: 'shadow' })] });
  expect(kept.body.challengers).toMatchObject([{ model: { version: 1 }, mode: 'shadow', state: 'READY' }]);
  expect(isProcessAlive(pids[2])).toBe(false);
  expect(isProcessAlive(pids[1])).toBe(true);
  const removed = await patch({ challenger: null });
  expect(removed.body.challengers).toBeUndefined();
  expect(removed.body.challenger).toBeUndefined();
  expect(isProcessAlive(pids[1])).toBe(false);
  expect(new Set(await send(20))).toEqual(new Set(['3']));
}, 120_000);

test('a service restart brings both challengers back with their modes and weights, no server left behind', async () => {
  await patch({ challengers: [iris(1, { weight: 30 }), iris(2, { weight: 30 })] });
  await waitDeployment(d => d.challengers?.every((c: any) => c.state === 'READY'), 'challengers ready');
  const before = (await t.service.store.getDeployment('alice', 'iris-ab'))!.runtime;
  await t.close();
  t = await startService(root, { livenessMs: 500 });
  const back = await waitDeployment(d => d.state === 'READY' && d.challengers?.length === 2 && d.challengers.every((c: any) => c.state === 'READY'), 'all ready again');
  expect(back.challengers).toMatchObject([
    { model: { version: 1 }, mode: 'canary', weight: 30 },
    { model: { version: 2 }, mode: 'canary', weight: 30 }
  ]);
  const answers = await send(200);
  expect(answers.filter(a => !['1', '2', '3'].includes(a))).toEqual([]);
  for (const v of ['1', '2', '3']) {
    expect(count(answers, v)).toBeGreaterThan(20);
  }
  for (const s of [...before.servers, ...(before.challengerServers ?? [])]) {
    expect(isProcessAlive(s.pid!)).toBe(false);
  }
}, 240_000);
