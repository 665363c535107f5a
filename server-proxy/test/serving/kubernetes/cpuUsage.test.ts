import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import {
  defaultCpuSource,
  MetricsApiSource,
  parseCpuQuantity,
  PodMetricsSource,
  processCpuSeconds
} from '../../../src/serving/kubernetes/cpuUsage.js';

// The sources against a loopback stand-in for the API server: its answers are shaped as a real one's
// (PodMetrics list, pod list, the pod proxy passing MLServer's Prometheus text through).

type Handler = (path: string) => { status: number; body: string } | undefined;
const servers: http.Server[] = [];
afterAll(() => servers.forEach(s => s.close()));

async function apiServer(handler: Handler): Promise<{ config: KubeConfig; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    // The client escapes the pod proxy's name:port colon; the API server reads both spellings.
    const path = decodeURIComponent(req.url!);
    seen.push(path);
    const answer = handler(path) ?? { status: 404, body: JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' }) };
    res.writeHead(answer.status, { 'content-type': answer.body.startsWith('{') ? 'application/json' : 'text/plain' }).end(answer.body);
  });
  servers.push(server);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'service', token: 't' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'service' }],
    currentContext: 'test'
  });
  return { config, seen };
}

const podMetrics = JSON.stringify({
  kind: 'PodMetricsList',
  apiVersion: 'metrics.k8s.io/v1beta1',
  items: [
    { metadata: { name: 'm-1' }, containers: [{ name: 'mlserver', usage: { cpu: '250m', memory: '120Mi' } }] },
    { metadata: { name: 'm-2' }, containers: [{ name: 'mlserver', usage: { cpu: '12500000n', memory: '100Mi' } }] }
  ]
});

function pod(name: string, uid: string, ready: boolean, metricsPort?: number) {
  return {
    metadata: { name, uid, namespace: 'ns' },
    spec: { containers: [{ name: 'mlserver', ports: [{ name: 'http', containerPort: 20000 }, ...(metricsPort ? [{ name: 'metrics', containerPort: metricsPort }] : [])] }] },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] }
  };
}

test('quantities and the process counter parse as Kubernetes and Prometheus write them', () => {
  expect(parseCpuQuantity('250m')).toBeCloseTo(0.25);
  expect(parseCpuQuantity('12500000n')).toBeCloseTo(0.0125);
  expect(parseCpuQuantity('2')).toBe(2);
  expect(parseCpuQuantity('40u')).toBeCloseTo(0.00004);
  expect(parseCpuQuantity('1Ki')).toBeNaN();
  expect(processCpuSeconds('# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.38\n')).toBe(1.38);
  expect(processCpuSeconds('rest_server_requests_total 3\n')).toBeUndefined();
});

test("metrics.k8s.io: each pod's model server container, asked by the version's label", async () => {
  const api = await apiServer(p => (p.startsWith('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods') ? { status: 200, body: podMetrics } : undefined));
  const usage = await new MetricsApiSource(api.config).read('ns', 'obj-v1');
  expect(usage?.map(u => u.pod)).toEqual(['m-1', 'm-2']);
  expect(usage?.[0].cores).toBeCloseTo(0.25);
  expect(usage?.[1].cores).toBeCloseTo(0.0125);
  expect(api.seen[0]).toContain('labelSelector=app=obj-v1');
});

test('metrics.k8s.io not registered: undefined (not served), not an error', async () => {
  const api = await apiServer(() => undefined);
  await expect(new MetricsApiSource(api.config).read('ns', 'obj-v1')).resolves.toBeUndefined();
});

test("pod metrics: the rate of MLServer's process counter between two readings, ready pods with a metrics port only", async () => {
  let cpuSeconds = 10;
  const api = await apiServer(p => {
    if (p.startsWith('/api/v1/namespaces/ns/pods?')) {
      return { status: 200, body: JSON.stringify({ kind: 'PodList', items: [pod('m-1', 'u1', true, 40123), pod('m-2', 'u2', false, 40123), pod('m-old', 'u3', true)] }) };
    }
    if (p === '/api/v1/namespaces/ns/pods/m-1:40123/proxy/metrics') {
      return { status: 200, body: `process_cpu_seconds_total ${cpuSeconds}\n` };
    }
    return undefined;
  });
  const source = new PodMetricsSource(api.config);
  // The first reading only starts the counter.
  await expect(source.read('ns', 'obj-v1')).resolves.toEqual([]);
  const before = Date.now();
  await new Promise(resolve => setTimeout(resolve, 300));
  cpuSeconds += 0.15;
  const usage = await source.read('ns', 'obj-v1');
  const elapsed = (Date.now() - before) / 1000;
  expect(usage?.map(u => u.pod)).toEqual(['m-1']);
  // 0.15 CPU seconds over about 0.3 s: about half a core.
  expect(usage![0].cores).toBeGreaterThan(0.15 / (elapsed + 0.1));
  expect(usage![0].cores).toBeLessThanOrEqual(0.15 / 0.29);
  expect(api.seen.filter(p => p.includes('/proxy/'))).toEqual(['/api/v1/namespaces/ns/pods/m-1:40123/proxy/metrics', '/api/v1/namespaces/ns/pods/m-1:40123/proxy/metrics']);
});

test('the default source falls back to the pods when metrics.k8s.io is not served, and says which answered', async () => {
  const api = await apiServer(p =>
    p.startsWith('/api/v1/namespaces/ns/pods?') ? { status: 200, body: JSON.stringify({ kind: 'PodList', items: [pod('m-1', 'u1', true, 40123)] }) } : p.endsWith('/proxy/metrics') ? { status: 200, body: 'process_cpu_seconds_total 1\n' } : undefined
  );
  const source = defaultCpuSource(api.config);
  await expect(source.read('ns', 'obj-v1')).resolves.toEqual([]);
  expect(source.name).toBe('pod metrics');
  await source.read('ns', 'obj-v1');
  // metrics.k8s.io was asked once, then left alone for a while.
  expect(api.seen.filter(p => p.startsWith('/apis/metrics.k8s.io'))).toHaveLength(1);
});

test('the default source prefers metrics.k8s.io where it is served', async () => {
  const api = await apiServer(p => (p.startsWith('/apis/metrics.k8s.io/') ? { status: 200, body: podMetrics } : undefined));
  const source = defaultCpuSource(api.config);
  expect((await source.read('ns', 'obj-v1'))?.length).toBe(2);
  expect(source.name).toBe('metrics.k8s.io');
  expect(api.seen.some(p => p.startsWith('/api/v1/'))).toBe(false);
});
