import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { DeploymentMonitor, InferenceSample } from '../../src/monitoring/recorder.js';
import { MLSERVER, PROXY_DIR, PYTHON, startService, tempRoot, waitFor, type TestService } from '../helpers/service.js';

// The inference fast path (src/api/inferenceFastPath.ts) against the Fastify route it stands in front
// of, on a real MLServer: every request is sent twice, once as is and once with a query string (which
// the route ignores and the fast path never takes), and both answers must be the same, counted the same.

const MAX_INFER_BYTES = 4096;
const INFER = '/api/v1/deployments/iris-fast/v2/models/iris/infer';
const GOOD = JSON.stringify({ inputs: [{ name: 'input-0', datatype: 'FP64', shape: [2, 4], data: [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3] }] });

class Samples implements DeploymentMonitor {
  all: InferenceSample[] = [];
  record(sample: InferenceSample): void {
    this.all.push(sample);
  }
  attach(): void {}
  detach(): void {}
}

interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sent in chunks without a Content-Length. */
  chunked?: boolean;
  /** Sent with its Content-Length in two pieces, the second this many milliseconds after the first. */
  pauseMs?: number;
  /** A keep-alive agent whose connection the request goes on. */
  agent?: http.Agent;
}

interface Answer {
  status: number;
  contentType: string | undefined;
  body: any;
  /** Whether the request went on a connection an earlier request had used. */
  reusedConnection: boolean;
}

let root: string;
let t: TestService;
const samples = new Samples();

/** A request with exactly these headers (no client adds any of its own). */
function send(req: Sent): Promise<Answer> {
  const url = new URL(t.url);
  const headers: Record<string, string | number> = { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', ...req.headers };
  for (const [k, v] of Object.entries(headers)) {
    if (v === '') {
      delete headers[k];
    }
  }
  const body = req.body ?? GOOD;
  if (!req.chunked) {
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const options = { host: url.hostname, port: url.port, method: req.method ?? 'POST', path: req.path ?? INFER, headers, agent: req.agent };
    const r = http.request(options, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // Not JSON.
        }
        resolve({ status: res.statusCode!, contentType: res.headers['content-type'], body: parsed, reusedConnection: r.reusedSocket });
      });
    });
    r.on('error', reject);
    if (req.chunked) {
      r.write(body.slice(0, 10));
      r.end(body.slice(10));
    } else if (req.pauseMs !== undefined) {
      r.write(body.slice(0, 10));
      setTimeout(() => r.end(body.slice(10)), req.pauseMs);
    } else {
      r.end(body);
    }
  });
}

/** What must agree between the two answers: an inference's outputs, or the whole error. */
function comparable(a: Answer) {
  const body = a.body?.outputs ? { model_name: a.body.model_name, model_version: a.body.model_version, outputs: a.body.outputs } : a.body;
  return { status: a.status, contentType: a.contentType, body };
}

/** Sends `req` as is and through the route; answers both, with whether the fast path took the first and what each left to monitoring. */
async function twice(req: Sent) {
  const fast = t.service.inferenceFastPath!;
  const result = [];
  for (const p of [req.path ?? INFER, `${req.path ?? INFER}?via=route`]) {
    const [taken, recorded] = [fast.taken, samples.all.length];
    const answer = await send({ ...req, path: p });
    // Recording runs on the service's next turn (set up before this answer left): one turn later it is done.
    await new Promise(r => setImmediate(r));
    result.push({ answer, taken: fast.taken - taken, recorded: samples.all.slice(recorded).map(s => s.status) });
  }
  const [direct, routed] = result;
  expect(routed.taken).toBe(0);
  expect(comparable(direct.answer)).toEqual(comparable(routed.answer));
  expect(direct.recorded).toEqual(routed.recorded);
  return { answer: direct.answer, taken: direct.taken === 1, recorded: direct.recorded };
}

beforeAll(async () => {
  if (!fs.existsSync(MLSERVER)) {
    throw new Error(`${MLSERVER} is missing: run \`make serving-env\` (part of \`make setup\`) first`);
  }
  root = tempRoot();
  execFileSync(PYTHON, [path.join(PROXY_DIR, 'test', 'serving', 'make_models.py'), path.join(root, 'models')]);
  t = await startService(root, { maxInferBytes: MAX_INFER_BYTES }, { monitor: samples });
  expect((await t.call('POST', '/api/v1/models', { path: 'models/iris' })).status).toBe(201);
  expect((await t.call('POST', '/api/v1/deployments', { name: 'iris-fast', model: { name: 'iris' } })).status).toBe(201);
  await waitFor(async () => (await t.call('GET', '/api/v1/deployments/iris-fast')).body.state === 'READY', 120_000, 'iris-fast READY');
}, 180_000);

