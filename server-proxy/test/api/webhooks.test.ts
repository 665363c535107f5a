import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';

// A job's end posted to its webhook: a real local receiver that fails first, then accepts; a URL
// where nothing listens. Real runners on a real ipykernel.
let t: TestService;
let receiver: http.Server;
let base: string;
const received: { path: string; body: any }[] = [];
let failuresLeft = 1;

beforeAll(async () => {
  const root = tempRoot();
  writeNotebook(path.join(root, 'ok.ipynb'), ['print("fine")']);
  writeNotebook(path.join(root, 'bad.ipynb'), ['raise ValueError("bad data")']);
  receiver = http.createServer((req, res) => {
    let text = '';
    req.on('data', chunk => (text += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text) });
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        res.writeHead(503).end();
      } else {
        res.writeHead(200).end('ok');
      }
    });
  });
  await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // The receiver is on loopback, which only an operator's explicit opt-in allows.
  t = await startService(root, { webhookFirstRetryMs: 200, webhookAllowPrivateNetworks: true });
});

afterAll(async () => {
  await t.close();
  await new Promise(resolve => receiver.close(resolve));
});

const submit = (jobId: string, notebook: string, url?: string) =>
  t.call('POST', '/api/v1/jobs', { jobId, trainingInput: { notebook: { path: notebook } }, ...(url ? { webhook: { url } } : {}) });

test('a failed delivery is retried with back-off; every attempt is in the job, the URL never is', async () => {
  const secret = `${base}/hooks/T000/B000/secret-part`;
  const r = await submit('hooked', 'bad.ipynb', secret);
  expect(r.status).toBe(201);
  expect(r.body.webhook).toEqual({ target: base, deliveries: [] });
  expect(JSON.stringify(r.body)).not.toContain('secret-part');
  expect((await waitForState(t, 'hooked', ['FAILED'])).state).toBe('FAILED');

  const job = await waitFor(async () => {
    const j = (await t.call('GET', '/api/v1/jobs/hooked')).body;
    return j.webhook.deliveries.some((d: any) => d.delivered) ? j : undefined;
  }, 20_000, 'delivery');
  expect(job.webhook.deliveries.map((d: any) => [d.state, d.attempt, d.delivered, d.status])).toEqual([
    ['FAILED', 1, false, 503],
    ['FAILED', 2, true, 200]
  ]);
  expect(job.webhook.deliveries[0].error).toBe('the receiver answered 503');
  expect(JSON.stringify(job)).not.toContain('secret-part');
  expect(received).toHaveLength(2);
  expect(received[1]).toEqual({
    path: '/hooks/T000/B000/secret-part',
    body: {
      text: expect.stringMatching(/^Job hooked failed: .*ValueError: bad data/),
      laketahoe: { jobId: 'hooked', state: 'FAILED', errorMessage: job.errorMessage, endTime: job.endTime }
    }
  });
});

test('a receiver that is not there costs the service nothing: attempts are recorded, requests answer', async () => {
  const closed = http.createServer();
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/hook`;
  await new Promise(resolve => closed.close(resolve));

  expect((await submit('unheard', 'ok.ipynb', deadUrl)).status).toBe(201);
  expect((await waitForState(t, 'unheard', ['SUCCEEDED'])).state).toBe('SUCCEEDED');
  const job = await waitFor(async () => {
    const j = (await t.call('GET', '/api/v1/jobs/unheard')).body;
    return j.webhook.deliveries.length >= 3 ? j : undefined;
  }, 20_000, 'three attempts');
  for (const d of job.webhook.deliveries) {
    expect(d).toMatchObject({ state: 'SUCCEEDED', delivered: false, status: null, error: 'not reached (ECONNREFUSED)' });
  }
  // Meanwhile the service answers at once, and a job without a webhook shows none.
  const started = Date.now();
  expect((await submit('plain', 'ok.ipynb')).status).toBe(201);
  expect(Date.now() - started).toBeLessThan(5000);
  expect((await waitForState(t, 'plain', ['SUCCEEDED'])).webhook).toBeUndefined();
});

test('only http(s) URLs are accepted, named by field', async () => {
  const r = await submit('bad_url', 'ok.ipynb', 'file:///etc/passwd');
  expect(r.status).toBe(400);
  expect(r.body.error.field).toBe('webhook.url');
});

test('by default the service posts into no private network: addresses at submit, names when they resolve', async () => {
  const root = tempRoot();
  writeNotebook(path.join(root, 'ok.ipynb'), ['print("fine")']);
  const strict = await startService(root, { webhookFirstRetryMs: 50 });
  try {
    const submitTo = (jobId: string, url: string) =>
      strict.call('POST', '/api/v1/jobs', { jobId, trainingInput: { notebook: { path: 'ok.ipynb' } }, webhook: { url } });
    for (const [jobId, url] of [
      ['metadata', 'http://169.254.169.254/latest/meta-data/'],
      ['loopback', `${base}/hook`],
      ['private', 'http://10.0.0.7:5432/'],
      ['mapped', 'http://[::ffff:127.0.0.1]:80/'],
      ['ipv6_loopback', 'http://[::1]/'],
      ['named_localhost', 'http://localhost:9/']
    ]) {
      const r = await submitTo(jobId, url);
      expect([jobId, r.status, r.body.error?.field]).toEqual([jobId, 400, 'webhook.url']);
      expect(r.body.error.message).toMatch(/not a public address/);
    }
  } finally {
    await strict.close();
  }
});
