import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, type TestService } from '../helpers/service.js';

let t: TestService;

beforeAll(async () => {
  const root = tempRoot();
  writeNotebook(path.join(root, 'nb', 'ok.ipynb'), ['print(1)']);
  // A python that does not exist: accepted jobs fail to start, which these tests do not look at.
  t = await startService(root, { python: path.join(root, 'no-python') });
});

afterAll(async () => {
  await t.close();
});

const nb = { notebook: { path: 'nb/ok.ipynb' } };

/** Sends a raw body (not re-encoded by fetch's caller) with the test token. */
async function rawPost(urlPath: string, text: string): Promise<{ status: number; body: any }> {
  const res = await fetch(t.url + urlPath, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
    body: text
  });
  return { status: res.status, body: await res.json() };
}

describe('replica counts have maxima', () => {
  test.each([
    ['workerCount', 5_000_000],
    ['parameterServerCount', 5_000_000],
    ['workerCount', 1001],
    ['parameterServerCount', 101]
  ])('%s %d is a 400 naming the field', async (field, value) => {
    const r = await t.call('POST', '/api/v1/jobs', { trainingInput: { ...nb, backend: 'local', [field]: value } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_argument', field: `trainingInput.${field}` });
    expect(r.body.error.message).toMatch(/must be <= /);
  });
});

describe('labels and nesting are bounded', () => {
  test('more than 64 labels is a 400 naming labels', async () => {
    const labels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    const r = await t.call('POST', '/api/v1/jobs', { trainingInput: nb, labels });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('labels');
  });

  test('64 labels are accepted', async () => {
    const labels = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
    const r = await t.call('POST', '/api/v1/jobs', { trainingInput: nb, labels });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body.labels)).toHaveLength(64);
  });

  test.each([1000, 20_000])('a body nested %d levels deep is a 400, not stored and not a 500', async depth => {
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const text = `{"jobId": "deep${depth}", "trainingInput": {"notebook": {"path": "nb/ok.ipynb", "parameters": {"x": ${deep}}}}}`;
    const r = await rawPost('/api/v1/jobs', text);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/nests deeper than 64 levels/);
    expect((await t.call('GET', `/api/v1/jobs/deep${depth}`)).status).toBe(404);
  });

  test('nesting within the limit is accepted', async () => {
    const deep = '['.repeat(50) + ']'.repeat(50);
    const text = `{"trainingInput": {"notebook": {"path": "nb/ok.ipynb", "parameters": {"x": ${deep}}}}}`;
    expect((await rawPost('/api/v1/jobs', text)).status).toBe(201);
  });

  test.each([
    ['{"trainingInput": {"notebook": {"path": "nb/ok.ipynb", "parameters": {"__proto__": {"polluted": 1}}}}}', 'trainingInput.notebook.parameters.__proto__'],
    ['{"trainingInput": {"notebook": {"path": "nb/ok.ipynb", "parameters": {"constructor": {"prototype": {"polluted": 1}}}}}}', 'trainingInput.notebook.parameters.constructor.prototype'],
    ['{"__proto__": {"isAdmin": true}, "trainingInput": {"notebook": {"path": "nb/ok.ipynb"}}}', '__proto__']
  ])('prototype-poisoning keys are refused: %s', async (text, field) => {
    const r = await rawPost('/api/v1/jobs', text);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_argument', field });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('brackets inside strings do not count as nesting', async () => {
    const text = JSON.stringify({ trainingInput: { notebook: { path: 'nb/ok.ipynb', parameters: { s: '['.repeat(500) + '\\"{' } } } });
    expect((await rawPost('/api/v1/jobs', text)).status).toBe(201);
  });
});

describe('job ids are served exactly as long as they are accepted', () => {
  const id = (n: number) => 'j' + 'x'.repeat(n - 1);

  test('a 128-character id is submitted and every /jobs/{id} route serves it', async () => {
    const jobId = id(128);
    const r = await t.call('POST', '/api/v1/jobs', { jobId, trainingInput: nb });
    expect(r.status).toBe(201);
    expect((await t.call('GET', `/api/v1/jobs/${jobId}`)).status).toBe(200);
    expect((await t.call('GET', `/api/v1/jobs/${jobId}/logs`)).status).toBe(200);
    expect((await t.call('GET', `/api/v1/jobs/${jobId}/metrics`)).status).toBe(200);
    expect((await t.call('GET', `/api/v1/jobs/${jobId}/outputs/output.ipynb`)).status).toBe(404);
  });

  test('a 129-character id is refused at submit, and its routes answer 400, not 414', async () => {
    const jobId = id(129);
    const r = await t.call('POST', '/api/v1/jobs', { jobId, trainingInput: nb });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('jobId');
    expect((await t.call('GET', `/api/v1/jobs/${jobId}`)).status).toBe(400);
  });

  test.each([110, 600, 5000])('an unauthenticated request with a %d-character id is a 401', async n => {
    const r = await t.call('GET', `/api/v1/jobs/${id(n)}`, undefined, null);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthenticated');
    const bad = await t.call('GET', `/api/v1/jobs/${id(n)}/logs`, undefined, 'wrong');
    expect(bad.status).toBe(401);
  });

  test('an authenticated request with an over-long path segment is a 414 in the error shape', async () => {
    const r = await t.call('GET', `/api/v1/jobs/${id(600)}`);
    expect(r.status).toBe(414);
    expect(r.body.error.code).toBe('invalid_argument');
  });
});

describe('page tokens', () => {
  test.each(['OTk5OTk5OTk5OTk5OTk5OTk5OTk5', 'MWU5OQ', 'LTE', 'not*base64', 'MS41', 'YWJj', 'MDAx'])(
    'a crafted job pageToken %s is a 400 naming pageToken',
    async token => {
      const r = await t.call('GET', `/api/v1/jobs?pageToken=${encodeURIComponent(token)}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_argument', field: 'pageToken' });
    }
  );

  test('tokens the API returns keep working', async () => {
    const first = await t.call('GET', '/api/v1/jobs?pageSize=1');
    expect(first.body.nextPageToken).toBeDefined();
    const second = await t.call('GET', `/api/v1/jobs?pageSize=1&pageToken=${first.body.nextPageToken}`);
    expect(second.status).toBe(200);
    expect(second.body.jobs[0].jobId).not.toBe(first.body.jobs[0].jobId);
  });
});
