import fs from 'node:fs';
import path from 'node:path';
import { deploymentRecord } from '../helpers/records.js';
import { openSse } from '../helpers/sse.js';
import { startService, tempRoot, waitFor, type TestService } from '../helpers/service.js';
import { deployment, sample, writeModelFolder } from '../monitoring/fixtures.js';

let t: TestService;
let root: string;

beforeAll(async () => {
  root = tempRoot();
  t = await startService(root, { python: path.join(root, 'no-python') });
  const modelDir = writeModelFolder(path.join(root, 'models', 'iris'));
  // Records only: the routes ask the store whether a deployment exists; no model server is started.
  await t.service.store.createDeployment(deploymentRecord('alice', 'iris-prod'));
  await t.service.store.createDeployment(deploymentRecord('bob', 'bobs-model'));
  t.service.monitor.attach(deployment('alice', 'iris-prod', modelDir));
  t.service.monitor.attach(deployment('bob', 'bobs-model', modelDir));
});

afterAll(async () => {
  await t.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('monitoring routes', () => {
  test.each([
    ['GET', '/api/v1/deployments/iris-prod/monitoring'],
    ['GET', '/api/v1/deployments/iris-prod/alerts'],
    ['GET', '/metrics']
  ])('%s %s needs a token', async (method, p) => {
    const none = await t.call(method, p, undefined, null);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthenticated');
    expect((await t.call(method, p, undefined, 'wrong')).status).toBe(401);
  });

  test.each([
    ['/api/v1/deployments/nope/monitoring'],
    ['/api/v1/deployments/nope/alerts'],
    // Another user's deployment is as unknown as a missing one.
    ['/api/v1/deployments/bobs-model/monitoring'],
    ['/api/v1/deployments/bobs-model/alerts']
  ])('GET %s is 404', async p => {
    const r = await t.call('GET', p);
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({ code: 'not_found', message: expect.stringContaining('not found') });
  });

  test('bad query parameters name the field', async () => {
    const base = '/api/v1/deployments/iris-prod/monitoring';
    let r = await t.call('GET', `${base}?since=yesterday`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_argument', field: 'since' });
    r = await t.call('GET', `${base}?step=15`);
    expect(r.body.error).toMatchObject({ code: 'invalid_argument', field: 'step', message: 'step: must be a multiple of 10 seconds' });
    r = await t.call('GET', `${base}?step=0`);
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('step');
    r = await t.call('GET', `${base}?since=2000-01-01T00:00:00Z&step=10`);
    expect(r.body.error).toMatchObject({ code: 'invalid_argument', field: 'since' });
  });

  test('the monitoring answer, an alert on the event stream, and /metrics for the caller only', async () => {
    const events = await openSse(`${t.url}/api/v1/events`, t.token);
    const bobEvents = await openSse(`${t.url}/api/v1/events`, 'bob-token');
    try {
      const now = Date.now();
      for (let i = 0; i < 20; i++) {
        t.service.monitor.record(sample('alice', 'iris-prod', now, { offset: i * 10, shift: 4, latencyMs: 12 }));
      }
      const since = new Date(now - 120_000).toISOString();
      const r = await t.call('GET', `/api/v1/deployments/iris-prod/monitoring?since=${since}&step=60`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ deployment: 'iris-prod', windowSeconds: 60, step: 60 });
      expect(r.body.series.reduce((n: number, p: { requests: number }) => n + p.requests, 0)).toBe(20);
      const point = r.body.series.find((p: { requests: number }) => p.requests > 0);
      expect(point).toMatchObject({ errors: 0, errorRate: 0, latencyMs: { p50: 12, p95: 12, p99: 12 } });
      expect(r.body.drift).toMatchObject({ rows: 200, drifted: true, feature: 'x', metric: { numeric: 'psi', categorical: 'js', threshold: 0.2 } });
      const x = r.body.drift.features.find((f: { name: string }) => f.name === 'x');
      expect(x).toMatchObject({ kind: 'numeric', drifted: true, baseline: { edges: expect.any(Array), counts: expect.any(Array) } });
      expect(x.live.counts.reduce((a: number, b: number) => a + b, 0)).toBe(200);
      const color = r.body.drift.features.find((f: { name: string }) => f.name === 'color');
      expect(color).toMatchObject({ kind: 'categorical', drifted: false, live: { categories: { red: 100, blue: 100 } } });
      expect(typeof color.js).toBe('number');
      expect(typeof color.chi2PValue).toBe('number');
      expect(r.body.alerts).toEqual([expect.objectContaining({ rule: 'drift', state: 'firing', message: expect.stringMatching(/\(x\)$/) })]);

      const alerts = await t.call('GET', '/api/v1/deployments/iris-prod/alerts');
      expect(alerts.status).toBe(200);
      expect(alerts.body.alerts).toEqual(r.body.alerts);

      const seen = await waitFor(async () => events.events.find(e => e.event === 'alert'), 10_000, 'alert event');
      expect(seen?.data).toEqual(r.body.alerts[0]);
      expect(bobEvents.events.some(e => e.event === 'alert')).toBe(false);

      const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.token}` } });
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await metrics.text();
      expect(text).toContain('laketahoe_inference_requests_total{deployment="iris-prod",model="iris",version="1",status_class="2xx"} 20');
      expect(text).toContain('laketahoe_alert_firing{deployment="iris-prod",model="iris",version="1",rule="drift",metric="drift"} 1');
      expect(text).not.toContain('bobs-model');
      const bobText = await (await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer bob-token' } })).text();
      expect(bobText).toContain('deployment="bobs-model"');
      expect(bobText).not.toContain('iris-prod');
    } finally {
      events.close();
      bobEvents.close();
    }
  });
});
