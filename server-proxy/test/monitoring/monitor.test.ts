import fs from 'node:fs';
import path from 'node:path';
import { EventBus, type ServiceEvent } from '../../src/events.js';
import type { Alert } from '../../src/monitoring/alerts.js';
import { Monitor } from '../../src/monitoring/monitor.js';
import { tempRoot, waitFor } from '../helpers/service.js';
import { openTestStores } from '../helpers/stores.js';
import { deployment, sample, writeModelFolder } from './fixtures.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

/** A monitor over a real database (SQLite, or PostgreSQL in the postgres project), with a clock the test moves. */
async function open(dbFile: string, clock: { now: number }, sharedHistory = false) {
  const { store, monitor: monitorStore } = await openTestStores(dbFile);
  const bus = new EventBus();
  const events: ServiceEvent[] = [];
  bus.subscribe(e => events.push(e));
  const monitor = new Monitor({ store: monitorStore, bus, now: () => clock.now, evaluateMs: 0, sharedHistory });
  return { store, bus, events, monitor };
}

const alertEvents = (events: ServiceEvent[]) =>
  events.flatMap(e => (e.type === 'alert' ? [{ owner: e.owner, rule: e.alert.rule, state: e.alert.state }] : []));

/** Parses Prometheus text into `name{labels} -> value`. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line && !line.startsWith('#')) {
      const at = line.lastIndexOf(' ');
      out.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
  }
  return out;
}

describe('deployment monitor', () => {
  let root: string;
  let modelDir: string;
  beforeAll(() => {
    root = tempRoot();
    modelDir = writeModelFolder(path.join(root, 'models', 'iris'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('request buckets: counts, error classes and percentiles per step', async () => {
    const clock = { now: T0 };
    const { store, monitor } = await open(path.join(root, 'buckets.db'), clock);
    monitor.attach(deployment('alice', 'buckets', modelDir));
    for (let i = 0; i < 100; i++) {
      monitor.record(sample('alice', 'buckets', T0 + i * 1000, { status: i % 10 === 0 ? 500 : i % 25 === 1 ? 404 : 200, latencyMs: i + 1 }));
    }
    clock.now = T0 + 100_000;
    const answer = await monitor.monitoring('alice', 'buckets', T0, 60);
    expect(answer.series.map(p => p.requests)).toEqual([60, 40]);
    expect(answer.series[0]).toMatchObject({ errors: 9, serverErrors: 6, clientErrors: 3 });
    expect(answer.series[0].errorRate).toBeCloseTo(9 / 60, 12);
    expect(answer.series[0].latencyMs.p50).toBeGreaterThan(30 * 0.97);
    expect(answer.series[0].latencyMs.p50).toBeLessThan(30 * 1.03);
    expect(answer.series[1].latencyMs.p99).toBeCloseTo(100, 0);
    // Samples for a deployment nobody attached are ignored.
    monitor.record(sample('alice', 'unknown', T0));
    expect((await monitor.monitoring('alice', 'unknown', T0, 60)).series.every(p => p.requests === 0)).toBe(true);
    await monitor.close();
    await store.close();
  });

  test('drift needs 30 rows in the window: 29 shifted rows give none and no alert, the 30th gives both', async () => {
    const clock = { now: T0 };
    const s = await open(path.join(root, 'min-rows.db'), clock);
    s.monitor.attach(deployment('alice', 'few', modelDir));
    s.monitor.record(sample('alice', 'few', clock.now, { rows: 29, shift: 4 }));
    await s.monitor.evaluateAll();
    let answer = await s.monitor.monitoring('alice', 'few', T0, 60);
    expect(answer.drift).toBeNull();
    expect(answer.alerts).toEqual([]);
    expect(alertEvents(s.events)).toEqual([]);

    s.monitor.record(sample('alice', 'few', clock.now, { rows: 1, shift: 4, offset: 29 }));
    await s.monitor.evaluateAll();
    answer = await s.monitor.monitoring('alice', 'few', T0, 60);
    expect(answer.drift).toMatchObject({ rows: 30, drifted: true, feature: 'x' });
    expect(alertEvents(s.events)).toEqual([{ owner: 'alice', rule: 'drift', state: 'firing' }]);
    await s.monitor.close();
    await s.store.close();
  });

  test('shifting a feature fires a drift alert naming it; restoring it resolves the alert; both persist and publish', async () => {
    const clock = { now: T0 };
    const dbFile = path.join(root, 'drift.db');
    let s = await open(dbFile, clock);
    s.monitor.attach(deployment('alice', 'iris-prod', modelDir));

    // Like the training data: no drift.
    for (let i = 0; i < 20; i++) {
      s.monitor.record(sample('alice', 'iris-prod', clock.now, { offset: i * 10 }));
    }
    await s.monitor.evaluateAll();
    let answer = await s.monitor.monitoring('alice', 'iris-prod', T0, 60);
    expect(answer.drift?.rows).toBe(200);
    expect(answer.drift?.drifted).toBe(false);
    expect(answer.drift?.features.find(f => f.name === 'x')?.psi).toBeLessThan(0.05);
    expect(alertEvents(s.events)).toEqual([]);

    // A minute later the old rows have left the window and x arrives shifted by +4.
    clock.now += 61_000;
    for (let i = 0; i < 20; i++) {
      s.monitor.record(sample('alice', 'iris-prod', clock.now, { offset: i * 10, shift: 4 }));
    }
    await s.monitor.evaluateAll();
    answer = await s.monitor.monitoring('alice', 'iris-prod', T0, 60);
    const x = answer.drift!.features.find(f => f.name === 'x')!;
    expect(answer.drift).toMatchObject({ rows: 200, drifted: true, feature: 'x' });
    expect(x.psi).toBeGreaterThan(1);
    expect(x.ks).toBeGreaterThan(0.3);
    expect(x.ksPValue).toBeLessThan(0.001);
    expect(answer.drift!.features.find(f => f.name === 'y')?.drifted).toBe(false);
    expect(answer.drift!.prediction).toMatchObject({ name: 'prediction', drifted: false });
    expect(answer.alerts).toHaveLength(1);
    const fired = answer.alerts[0];
    expect(fired).toMatchObject({ deployment: 'iris-prod', rule: 'drift', metric: 'drift', state: 'firing', threshold: 0.2, endTime: null });
    expect(fired.message).toMatch(/^feature drift [\d.]+ > 0\.2 \(x\)$/);
    expect(alertEvents(s.events)).toEqual([{ owner: 'alice', rule: 'drift', state: 'firing' }]);

    // Evaluating again while still drifting opens no second alert.
    await s.monitor.evaluateAll();
    expect(alertEvents(s.events)).toHaveLength(1);

    // The service restarts: the firing alert and the request history come back from the database.
    await s.monitor.close();
    await s.store.close();
    s = await open(dbFile, clock);
    s.monitor.attach(deployment('alice', 'iris-prod', modelDir));
    const history = await s.monitor.monitoring('alice', 'iris-prod', T0, 60);
    expect(history.series.reduce((n, p) => n + p.requests, 0)).toBe(40);
    expect(history.alerts.map(a => [a.id, a.state])).toEqual([[fired.id, 'firing']]);
    // The drift window comes back too: the firing alert still has its evidence, and evaluating does not
    // resolve it for want of rows.
    expect(history.drift).toMatchObject({ rows: 200, drifted: true, feature: 'x' });
    expect(history.drift!.features.find(f => f.name === 'x')!.psi).toBeCloseTo(x.psi as number, 10);
    await s.monitor.evaluateAll();
    expect(alertEvents(s.events)).toEqual([]);

    // Inputs like the training data again: the alert resolves, once.
    clock.now += 61_000;
    for (let i = 0; i < 20; i++) {
      s.monitor.record(sample('alice', 'iris-prod', clock.now, { offset: i * 10 }));
    }
    await s.monitor.evaluateAll();
    await s.monitor.evaluateAll();
    const alerts = await s.monitor.alerts('alice', 'iris-prod');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ id: fired.id, state: 'resolved', endTime: new Date(clock.now).toISOString() });
    expect(alertEvents(s.events)).toEqual([{ owner: 'alice', rule: 'drift', state: 'resolved' }]);
    await s.monitor.close();
    await s.store.close();
  });

  test('p99 latency and error rate over the window fire and resolve their rules', async () => {
    const clock = { now: T0 };
    const s = await open(path.join(root, 'latency.db'), clock);
    s.monitor.attach(deployment('alice', 'slow', modelDir));
    for (let i = 0; i < 100; i++) {
      s.monitor.record(sample('alice', 'slow', clock.now - i * 100, { offset: i * 10, latencyMs: i < 5 ? 900 : 20, status: i < 10 ? 503 : 200 }));
    }
    await s.monitor.evaluateAll();
    const firing = await s.monitor.alerts('alice', 'slow');
    const byRule = Object.fromEntries(firing.map(a => [a.rule, a])) as Record<string, Alert>;
    expect(Object.keys(byRule).sort()).toEqual(['errors', 'slow']);
    expect(byRule.slow.value).toBeGreaterThan(850);
    expect(byRule.slow.message).toMatch(/^p99 latency [\d.]+ > 500 ms over the last 60 s$/);
    expect(byRule.errors.value).toBeCloseTo(0.1, 12);
    expect(byRule.errors.message).toBe('error rate 0.1 > 0.05 (10 of 100 requests over the last 60 s)');

    // Two minutes of quiet: no data in the window resolves both.
    clock.now += 120_000;
    await s.monitor.evaluateAll();
    expect((await s.monitor.alerts('alice', 'slow')).map(a => a.state)).toEqual(['resolved', 'resolved']);
    expect(alertEvents(s.events).map(e => e.state)).toEqual(['firing', 'firing', 'resolved', 'resolved']);
    await s.monitor.close();
    await s.store.close();
  });

  test('replicas on one database: each adds the requests it forwarded, once; only the leader fires alerts, on all of them', async () => {
    const clock = { now: T0 };
    const file = path.join(root, 'replicas.db');
    const leader = await open(file, clock, true);
    const follower = await open(file, clock, true);
    follower.monitor.evaluatesAlerts = () => false;
    for (const s of [leader, follower]) {
      s.monitor.attach(deployment('alice', 'shared', modelDir));
    }
    for (let i = 0; i < 10; i++) {
      leader.monitor.record(sample('alice', 'shared', clock.now - i * 100, { offset: i * 10, latencyMs: 20 }));
    }
    for (let i = 0; i < 30; i++) {
      follower.monitor.record(sample('alice', 'shared', clock.now - i * 100, { offset: i * 10, latencyMs: 20, status: i < 10 ? 503 : 200 }));
    }
    const total = async (s: typeof leader) => (await s.monitor.monitoring('alice', 'shared', T0 - 60_000, 60)).series.reduce((n, p) => n + p.requests, 0);
    await follower.monitor.evaluateAll();
    expect(await follower.monitor.alerts('alice', 'shared')).toEqual([]);
    await leader.monitor.evaluateAll();
    // Flushed again and again by both: still each request once.
    expect(await total(follower)).toBe(40);
    expect(await total(leader)).toBe(40);
    await follower.monitor.evaluateAll();
    expect(await total(leader)).toBe(40);
    // The follower's errors reach the leader's window through the store.
    const [errors] = (await leader.monitor.alerts('alice', 'shared')).filter(a => a.rule === 'errors');
    expect(errors.message).toBe('error rate 0.25 > 0.05 (10 of 40 requests over the last 60 s)');
    expect(alertEvents(follower.events)).toEqual([]);
    for (const s of [leader, follower]) {
      await s.monitor.close();
      await s.store.close();
    }
  });

  test('requests whose flush failed (the database was unreachable) are written by the next flush, not lost', async () => {
    const clock = { now: T0 };
    const { store, monitor: monitorStore } = await openTestStores(path.join(root, 'flaky.db'));
    let failing = true;
    const flaky = Object.create(monitorStore);
    flaky.addBuckets = (...args: Parameters<typeof monitorStore.addBuckets>) =>
      failing ? Promise.reject(new Error('connection terminated')) : monitorStore.addBuckets(...args);
    const monitor = new Monitor({ store: flaky, bus: new EventBus(), now: () => clock.now, evaluateMs: 0 });
    monitor.attach(deployment('alice', 'flaky', modelDir));
    for (let i = 0; i < 3; i++) {
      monitor.record(sample('alice', 'flaky', T0 + i * 1000));
    }
    await expect(monitor.monitoring('alice', 'flaky', T0, 60)).rejects.toThrow('connection terminated');
    // More requests in the same bucket meanwhile, and one in the next.
    monitor.record(sample('alice', 'flaky', T0 + 4000));
    monitor.record(sample('alice', 'flaky', T0 + 12_000));
    failing = false;
    clock.now = T0 + 60_000;
    const answer = await monitor.monitoring('alice', 'flaky', T0, 60);
    expect(answer.series.map(p => p.requests)).toEqual([5, 0]);
    expect((await monitorStore.listBuckets('alice', 'flaky', T0, T0 + 60_000)).map(b => b.requests)).toEqual([4, 1]);
    await monitor.close();
    await store.close();
  });

  test('Prometheus text shows only the owner\'s deployments: requests by class, latency, drift per feature, alert state', async () => {
    const clock = { now: T0 };
    const s = await open(path.join(root, 'metrics.db'), clock);
    s.monitor.attach(deployment('alice', 'iris-prod', modelDir));
    s.monitor.attach(deployment('bob', 'bobs-model', modelDir));
    for (let i = 0; i < 20; i++) {
      s.monitor.record(sample('alice', 'iris-prod', clock.now, { offset: i * 10, shift: 4, status: i === 0 ? 404 : 200, latencyMs: 3 }));
    }
    s.monitor.record(sample('bob', 'bobs-model', clock.now));
    await s.monitor.evaluateAll();
    const alice = parseMetrics(await s.monitor.metrics.text('alice'));
    const labels = 'deployment="iris-prod",model="iris",version="1"';
    expect(alice.get(`laketahoe_inference_requests_total{${labels},status_class="2xx"}`)).toBe(19);
    expect(alice.get(`laketahoe_inference_requests_total{${labels},status_class="4xx"}`)).toBe(1);
    expect(alice.get(`laketahoe_inference_latency_seconds_bucket{le="0.005",${labels}}`)).toBe(20);
    expect(alice.get(`laketahoe_inference_latency_seconds_count{${labels}}`)).toBe(20);
    expect(alice.get(`laketahoe_feature_drift_score{${labels},feature="x"}`)).toBeGreaterThan(1);
    expect(alice.get(`laketahoe_feature_drift_score{${labels},feature="color"}`)).toBeLessThan(0.2);
    expect(alice.get(`laketahoe_drift_score{${labels}}`)).toBe(alice.get(`laketahoe_feature_drift_score{${labels},feature="x"}`));
    expect(alice.get(`laketahoe_alert_firing{${labels},rule="drift",metric="drift"}`)).toBe(1);
    expect(alice.get(`laketahoe_alert_firing{${labels},rule="slow",metric="latencyP99Ms"}`)).toBe(0);
    expect([...alice.keys()].some(k => k.includes('bobs-model'))).toBe(false);
    const bob = await s.monitor.metrics.text('bob');
    expect(bob).toContain('deployment="bobs-model"');
    expect(bob).not.toContain('iris-prod');
    // A caller without deployments gets an empty page.
    expect(await s.monitor.metrics.text('carol')).toBe('');

    // Deleting the deployment removes its series and its history.
    s.monitor.detach('alice', 'iris-prod');
    await s.monitor.idle();
    const after = await s.monitor.metrics.text('alice');
    expect(after).toBe('');
    expect(await s.monitor.alerts('alice', 'iris-prod')).toEqual([]);
    expect((await s.monitor.monitoring('alice', 'iris-prod', T0 - 60_000, 60)).series.every(p => p.requests === 0)).toBe(true);
    await s.monitor.close();
    await s.store.close();
  });

  test('Prometheus series count every request between two scrapes, however many, each once', async () => {
    const clock = { now: T0 };
    const s = await open(path.join(root, 'metrics-many.db'), clock);
    s.monitor.attach(deployment('alice', 'busy', modelDir));
    const labels = 'deployment="busy",model="iris",version="1"';
    const scrape = async () => parseMetrics(await s.monitor.metrics.text('alice'));
    // More requests than are held for a scrape: some reach the series before it, the rest at it.
    for (let i = 0; i < 2500; i++) {
      s.monitor.record(sample('alice', 'busy', clock.now, { status: i % 10 === 0 ? 500 : 200, latencyMs: i % 2 ? 2 : 20 }));
    }
    let metrics = await scrape();
    expect(metrics.get(`laketahoe_inference_requests_total{${labels},status_class="2xx"}`)).toBe(2250);
    expect(metrics.get(`laketahoe_inference_requests_total{${labels},status_class="5xx"}`)).toBe(250);
    expect(metrics.get(`laketahoe_inference_latency_seconds_bucket{le="0.0025",${labels}}`)).toBe(1250);
    expect(metrics.get(`laketahoe_inference_latency_seconds_count{${labels}}`)).toBe(2500);
    expect(metrics.get(`laketahoe_inference_latency_seconds_sum{${labels}}`)).toBeCloseTo(1250 * 0.002 + 1250 * 0.02, 6);
    // A second scrape without requests between shows the same; one more request adds one.
    expect((await scrape()).get(`laketahoe_inference_latency_seconds_count{${labels}}`)).toBe(2500);
    s.monitor.record(sample('alice', 'busy', clock.now));
    metrics = await scrape();
    expect(metrics.get(`laketahoe_inference_requests_total{${labels},status_class="2xx"}`)).toBe(2251);
    expect(metrics.get(`laketahoe_inference_latency_seconds_count{${labels}}`)).toBe(2501);
    await s.monitor.close();
    await s.store.close();
  });

  test('a new version starts a fresh window but keeps the history; a removed rule resolves its alert', async () => {
    const clock = { now: T0 };
    const s = await open(path.join(root, 'update.db'), clock);
    s.monitor.attach(deployment('alice', 'upd', modelDir));
    for (let i = 0; i < 20; i++) {
      s.monitor.record(sample('alice', 'upd', clock.now, { offset: i * 10, shift: 4 }));
    }
    await s.monitor.evaluateAll();
    expect((await s.monitor.alerts('alice', 'upd')).map(a => [a.rule, a.state])).toEqual([['drift', 'firing']]);

    const next = deployment('alice', 'upd', modelDir);
    next.version = 2;
    next.monitoring.alerts = next.monitoring.alerts.filter(r => r.name !== 'drift');
    s.monitor.attach(next);
    const answer = await s.monitor.monitoring('alice', 'upd', T0, 60);
    expect(answer.drift).toBeNull();
    expect(answer.series[0].requests).toBe(20);
    expect(answer.alerts.map(a => [a.rule, a.state])).toEqual([['drift', 'resolved']]);

    // The old server still answers the requests it had in flight: counted, but its rows are not the new version's.
    for (let i = 0; i < 20; i++) {
      s.monitor.record(sample('alice', 'upd', clock.now, { offset: i * 10, shift: 4 }));
    }
    const draining = await s.monitor.monitoring('alice', 'upd', T0, 60);
    expect(draining.series[0].requests).toBe(40);
    expect(draining.drift).toBeNull();
    for (let i = 0; i < 20; i++) {
      s.monitor.record({ ...sample('alice', 'upd', clock.now, { offset: i * 10 }), version: 2 });
    }
    const served = await s.monitor.monitoring('alice', 'upd', T0, 60);
    expect(served.drift).toMatchObject({ rows: 200, drifted: false });
    await s.monitor.close();
    await s.store.close();
  });

  test("a window's rows shrink with its width: memory per deployment is capped in values, not rows", async () => {
    const clock = { now: T0 };
    const { store, monitor: monitorStore } = await openTestStores(path.join(root, 'cells.db'));
    // Three feature columns and at most 300 values: 100 rows.
    const monitor = new Monitor({ store: monitorStore, bus: new EventBus(), now: () => clock.now, evaluateMs: 0, maxCells: 300 });
    monitor.attach(deployment('alice', 'wide', modelDir));
    // One request of 200 rows: its newest 100 are kept.
    monitor.record(sample('alice', 'wide', clock.now, { rows: 200 }));
    expect((await monitor.monitoring('alice', 'wide', T0, 60)).drift).toMatchObject({ rows: 100 });
    await monitor.close();
    await store.close();
  });

  test("above the window's rate its rows are a sample spread over its whole width; below it every row enters", async () => {
    const clock = { now: T0 };
    const { store, monitor: monitorStore } = await openTestStores(path.join(root, 'admission.db'));
    // 600 rows over a 60 s window: up to 10 rows a second enter.
    const monitor = new Monitor({ store: monitorStore, bus: new EventBus(), now: () => clock.now, evaluateMs: 0, maxRows: 600 });
    monitor.attach(deployment('alice', 'busy', modelDir));
    monitor.attach(deployment('alice', 'quiet', modelDir));
    // Two minutes of 100 rows a second to one, 5 rows a second to the other.
    for (let i = 0; i < 1200; i++) {
      monitor.record(sample('alice', 'busy', clock.now, { offset: i }));
      if (i % 20 === 0) {
        monitor.record(sample('alice', 'quiet', clock.now, { offset: i }));
      }
      clock.now += 100;
    }
    const busy = (await monitor.monitoring('alice', 'busy', T0, 60)).drift!;
    expect(busy.rows).toBeGreaterThanOrEqual(570);
    expect(busy.rows).toBeLessThanOrEqual(600);
    expect((await monitor.monitoring('alice', 'quiet', T0, 60)).drift!.rows).toBe(300);
    // Half a window later only the rows of its second half are left (had the window kept the newest 600
    // rows, those of the last 6 s, all would be left).
    clock.now += 30_000;
    const later = (await monitor.monitoring('alice', 'busy', T0, 60)).drift!;
    expect(later.rows).toBeGreaterThan(270);
    expect(later.rows).toBeLessThan(330);
    await monitor.close();
    await store.close();
  });

  test('the evaluation timer fires alerts without anyone asking', async () => {
    const { store, monitor: monitorStore } = await openTestStores(path.join(root, 'timer.db'));
    const bus = new EventBus();
    const events: ServiceEvent[] = [];
    bus.subscribe(e => events.push(e));
    const monitor = new Monitor({ store: monitorStore, bus, evaluateMs: 20 });
    monitor.attach(deployment('alice', 'timed', modelDir));
    monitor.start();
    for (let i = 0; i < 10; i++) {
      monitor.record(sample('alice', 'timed', Date.now(), { offset: i * 10, status: 500 }));
    }
    const fired = await waitFor(async () => alertEvents(events).find(e => e.rule === 'errors'), 10_000, 'errors alert');
    expect(fired).toEqual({ owner: 'alice', rule: 'errors', state: 'firing' });
    await monitor.close();
    await store.close();
  });

  test('a deployment without baseline still gets request metrics; malformed samples never throw', async () => {
    const clock = { now: T0 };
    const s = await open(path.join(root, 'nobaseline.db'), clock);
    const bare = path.join(root, 'bare');
    fs.mkdirSync(bare, { recursive: true });
    s.monitor.attach(deployment('alice', 'bare', bare));
    s.monitor.record(sample('alice', 'bare', clock.now));
    s.monitor.record({ ...sample('alice', 'bare', clock.now), inputs: [null as never, { bogus: true } as never] });
    const answer = await s.monitor.monitoring('alice', 'bare', T0, 60);
    expect(answer.drift).toBeNull();
    expect(answer.series[0].requests).toBe(2);
    await s.monitor.close();
    await s.store.close();
  });
});
