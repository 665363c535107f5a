import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../../../src/process/procinfo.js';
import { openStores } from '../../../src/store/open.js';
import type { Store } from '../../../src/store/store.js';
import { testDatabase } from '../../helpers/postgres.js';
import { call, leads, modelServerPids, startReplica, type Replica } from '../../helpers/replicas.js';
import { PROXY_DIR, PYTHON, tempRoot, waitFor } from '../../helpers/service.js';

// Deployments written through a follower and carried out by the leader: two service processes
// (dist/main.js) on one PostgreSQL database with real MLServer model servers. The deployment, a version
// switch and two challengers (canary and shadow) go through the follower; the leader's model servers
// serve them and the follower splits and mirrors its inference itself. The leader is then killed with
// SIGKILL: the follower takes over and adopts the champion and both challengers (same processes);
// changes and a promotion through a new follower are carried out by the new leader, which is killed in turn during a
// version switch: the next leader adopts both servers of the switch. That leader stops gracefully and
// hands the server over to the next; a delete through a follower ends it.

const NAME = 'iris-shared';
const ROWS = { inputs: [{ name: 'input-0', datatype: 'FP64', shape: [1, 4], data: [5.1, 3.5, 1.4, 0.2] }] };
const replicas: Replica[] = [];
let root: string;
let store: Store | undefined;

const deployment = async (r: Replica) => (await call(r, 'GET', `/api/v1/deployments/${NAME}`)).body;
const waitDeployment = (r: Replica, ok: (d: any) => boolean, what: string) =>
  waitFor(async () => {
    const d = await deployment(r);
    return ok(d) ? d : undefined;
  }, 90_000, what);
const infer = (r: Replica) => call(r, 'POST', `/api/v1/deployments/${NAME}/v2/models/iris/infer`, ROWS);
/** The parent process of `pid`. */
const parentOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
/** The recorded model server per served version (champion and challengers). */
async function serverPids(): Promise<Record<number, number>> {
  const { runtime } = (await store!.getDeployment('erin', NAME))!;
  return Object.fromEntries([...runtime.servers, ...(runtime.challengerServers ?? [])].map(s => [s.version, s.pid!]));
}

afterAll(async () => {
  await store?.close();
  for (const r of replicas) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGTERM');
    }
    await r.exited;
  }
  // A leader stopping gracefully hands its model servers over (they keep running): stop them.
  if (root) {
    modelServerPids(root, NAME).forEach(pid => process.kill(-pid, 'SIGKILL'));
  }
});

