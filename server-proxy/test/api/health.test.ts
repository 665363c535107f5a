import { startService, tempRoot, type TestService } from '../helpers/service.js';

let t: TestService;

beforeAll(async () => {
  t = await startService(tempRoot());
});

afterAll(async () => {
  await t.close();
});

describe('GET /healthz', () => {
  test('answers without a token, and says nothing about users or jobs', async () => {
    const r = await t.call('GET', '/healthz', undefined, null);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
  });

  test('only that exact GET skips the token check', async () => {
    expect((await t.call('GET', '/healthz?x=1', undefined, null)).status).toBe(401);
    expect((await t.call('POST', '/healthz', {}, null)).status).toBe(401);
    expect((await t.call('GET', '/healthz/', undefined, null)).status).toBe(401);
    expect((await t.call('GET', '/api/v1/info', undefined, null)).status).toBe(401);
  });

  test('is not in the OpenAPI document', async () => {
    const r = await t.call('GET', '/api/v1/openapi.json');
    expect(Object.keys(r.body.paths)).not.toContain('/healthz');
  });
});