afterAll(async () => {
  await t?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the common request is answered by the fast path, as the route answers it', () => {
  test.each([
    ['an inference', {}, 200],
    ['JSON with a charset', { headers: { 'content-type': 'application/json; charset=utf-8' } }, 200],
    ['a tensor that does not fill its shape', { body: '{"inputs":[{"name":"input-0","datatype":"FP64","shape":[2,4],"data":[1,2]}]}' }, 400],
    ['no inputs', { body: '{"inputz":[]}' }, 400],
    ['a body that is no JSON', { body: '{"inputs": [' }, 400],
    ['a body whose rest comes later (forwarded once its last byte is in)', { pauseMs: 100 }, 200]
  ] as [string, Sent, number][])('%s', async (_what, req, status) => {
    const { answer, taken, recorded } = await twice(req);
    expect(taken).toBe(true);
    expect(answer.status).toBe(status);
    // Counted once, with the status the caller got.
    expect(recorded).toEqual([status]);
  });

  test('the answer is the model server’s, and each shadow or canary decision is the route’s (one champion here)', async () => {
    const { answer } = await twice({});
    expect(answer.contentType).toBe('application/json');
    expect(answer.body).toMatchObject({ model_name: 'iris', model_version: '1', outputs: [{ data: [0, 2] }] });
  });

  test('on one kept-alive connection every request’s token is checked, whatever the one before it carried', async () => {
    // The service remembers the caller of the token a connection last sent; another token on the same
    // connection must be looked up afresh, never answered as the remembered caller.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sequence: [string, number][] = [
        [`Bearer ${t.token}`, 200],
        ['Bearer wrong', 401],
        [`Bearer ${t.token}`, 200],
        ['Bearer bob-token', 404],
        [`Bearer ${t.token}x`, 401],
        [`token ${t.token}`, 200]
      ];
      const answers = [];
      for (const [authorization] of sequence) {
        answers.push(await send({ agent, headers: { authorization } }));
      }
      expect(answers.map(a => a.status)).toEqual(sequence.map(([, status]) => status));
      expect(answers.slice(1).every(a => a.reusedConnection)).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});

describe('everything else goes to the route, untouched, and gets its answer', () => {
  const longName = 'a'.repeat(64);
  test.each([
    ['GET on the infer path', { method: 'GET', body: '' }, 404],
    ['PUT on the infer path', { method: 'PUT' }, 404],
    ['a trailing slash', { path: `${INFER}/` }, 404],
    ['another route below the deployment', { path: '/api/v1/deployments/iris-fast/v2/models/iris/infer2' }, 404],
    ['a percent-encoded name (the router decodes it)', { path: '/api/v1/deployments/iris%2Dfast/v2/models/iris/infer' }, 200],
    ['a name longer than the schema allows', { path: `/api/v1/deployments/${longName}/v2/models/iris/infer` }, 400],
    ['a model segment of dots', { path: '/api/v1/deployments/iris-fast/v2/models/../infer' }, 404],
    ['an unknown deployment', { path: '/api/v1/deployments/nope/v2/models/iris/infer' }, 404],
    ['another model than the deployment serves', { path: '/api/v1/deployments/iris-fast/v2/models/other/infer' }, 404],
    ["another user's token (tenancy)", { headers: { authorization: 'Bearer bob-token' } }, 404],
    ['an unknown token', { headers: { authorization: 'Bearer wrong' } }, 401],
    ['no token', { headers: { authorization: '' } }, 401],
    ['a body over the limit', { body: GOOD.padEnd(MAX_INFER_BYTES + 1) }, 413],
    ['a chunked body over the limit', { body: GOOD.padEnd(MAX_INFER_BYTES + 1), chunked: true }, 413],
    ['a chunked body within the limit', { chunked: true }, 200],
    ['an empty body', { body: '' }, 400],
    ['a simple content type another site could send', { headers: { 'content-type': 'text/plain' } }, 403],
    ['another type, with the request header', { headers: { 'content-type': 'application/octet-stream', 'x-laketahoe-request': '1' } }, 200],
    ['an Origin of another site', { headers: { origin: 'http://evil.example' } }, 403],
    ['a cross-site fetch', { headers: { 'sec-fetch-site': 'cross-site' } }, 403]
  ] as [string, Sent, number][])('%s', async (_what, req, status) => {
    const { answer, taken } = await twice(req);
    expect(taken).toBe(false);
    expect(answer.status).toBe(status);
    if (status >= 400) {
      expect(answer.body.error.code).toEqual(expect.any(String));
    }
  });
});

test('requests in flight together are each answered and counted once', async () => {
  const before = samples.all.length;
  const taken = t.service.inferenceFastPath!.taken;
  const answers = await Promise.all(Array.from({ length: 32 }, (_, i) => send(i % 4 === 0 ? { path: `${INFER}?via=route` } : {})));
  expect(answers.map(a => a.status)).toEqual(new Array(32).fill(200));
  expect(t.service.inferenceFastPath!.taken - taken).toBe(24);
  await waitFor(async () => samples.all.length - before >= 32, 5000, '32 samples');
  await new Promise(r => setImmediate(r));
  expect(samples.all.length - before).toBe(32);
});