test('writes through a follower are carried out by the leader, the follower splits and mirrors, and a new leader adopts the challengers', async () => {
  root = tempRoot();
  execFileSync(PYTHON, [path.join(PROXY_DIR, 'test', 'serving', 'make_models.py'), path.join(root, 'models')]);
  const url = await testDatabase('deployment_replicas');
  const a = await startReplica(root, 'a', url);
  replicas.push(a);
  const b = await startReplica(root, 'b', url);
  replicas.push(b);
  expect([await leads(a), await leads(b)]).toEqual([true, false]);
  ({ store } = await openStores({ dataDir: '', databaseUrl: url }));
  for (const folder of ['iris', 'iris-b', 'iris-b']) {
    expect((await call(b, 'POST', '/api/v1/models', { path: `models/${folder}` })).status).toBe(201);
  }

  // Checked by the follower as by the leader: field paths, 404, 409.
  expect((await call(b, 'POST', '/api/v1/deployments', { name: NAME, model: { name: 'iris', version: 9 } })).status).toBe(404);
  const created = await call(b, 'POST', '/api/v1/deployments', { name: NAME, model: { name: 'iris', version: 2 } });
  expect(created).toMatchObject({ status: 201, body: { name: NAME, state: 'DEPLOYING', model: { version: 2 } } });
  expect((await call(b, 'POST', '/api/v1/deployments', { name: NAME, model: { name: 'iris', version: 2 } })).body.error).toMatchObject({ field: 'name' });
  expect((await call(b, 'PATCH', `/api/v1/deployments/${NAME}`, { challengers: [{ model: { name: 'iris', version: 2 } }] })).body.error).toMatchObject({
    field: 'challengers.0.model.version'
  });
  await waitDeployment(b, d => d.state === 'READY', 'the deployment to be ready');

  // A version switch through the follower: answered UPDATING, carried out by the leader.
  const switched = await call(b, 'PATCH', `/api/v1/deployments/${NAME}`, { model: { name: 'iris', version: 1 } });
  expect(switched.body).toMatchObject({ state: 'UPDATING', nextModel: { version: 1 } });
  await waitDeployment(b, d => d.state === 'READY' && d.model.version === 1, 'the switch to version 1');

  // Two challengers through the follower: a canary of 30 % and a shadow.
  const patched = await call(b, 'PATCH', `/api/v1/deployments/${NAME}`, {
    challengers: [{ model: { name: 'iris', version: 2 }, weight: 30 }, { model: { name: 'iris', version: 3 }, mode: 'shadow' }]
  });
  expect(patched.body.challengers.map((c: any) => [c.model.version, c.mode, c.weight, c.state])).toEqual([
    [2, 'canary', 30, 'DEPLOYING'],
    [3, 'shadow', 0, 'DEPLOYING']
  ]);
  await waitDeployment(b, d => d.challengers?.every((c: any) => c.state === 'READY'), 'both challengers ready');
  // Exactly one model server per version, all children of the leader.
  const before = await serverPids();
  expect(Object.keys(before)).toEqual(['1', '2', '3']);
  await waitFor(async () => modelServerPids(root, NAME).length === 3, 30_000, 'the switched-from server to stop');
  expect(modelServerPids(root, NAME).sort()).toEqual(Object.values(before).sort());
  expect(Object.values(before).map(parentOf)).toEqual([a.child.pid, a.child.pid, a.child.pid]);

  // The follower's own split: 30 % of its requests answered by the canary.
  const answers: string[] = [];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 150; i++) {
        const r = await infer(b);
        answers.push(r.status === 200 ? r.body.model_version : `status ${r.status}`);
      }
    })
  );
  expect(answers.filter(v => v !== '1' && v !== '2')).toEqual([]);
  const canaryShare = (100 * answers.filter(v => v === '2').length) / answers.length;
  expect(Math.abs(canaryShare - 30)).toBeLessThanOrEqual(5);
  // The shadow got copies of the champion's answers, compared on the follower.
  const shadow = await waitFor(async () => {
    const v = (await call(b, 'GET', `/api/v1/deployments/${NAME}/monitoring/versions`)).body.versions.find((x: any) => x.version === 3);
    return v?.agreement?.compared > 100 ? v : undefined;
  }, 10_000, 'shadow copies compared');
  expect(shadow).toMatchObject({ role: 'challenger', returned: 0 });

  // kill -9 of the leader while the follower answers: it takes over and adopts every server.
  let inferring = true;
  const during: number[] = [];
  const traffic = (async () => {
    while (inferring) {
      during.push((await infer(b)).status);
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  })();
  a.child.kill('SIGKILL');
  await a.exited;
  await waitFor(async () => leads(b), 15_000, 'the follower to lead');
  const adopted = await waitDeployment(
    b,
    d => d.state === 'READY' && d.stateHistory.filter((h: any) => h.reason.includes('adopted after a leader change')).length === 3,
    'champion and challengers adopted'
  );
  expect(adopted.challengers.map((c: any) => [c.model.version, c.state, c.restarts])).toEqual([[2, 'READY', 0], [3, 'READY', 0]]);
  const atAdoption = during.length;
  await waitFor(async () => during.length >= atAdoption + 10, 30_000, 'answers after the adoption');
  inferring = false;
  await traffic;
  expect(during.filter(status => status !== 200)).toEqual([]);
  expect(await serverPids()).toEqual(before);
  expect(modelServerPids(root, NAME).sort()).toEqual(Object.values(before).sort());
  Object.values(before).forEach(pid => expect(isProcessAlive(pid)).toBe(true));

  // A new follower; its writes are carried out by the new leader.
  const c = await startReplica(root, 'c', url);
  replicas.push(c);
  expect(await leads(c)).toBe(false);
  const reweighted = await call(c, 'PATCH', `/api/v1/deployments/${NAME}`, { challengers: [{ model: { name: 'iris', version: 2 }, weight: 50 }] });
  expect(reweighted.body.challengers.map((x: any) => [x.model.version, x.weight])).toEqual([[2, 50]]);
  await waitFor(async () => !isProcessAlive(before[3]), 30_000, 'the removed shadow to stop');
  expect(modelServerPids(root, NAME).sort()).toEqual([before[1], before[2]].sort());

  // A switch through the follower, and the leader killed while the new version's server starts: the
  // next leader adopts both servers and finishes the switch without starting another.
  // A promotion through the follower: the canary's server becomes the champion's, the old one stops.
  const promoted = await call(c, 'POST', `/api/v1/deployments/${NAME}/promote`);
  expect(promoted.body).toMatchObject({ state: 'READY', model: { version: 2 } });
  expect(promoted.body.challengers).toBeUndefined();
  await waitFor(async () => !isProcessAlive(before[1]), 30_000, 'the old champion to stop');
  await waitFor(async () => JSON.stringify(await serverPids()) === JSON.stringify({ 2: before[2] }), 10_000, 'the promoted server recorded as the champion');
  expect((await infer(c)).body.model_version).toBe('2');
  expect((await call(c, 'PATCH', `/api/v1/deployments/${NAME}`, { model: { name: 'iris', version: 3 } })).body.state).toBe('UPDATING');
  const starting = await waitFor(async () => (await serverPids())[3], 30_000, 'the new version to be launched');
  b.child.kill('SIGKILL');
  await b.exited;
  await waitFor(async () => leads(c), 15_000, 'the second follower to lead');
  const switched2 = await waitDeployment(c, d => d.state === 'READY' && d.model.version === 3, 'the switch to finish under the new leader');
  expect(switched2.stateHistory.some((h: any) => h.reason.includes('both model servers adopted'))).toBe(true);
  await waitFor(async () => !isProcessAlive(before[2]), 30_000, 'the old version to stop');
  await waitFor(async () => JSON.stringify(await serverPids()) === JSON.stringify({ 3: starting }), 10_000, 'only the new version recorded');
  expect(modelServerPids(root, NAME)).toEqual([starting]);

  // A graceful stop of the leader (SIGTERM) hands the server over: it keeps running, the next leader adopts it.
  const d = await startReplica(root, 'd', url);
  replicas.push(d);
  c.child.kill('SIGTERM');
  await c.exited;
  expect(isProcessAlive(starting)).toBe(true);
  await waitFor(async () => leads(d), 15_000, 'the third follower to lead');
  await waitDeployment(d, x => x.stateHistory.at(-1).reason.includes('adopted after a leader change'), 'the server adopted again');
  expect(await serverPids()).toEqual({ 3: starting });
  expect((await infer(d)).body.model_version).toBe('3');

  // Deleted through a follower: the leader stops the server and forgets the deployment.
  const e = await startReplica(root, 'e', url);
  replicas.push(e);
  expect((await call(e, 'DELETE', `/api/v1/deployments/${NAME}`)).body.state).toBe('DELETING');
  await waitFor(async () => (await call(e, 'GET', `/api/v1/deployments/${NAME}`)).status === 404, 30_000, 'the deletion to finish');
  await waitFor(async () => modelServerPids(root, NAME).length === 0, 30_000, 'every model server to stop');
}, 240_000);
