import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../../src/process/procinfo.js';
import { MLSERVER, PROXY_DIR, PYTHON, startService, tempRoot, waitFor, type TestService } from '../helpers/service.js';

// Champion and challenger with real model servers (MLServer from .venv-serving): two versions of one
// scikit-learn iris model, canary split, shadow copy, weight changes and promotion under load.

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

beforeAll(async () => {
  if (!fs.existsSync(MLSERVER)) {
    throw new Error(`${MLSERVER} is missing: run \`make serving-env\` (part of \`make setup\`) first`);
  }
  root = tempRoot();
  execFileSync(PYTHON, [path.join(PROXY_DIR, 'test', 'serving', 'make_models.py'), path.join(root, 'models')]);
  t = await startService(root, { livenessMs: 500 });
  expect((await t.call('POST', '/api/v1/models', { path: 'models/iris' })).body.version).toBe(1);
  expect((await t.call('POST', '/api/v1/models', { path: 'models/iris-b' })).body.version).toBe(2);
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
    [{ replicas: 2 }, 400, 'replicas'],
    [{ replicas: 0 }, 400, 'replicas']
  ];
  for (const [b, status, field] of cases) {
    const r = await patch(b);
    expect([JSON.stringify(b), r.status, r.body.error?.field?.replace(/^\//, '').replaceAll('/', '.')]).toEqual([JSON.stringify(b), status, field]);
  }
  expect((await t.call('POST', '/api/v1/deployments/iris-ab/promote')).status).toBe(400);
  expect((await t.call('POST', '/api/v1/deployments/nothing/promote')).status).toBe(404);
  expect((await t.call('GET', '/api/v1/deployments/nothing/monitoring/versions')).status).toBe(404);
});

test('canary 10: the challenger answers within 5 points of 10% of 1,000 requests; a second challenger is refused', async () => {
  const added = await patch({ challenger: { model: { name: 'iris', version: 2 }, mode: 'canary', weight: 10 } });
  expect(added.status).toBe(200);
  expect(added.body.challenger).toMatchObject({ model: { name: 'iris', version: 2 }, mode: 'canary', weight: 10, state: 'DEPLOYING' });
  // Until the challenger is ready every request is the champion's.
  await waitDeployment(d => d.challenger?.state === 'READY', 'challenger ready');
  const answers = await send(1000);
  expect(answers.filter(a => a !== '1' && a !== '2')).toEqual([]);
  const share = count(answers, '2') / 10;
  expect(share).toBeGreaterThanOrEqual(5);
  expect(share).toBeLessThanOrEqual(15);
  const v = await versions();
  const byVersion = Object.fromEntries(v.versions.map((x: any) => [x.version, x]));
  expect(byVersion[2]).toMatchObject({ role: 'challenger', requests: count(answers, '2'), returned: count(answers, '2'), errors: 0 });
  expect(byVersion[1]).toMatchObject({ role: 'champion', requests: count(answers, '1'), errors: 0 });
  expect(byVersion[1].latencyMs.p99).toBeGreaterThan(0);
  expect(byVersion[1].predictions.length).toBeGreaterThan(0);

  const another = await t.call('POST', '/api/v1/models', { path: 'models/iris-b' });
  const refused = await patch({ challenger: { model: { name: 'iris', version: another.body.version } } });
  expect(refused.status).toBe(400);
  expect(refused.body.error.message).toMatch(/challenger version 2 already/);
}, 180_000);

test('weight changes under continuous requests fail none and apply at once', async () => {
  const load = continuous();
  for (const weight of [50, 90, 0]) {
    expect((await patch({ challenger: { weight } })).body.challenger.weight).toBe(weight);
    await new Promise(r => setTimeout(r, 1500));
  }
  const answers = await load.stop();
  expect(answers.filter(a => a !== '1' && a !== '2')).toEqual([]);
  expect(count(answers, '2')).toBeGreaterThan(0);
  // Weight 0 now: the champion answers every request.
  expect(new Set(await send(100))).toEqual(new Set(['1']));
}, 120_000);

test('shadow: the challenger gets every request, its answers are recorded and never returned', async () => {
  expect((await patch({ challenger: { mode: 'shadow' } })).body.challenger).toMatchObject({ mode: 'shadow', weight: 0 });
  const before = await versions();
  const challengerBefore = before.versions.find((x: any) => x.role === 'challenger').requests;
  const answers = await send(300);
  expect(new Set(answers)).toEqual(new Set(['1']));
  const after = await waitFor(
    async () => {
      const v = await versions();
      return v.versions.find((x: any) => x.role === 'challenger').requests - challengerBefore === 300 ? v : undefined;
    },
    30_000,
    'every shadow copy answered'
  );
  const ch = after.versions.find((x: any) => x.role === 'challenger');
  expect(ch.errors).toBe(0);
  expect(after.shadowDropped).toBe(0);
  expect(after.agreement.compared).toBe(300);
  expect(after.agreement.rate).toBeGreaterThanOrEqual(0);
  expect(after.recentShadow).toHaveLength(50);
  expect(after.recentShadow[0].challenger).toHaveLength(2);
  expect(after.recentShadow[0].champion).toHaveLength(2);
}, 120_000);

test('promote under continuous requests: none fails, the challenger answers, the old champion stops', async () => {
  const record = await t.service.store.getDeployment('alice', 'iris-ab');
  const oldPid = record!.runtime.servers[0].pid!;
  const challengerPid = record!.runtime.challengerServers![0].pid!;
  await patch({ challenger: { mode: 'canary', weight: 10 } });
  const load = continuous();
  await new Promise(r => setTimeout(r, 500));
  const promoted = await t.call('POST', '/api/v1/deployments/iris-ab/promote');
  expect(promoted.status).toBe(200);
  expect(promoted.body.model).toEqual({ name: 'iris', version: 2 });
  expect(promoted.body.challenger).toBeUndefined();
  expect(promoted.body.stateHistory.at(-1).reason).toMatch(/promoted challenger version 2/);
  await new Promise(r => setTimeout(r, 1000));
  const answers = await load.stop();
  expect(answers.filter(a => a !== '1' && a !== '2')).toEqual([]);
  expect(new Set(await send(50))).toEqual(new Set(['2']));
  // The promoted server kept running: no restart.
  expect(isProcessAlive(challengerPid)).toBe(true);
  await waitFor(async () => !isProcessAlive(oldPid), 40_000, 'old champion stopped');
  const after = await t.service.store.getDeployment('alice', 'iris-ab');
  await waitFor(async () => (await t.service.store.getDeployment('alice', 'iris-ab'))!.runtime.servers.length === 1, 10_000, 'old server forgotten');
  expect(after!.runtime.challengerServers).toBeUndefined();
  // The comparison starts afresh with the new champion (answers the old one gave while draining may follow).
  const v = await versions();
  expect(v.versions.filter((x: any) => x.role === 'challenger')).toEqual([]);
  expect(v.versions.find((x: any) => x.version === 2)).toMatchObject({ role: 'champion', requests: expect.any(Number) });
  expect(v.agreement.compared).toBe(0);
}, 120_000);

test('removing a challenger stops its server; deleting the deployment stops both', async () => {
  await patch({ challenger: { model: { name: 'iris', version: 1 }, mode: 'shadow' } });
  await waitDeployment(d => d.challenger?.state === 'READY', 'challenger ready');
  const pid = (await t.service.store.getDeployment('alice', 'iris-ab'))!.runtime.challengerServers![0].pid!;
  const removed = await patch({ challenger: null });
  expect(removed.body.challenger).toBeUndefined();
  expect(isProcessAlive(pid)).toBe(false);
  expect(new Set(await send(20))).toEqual(new Set(['2']));
}, 120_000);

test('a service restart brings the challenger back with its mode and weight, no server left behind', async () => {
  await patch({ challenger: { model: { name: 'iris', version: 1 }, mode: 'canary', weight: 30 } });
  await waitDeployment(d => d.challenger?.state === 'READY', 'challenger ready');
  const before = (await t.service.store.getDeployment('alice', 'iris-ab'))!.runtime;
  await t.close();
  t = await startService(root, { livenessMs: 500 });
  const back = await waitDeployment(d => d.state === 'READY' && d.challenger?.state === 'READY', 'both ready again');
  expect(back.challenger).toMatchObject({ model: { version: 1 }, mode: 'canary', weight: 30 });
  const answers = await send(200);
  expect(answers.filter(a => a !== '1' && a !== '2')).toEqual([]);
  expect(count(answers, '1')).toBeGreaterThan(20);
  for (const s of [...before.servers, ...(before.challengerServers ?? [])]) {
    expect(isProcessAlive(s.pid!)).toBe(false);
  }
}, 180_000);
