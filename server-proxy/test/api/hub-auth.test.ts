import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubTokenResolver, type HubAuthOptions } from '../../src/api/hubAuth.js';
import { ServiceError } from '../../src/errors.js';
import { deploymentRecord, jobRecord, modelVersionRecord } from '../helpers/records.js';
import { startService, tempRoot, waitFor, type TestService } from '../helpers/service.js';
import { openSse } from '../helpers/sse.js';

// JupyterHub sign-in against a fake hub that answers `GET /hub/api/user` as a real one does (the token's
// owner, groups and scopes; 403 for a token it does not know). The real hub is exercised in
// laketahoe/tests/test_jupyterhub_e2e.py; here the edge cases a real hub is hard to produce.

type Answer = { status: number; body: string } | 'hang';

/** A fake hub: `users` maps tokens to whoami models; `override` replaces every answer. */
class FakeHub {
  readonly users = new Map<string, Record<string, unknown>>();
  override: Answer | undefined;
  asked = 0;
  private server = http.createServer((req, res) => this.answer(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>(resolve => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hub/api`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  addUser(token: string, name: string, groups: string[] = [], scopes = ['access:services!service=laketahoe']): void {
    this.users.set(token, { kind: 'user', name, admin: false, groups, scopes });
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.asked += 1;
    if (this.override === 'hang') {
      return;
    }
    const m = /^token (.+)$/.exec(req.headers.authorization ?? '');
    const model = req.url === '/hub/api/user' && m ? this.users.get(m[1]) : undefined;
    const a = this.override ?? (model ? { status: 200, body: JSON.stringify(model) } : { status: 403, body: '{"status":403}' });
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
  }
}

describe('HubTokenResolver', () => {
  const hub = new FakeHub();
  let clock = 0;
  const resolver = (opts: Partial<HubAuthOptions> = {}) =>
    new HubTokenResolver({ apiUrl: hub.url, serviceName: 'laketahoe', ttlMs: 30_000, negativeTtlMs: 5_000, maxEntries: 100, timeoutMs: 2000, now: () => clock, ...opts });

  beforeAll(() => hub.start());
  afterAll(() => hub.stop());
  beforeEach(() => {
    hub.users.clear();
    hub.override = undefined;
    hub.asked = 0;
    clock = 1_000_000;
  });

  test("names a token's owner and groups, asks the hub once within the cache time, and sees a revocation after it", async () => {
    hub.addUser('alice-token', 'alice', ['team-a']);
    const r = resolver();
    expect(await r.resolve('alice-token')).toEqual({ user: 'alice', groups: ['team-a'], hubAdmin: false });
    clock += 29_000;
    expect((await r.resolve('alice-token'))?.user).toBe('alice');
    expect(hub.asked).toBe(1);
    hub.users.delete('alice-token');
    clock += 2_000;
    expect(await r.resolve('alice-token')).toBeUndefined();
    expect(hub.asked).toBe(2);
  });

  test('cached() answers without asking the hub: nothing before its first answer, the identity while fresh, nothing after', async () => {
    hub.addUser('cached-token', 'carol', ['team-c']);
    const r = resolver();
    expect(r.cached('cached-token')).toBeUndefined();
    expect(hub.asked).toBe(0);
    await r.resolve('cached-token');
    expect(r.cached('cached-token')).toEqual({ user: 'carol', groups: ['team-c'], hubAdmin: false });
    expect(r.cached('')).toBeUndefined();
    clock += 31_000;
    expect(r.cached('cached-token')).toBeUndefined();
    expect(hub.asked).toBe(1);
  });

  test('an unknown token is remembered for the shorter time only', async () => {
    const r = resolver();
    expect(await r.resolve('later-token')).toBeUndefined();
    hub.addUser('later-token', 'bob');
    clock += 4_000;
    expect(await r.resolve('later-token')).toBeUndefined();
    expect(hub.asked).toBe(1);
    clock += 2_000;
    expect((await r.resolve('later-token'))?.user).toBe('bob');
  });

  test('the cache holds at most maxEntries tokens and forgets the least recently used first', async () => {
    const r = resolver({ maxEntries: 3 });
    for (const n of [1, 2, 3, 4, 5]) {
      hub.addUser(`t${n}`, `user${n}`);
      await r.resolve(`t${n}`);
    }
    expect(r.size).toBe(3);
    expect(hub.asked).toBe(5);
    await r.resolve('t5');
    expect(hub.asked).toBe(5);
    await r.resolve('t1');
    expect(hub.asked).toBe(6);
  });

  test('concurrent requests with one new token ask the hub once', async () => {
    hub.addUser('busy-token', 'alice');
    const r = resolver();
    const all = await Promise.all(Array.from({ length: 20 }, () => r.resolve('busy-token')));
    expect(all.every(i => i?.user === 'alice')).toBe(true);
    expect(hub.asked).toBe(1);
  });

  test('a token without access to this service, or a service token, is no user of it', async () => {
    hub.addUser('server-only', 'alice', [], ['access:servers!server=alice/']);
    hub.addUser('other-service', 'alice', [], ['access:services!service=grafana']);
    hub.addUser('all-services', 'carol', [], ['access:services']);
    hub.users.set('svc', { kind: 'service', name: 'laketahoe', scopes: ['access:services'] });
    const r = resolver();
    expect(await r.resolve('server-only')).toBeUndefined();
    expect(await r.resolve('other-service')).toBeUndefined();
    expect((await r.resolve('all-services'))?.user).toBe('carol');
    expect(await r.resolve('svc')).toBeUndefined();
    expect(await r.resolve('')).toBeUndefined();
  });

  test.each([
    ['not JSON', { status: 200, body: '<html>proxy error</html>' }],
    ['no name', { status: 200, body: JSON.stringify({ kind: 'user', scopes: [] }) }],
    ['no scopes', { status: 200, body: JSON.stringify({ kind: 'user', name: 'alice' }) }],
    ['a JSON list', { status: 200, body: '[]' }],
    ['an error of its own', { status: 500, body: '{}' }],
    ['a redirect', { status: 302, body: '' }]
  ] as const)('a hub answering %s is unavailable (503), never "unknown token"', async (_what, answer) => {
    hub.override = answer;
    await expect(resolver().resolve('any-token')).rejects.toMatchObject({ code: 'unavailable' });
  });

  test('malformed groups are dropped, not trusted', async () => {
    hub.users.set('odd', { kind: 'user', name: 'alice', groups: ['ok', 7, { admin: true }], scopes: ['access:services'] });
    expect((await resolver().resolve('odd'))?.groups).toEqual(['ok']);
  });

  test('a hub that does not answer in time, or is down, is unavailable, and the failure is not cached', async () => {
    hub.override = 'hang';
    const err = await resolver({ timeoutMs: 200 }).resolve('slow-token').catch(e => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.code).toBe('unavailable');
    const down = new HubTokenResolver({ apiUrl: 'http://127.0.0.1:9/hub/api', serviceName: 'laketahoe', ttlMs: 1, negativeTtlMs: 1, maxEntries: 1, timeoutMs: 1000 });
    await expect(down.resolve('x')).rejects.toMatchObject({ code: 'unavailable' });
    expect(down.size).toBe(0);
  });
});

describe('a service signing in through the hub, with an admin group and a tokens file beside it', () => {
  const hub = new FakeHub();
  let t: TestService;

  beforeAll(async () => {
    await hub.start();
    hub.addUser('alice-hub', 'alice', ['team-a']);
    hub.addUser('bob-hub', 'bob', ['team-b']);
    hub.addUser('carol-hub', 'carol', ['admins']);
    t = await startService(tempRoot(), {
      tokens: new Map([['robot-token', 'ci']]),
      token: undefined,
      hub: { apiUrl: hub.url, serviceName: 'laketahoe', cacheMs: 30_000, negativeCacheMs: 1000, cacheEntries: 100, timeoutMs: 2000 },
      adminGroup: 'admins'
    });
    const store = t.service.store;
    for (const owner of ['alice', 'bob', 'carol']) {
      await store.createJob(jobRecord(owner, `${owner}-job`));
      await store.addModelVersion(modelVersionRecord(owner, `${owner}-model`));
      await store.createDeployment({ ...deploymentRecord(owner, `${owner}-dep`), deployment: { ...deploymentRecord(owner, `${owner}-dep`).deployment, state: 'FAILED' } });
    }
  });

  afterAll(async () => {
    await t?.close();
    await hub.stop();
  });

  const names = (items: { owner: string }[]) => items.map(i => i.owner).sort();

  test('each user lists and reads only their own jobs, models and deployments', async () => {
    for (const [user, token] of [['alice', 'alice-hub'], ['bob', 'bob-hub']]) {
      expect(names((await t.call('GET', '/api/v1/jobs', undefined, token)).body.jobs)).toEqual([user]);
      expect(names((await t.call('GET', '/api/v1/models', undefined, token)).body.models)).toEqual([user]);
      expect(names((await t.call('GET', '/api/v1/deployments', undefined, token)).body.deployments)).toEqual([user]);
      expect((await t.call('GET', '/api/v1/info', undefined, token)).body.user).toBe(user);
    }
    expect((await t.call('GET', '/api/v1/jobs/bob-job', undefined, 'alice-hub')).status).toBe(404);
  });

  test("a non-admin naming another owner, or everyone, is refused before anything is looked up", async () => {
    for (const path of ['/api/v1/jobs?owner=bob', '/api/v1/jobs?owner=*', '/api/v1/jobs/bob-job?owner=bob', '/api/v1/jobs/no-such?owner=bob', '/api/v1/models/bob-model?owner=bob', '/api/v1/deployments?owner=*', '/api/v1/jobs/bob-job/logs?owner=bob', '/api/v1/jobs/bob-job/metrics?owner=bob', '/api/v1/jobs/bob-job/outputs/output.ipynb?owner=bob']) {
      const r = await t.call('GET', path, undefined, 'alice-hub');
      expect([path, r.status, r.body.error.field]).toEqual([path, 403, 'owner']);
    }
    expect((await t.call('GET', '/api/v1/jobs?owner=alice', undefined, 'alice-hub')).status).toBe(200);
  });

  test("the admin group lists everyone's with their owners and reads anyone's, but writes only its own", async () => {
    expect(names((await t.call('GET', '/api/v1/jobs?owner=*', undefined, 'carol-hub')).body.jobs)).toEqual(['alice', 'bob', 'carol']);
    expect(names((await t.call('GET', '/api/v1/models?owner=*', undefined, 'carol-hub')).body.models)).toEqual(['alice', 'bob', 'carol']);
    expect(names((await t.call('GET', '/api/v1/deployments?owner=*', undefined, 'carol-hub')).body.deployments)).toEqual(['alice', 'bob', 'carol']);
    expect(names((await t.call('GET', '/api/v1/jobs', undefined, 'carol-hub')).body.jobs)).toEqual(['carol']);
    expect(names((await t.call('GET', '/api/v1/jobs?owner=bob', undefined, 'carol-hub')).body.jobs)).toEqual(['bob']);
    expect((await t.call('GET', '/api/v1/jobs/bob-job?owner=bob', undefined, 'carol-hub')).body.owner).toBe('bob');
    expect((await t.call('GET', '/api/v1/models/bob-model?owner=bob', undefined, 'carol-hub')).body.versions).toHaveLength(1);
    expect((await t.call('GET', '/api/v1/deployments/bob-dep?owner=bob', undefined, 'carol-hub')).body.owner).toBe('bob');
    for (const path of ['/api/v1/jobs/bob-job/logs?owner=bob', '/api/v1/jobs/bob-job/metrics?owner=bob', '/api/v1/models/bob-model/versions/1?owner=bob']) {
      expect([path, (await t.call('GET', path, undefined, 'carol-hub')).status]).toEqual([path, 200]);
    }
    expect((await t.call('GET', '/api/v1/jobs/bob-job?owner=*', undefined, 'carol-hub')).status).toBe(400);
    // Writes act on the caller's own: bob's job is not carol's to cancel or delete.
    expect((await t.call('POST', '/api/v1/jobs/bob-job/cancel', undefined, 'carol-hub')).status).toBe(404);
    expect((await t.call('DELETE', '/api/v1/deployments/bob-dep', undefined, 'carol-hub')).status).toBe(404);
  });

  test("the admin group watches another user's event streams, or everyone's; others are refused", async () => {
    for (const path of ['/api/v1/events?owner=bob', '/api/v1/events?owner=*', '/api/v1/jobs/bob-job/logs/stream?owner=bob']) {
      const refused = await t.call('GET', path, undefined, 'alice-hub');
      expect([path, refused.status, refused.body.error.field]).toEqual([path, 403, 'owner']);
    }
    // A log stream of another user's job, for the admin: it has ended, so the stream ends with it.
    const logs = await openSse(`${t.url}/api/v1/jobs/bob-job/logs/stream?owner=bob`, 'carol-hub');
    expect(logs.status).toBe(200);
    await logs.ended;
    expect(logs.events.at(-1)?.event).toBe('end');

    const everyone = await openSse(`${t.url}/api/v1/events?owner=*`, 'carol-hub');
    const bobs = await openSse(`${t.url}/api/v1/events?owner=bob`, 'carol-hub');
    const own = await openSse(`${t.url}/api/v1/events`, 'alice-hub');
    expect([everyone.status, bobs.status, own.status]).toEqual([200, 200, 200]);
    try {
      expect((await t.call('DELETE', '/api/v1/jobs/bob-job', undefined, 'bob-hub')).status).toBe(204);
      expect((await t.call('DELETE', '/api/v1/jobs/alice-job', undefined, 'alice-hub')).status).toBe(204);
      const deleted = (c: typeof everyone) => c.events.filter(e => e.event === 'deleted').map(e => e.data);
      await waitFor(async () => deleted(everyone).length >= 2 && deleted(own).length >= 1 && deleted(bobs).length >= 1, 5000, 'deletion events');
      // Watching everyone's, an event that names only a job also names its owner.
      expect(deleted(everyone).map(d => `${d.owner}/${d.jobId}`).sort()).toEqual(['alice/alice-job', 'bob/bob-job']);
      expect(deleted(bobs)).toEqual([{ jobId: 'bob-job' }]);
      expect(deleted(own)).toEqual([{ jobId: 'alice-job' }]);
    } finally {
      everyone.close();
      bobs.close();
      own.close();
    }
  });

  test('the tokens file keeps working beside the hub; unknown tokens are 401', async () => {
    expect((await t.call('GET', '/api/v1/info', undefined, 'robot-token')).body.user).toBe('ci');
    expect((await t.call('GET', '/api/v1/jobs', undefined, 'robot-token')).body.jobs).toEqual([]);
    for (const token of ['nobody', null]) {
      const r = await t.call('GET', '/api/v1/jobs', undefined, token);
      expect(r.status).toBe(401);
    }
  });

  test('a hub that is down answers 503 with the reason for hub tokens, while the tokens file still works', async () => {
    hub.override = { status: 502, body: 'bad gateway' };
    const r = await t.call('GET', '/api/v1/jobs', undefined, 'dave-hub-never-seen');
    expect(r.status).toBe(503);
    expect(r.body.error.message).toMatch(/JupyterHub/);
    // A malformed URL under a hub outage: the caller still learns nothing but that sign-in is unavailable.
    expect((await t.call('GET', `/api/v1/jobs/${'x'.repeat(600)}`, undefined, 'dave-hub-never-seen')).status).toBe(503);
    expect((await t.call('GET', '/api/v1/jobs', undefined, 'robot-token')).status).toBe(200);
    // Known tokens keep working from the cache while it lasts.
    expect((await t.call('GET', '/api/v1/jobs', undefined, 'alice-hub')).status).toBe(200);
    hub.override = undefined;
  });
});

describe('groups and namespaces', () => {
  test("a user's own map entry wins, then the first group entry in the map's order, then the template", async () => {
    const { namespaceFor } = await import('../../src/backends/kubernetes/plan.js');
    const map = { alice: 'alice-ns', 'group:gpu-team': 'gpu', 'group:team-a': 'team-a' };
    expect(namespaceFor('alice', 'lt-{user}', map, ['team-a'])).toBe('alice-ns');
    expect(namespaceFor('bob', 'lt-{user}', map, ['team-a', 'gpu-team'])).toBe('gpu');
    expect(namespaceFor('bob', 'lt-{user}', map, ['team-a'])).toBe('team-a');
    expect(namespaceFor('bob', 'lt-{user}', map, ['other'])).toBe('lt-bob');
  });

  test('serve flags: the hub, its cache time and the admin group; without a tokens file no embedded token', async () => {
    const { parseServeArgs } = await import('../../src/config.js');
    const env = { JUPYTERHUB_SERVICE_NAME: 'lt', JUPYTERHUB_API_TOKEN: 'service-secret' };
    const c = parseServeArgs(['--jupyterhub-api-url', 'http://127.0.0.1:8081/hub/api/', '--jupyterhub-cache-seconds', '10', '--admin-group', 'admins', '--runtime-file', '/tmp/x.json'], env);
    expect(c.hub).toEqual({ apiUrl: 'http://127.0.0.1:8081/hub/api', serviceName: 'lt', cacheMs: 10_000, negativeCacheMs: 5000, cacheEntries: 10_000, timeoutMs: 5000 });
    expect(c.adminGroup).toBe('admins');
    expect(c.tokens.size).toBe(0);
    expect(c.token).toBeUndefined();
    expect(JSON.stringify(c)).not.toContain('service-secret');
    expect(() => parseServeArgs(['--jupyterhub-api-url', 'ftp://hub', '--runtime-file', '/tmp/x.json'], {})).toThrow(/jupyterhub-api-url/);
    expect(parseServeArgs(['--runtime-file', '/tmp/x.json'], { JUPYTERHUB_API_URL: 'http://127.0.0.1:8081/hub/api' }).hub).toBeUndefined();
  });

  test("a hub's users are several users: the local backend needs --trust-jobs", async () => {
    const { parseServeArgs } = await import('../../src/config.js');
    const { localExecutionAllowed } = await import('../../src/app.js');
    const config = parseServeArgs(['--jupyterhub-api-url', 'http://127.0.0.1:8081/hub/api', '--runtime-file', '/tmp/x.json'], {});
    expect(() => localExecutionAllowed(config)).toThrow(/JupyterHub's users can reach this service.*--trust-jobs/s);
    expect(localExecutionAllowed({ ...config, trustJobs: true })).toBe(true);
  });
});
