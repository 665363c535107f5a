import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Authenticator, TokenTable } from '../../src/api/auth.js';
import { InferenceFastPath } from '../../src/api/inferenceFastPath.js';
import { InferenceRecording } from '../../src/api/inferenceRecording.js';
import type { InferenceSample } from '../../src/monitoring/recorder.js';
import { VersionMonitor } from '../../src/monitoring/versions.js';
import type { DeploymentService } from '../../src/serving/deployments.js';
import { deploymentKey } from '../../src/serving/deploymentUpdater.js';
import type { ServingEndpoint, ServingTarget } from '../../src/serving/servingTarget.js';
import type { ChallengerTarget } from '../../src/serving/traffic.js';

// How the fast path fails when the model server misbehaves in ways a real MLServer does not (an answer
// Node cannot relay, a connection that dies): the caller gets an error in the service's shape, the request
// is counted once, and nothing stays in flight. The ordinary answers are compared with the route's on a
// real MLServer in inferenceFastPath.test.ts.

type Upstream = ServingEndpoint['send'];

let server: http.Server;
let url: string;
let upstream: Upstream;
const endpoint: ServingEndpoint = { send: options => upstream(options), inflight: 0 };
const serving: ServingTarget = { server: endpoint, model: 'iris', version: 1 };
const samples: InferenceSample[] = [];
const versions = new VersionMonitor();
let challengers: ChallengerTarget[] = [];
const fast = new InferenceFastPath({
  auth: new Authenticator(new TokenTable(new Map([['tok', 'alice']]))),
  deployments: {
    readyTraffic: (owner: string, name: string) => (owner === 'alice' && name === 'dep' ? { champion: serving, challengers } : undefined),
    runner: () => ({ serving })
  } as unknown as DeploymentService,
  recording: new InferenceRecording({
    deployments: { runner: () => ({ serving }) } as unknown as DeploymentService,
    recorder: { record: s => samples.push(s) },
    versions
  }),
  maxInferBytes: 1024,
  log: { child: () => ({ error: () => undefined }) } as never,
  nextRequestId: () => 'req-1'
});

/** A model server's whole answer. */
const answer = (status: number, headers: Record<string, string>, body: string) =>
  Promise.resolve({ status, contentType: headers['content-type'], body: Buffer.from(body) });

async function infer(): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/v1/deployments/dep/v2/models/iris/infer`, {
    method: 'POST',
    headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
    body: '{"inputs":[]}'
  });
  const body = await res.json();
  await new Promise(r => setImmediate(r));
  return { status: res.status, body };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (!fast.take(req, res)) {
      res.writeHead(599).end();
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

beforeEach(() => {
  samples.length = 0;
  challengers = [];
  versions.reset(deploymentKey('alice', 'dep'));
});

test('the per-version figures count requests only while a challenger is ready', async () => {
  upstream = () => answer(200, { 'content-type': 'application/json' }, '{"outputs":[{"name":"predict","datatype":"INT64","shape":[2],"data":[0,2]}]}');
  expect((await infer()).status).toBe(200);
  // A champion alone: the deployment's monitor has the request, the comparison has nothing to compare.
  expect(samples.map(s => s.status)).toEqual([200]);
  expect(versions.summary(deploymentKey('alice', 'dep')).versions).toEqual([]);
  // A ready challenger taking no share (canary at 0): the champion's answers are compared from now on.
  const challenger: ServingTarget = { server: endpoint, model: 'iris', version: 2 };
  challengers = [{ serving: challenger, policy: { mode: 'canary', weight: 0 } }];
  expect((await infer()).status).toBe(200);
  const [champion] = versions.summary(deploymentKey('alice', 'dep')).versions;
  expect(champion).toMatchObject({ version: 1, role: 'champion', requests: 1, returned: 1 });
  expect(champion.predictions).toEqual([
    { value: '0', count: 1 },
    { value: '2', count: 1 }
  ]);
});

test('an answer Node cannot relay (a header with a line break) is a 500 in the service shape, counted once', async () => {
  upstream = () => answer(200, { 'content-type': 'application/json\r\nx-injected: 1' }, '{"outputs":[]}');
  const r = await infer();
  expect(r).toEqual({ status: 500, body: { error: { code: 'internal', message: 'internal error' } } });
  expect(samples.map(s => s.status)).toEqual([500]);
  expect(endpoint.inflight).toBe(0);
});

test('a connection reset is tried once more; a server that does not answer is a 503, counted once', async () => {
  let calls = 0;
  upstream = () => {
    calls += 1;
    return calls === 1 ? Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' })) : answer(200, { 'content-type': 'application/json' }, '{"outputs":[]}');
  };
  expect((await infer()).status).toBe(200);
  expect(calls).toBe(2);
  // An answer cut off half-way (the cluster's proxy dropping it) is tried once more too.
  calls = 0;
  upstream = () => {
    calls += 1;
    if (calls > 1) {
      return answer(200, { 'content-type': 'application/json' }, '{"outputs":[]}');
    }
    // What undici reports when the connection closes after the head, before the body's end.
    return Promise.reject(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
  };
  expect((await infer())).toEqual({ status: 200, body: { outputs: [] } });
  expect(calls).toBe(2);
  upstream = () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));
  const r = await infer();
  expect(r).toEqual({ status: 503, body: { error: { code: 'unavailable', message: 'the model server did not answer (it may be restarting): connection failed (ECONNREFUSED)' } } });
  expect(samples.map(s => s.status)).toEqual([200, 200, 503]);
  expect(endpoint.inflight).toBe(0);
});

test("the cluster's proxy finding no pod (a Service between pods) is tried once more after a pause; twice is a 503 with its reason", async () => {
  const noPod = () => Promise.reject(Object.assign(new Error('no model server pod answered: no endpoints available for service "lt-x"'), { code: 'LT_NO_ENDPOINT' }));
  const at: number[] = [];
  upstream = () => {
    at.push(Date.now());
    return at.length === 1 ? noPod() : answer(200, { 'content-type': 'application/json' }, '{"outputs":[]}');
  };
  expect((await infer()).status).toBe(200);
  expect(at).toHaveLength(2);
  expect(at[1] - at[0]).toBeGreaterThanOrEqual(200);
  at.length = 0;
  upstream = () => {
    at.push(Date.now());
    return noPod();
  };
  const r = await infer();
  expect(r).toEqual({
    status: 503,
    body: { error: { code: 'unavailable', message: 'the model server did not answer (it may be restarting): no model server pod answered: no endpoints available for service "lt-x"' } }
  });
  expect(at).toHaveLength(2);
  expect(samples.map(s => s.status)).toEqual([200, 503]);
  expect(endpoint.inflight).toBe(0);
});

test('a model server 500 for a well-formed request is a 502 with its reason', async () => {
  upstream = () => answer(500, { 'content-type': 'application/json' }, '{"error":"boom"}');
  const r = await infer();
  expect(r).toEqual({ status: 502, body: { error: { code: 'model_server_error', message: 'the model server failed: boom' } } });
  expect(samples.map(s => s.status)).toEqual([502]);
});
