import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { KubeUsageSampler, parseResourceMetrics, runningPods, type KubeSampledRun } from '../../../src/backends/kubernetes/usage.js';
import type { UsageSample } from '../../../src/schemas/usage.js';

// The kubelet's /metrics/resource text in the layout kubelets of Kubernetes 1.30-1.32 answer: container
// series for every pod, pod series for some (the alice pod here has container series only).
const TEXT = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kubelet-metrics-resource.txt'), 'utf8');
const silent = { warn() {} } as unknown as FastifyBaseLogger;

test('the larger of the pod series and the sum of its containers; a pod without pod series sums its containers', () => {
  const pods = parseResourceMetrics(TEXT);
  expect(pods.get('laketahoe-alice/lt-train1-master-0-abcde')).toEqual({ cpuSeconds: 3.912875 + 0.104221, memoryBytes: 201326592 + 8388608 });
  expect(pods.get('laketahoe-bob/lt-other-master-0-zzzzz')).toEqual({ cpuSeconds: 99.61, memoryBytes: 1075838976 });
  expect(pods.has('kube-system/coredns-7db6d8ff4d-4x8vq')).toBe(true);
  expect(pods.size).toBe(3);
});

test("recorded from the test cluster's real node (kubelet v1.37.2, cgroup v1): pod series 0, containers carry the usage", () => {
  const recorded = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kubelet-metrics-resource-real-node.txt'), 'utf8');
  // A pod holding 64 MiB and spinning on half a CPU, read 12 s after it became Ready.
  expect(parseResourceMetrics(recorded)).toEqual(new Map([['laketahoe-alice/usage-probe', { cpuSeconds: 6.102043626, memoryBytes: 71057408 }]]));
});

test('only running, scheduled pods are sampled, with the GPUs their containers are given', () => {
  const pod = (name: string, phase: string, node?: string, gpu?: string) => ({
    metadata: { name, namespace: 'ns' },
    spec: { nodeName: node, containers: [{ resources: { limits: gpu ? { 'nvidia.com/gpu': gpu } : {} } }] },
    status: { phase }
  });
  expect(runningPods([pod('a', 'Running', 'n1', '2'), pod('b', 'Pending'), pod('c', 'Succeeded', 'n1', '1')])).toEqual({
    pods: [{ namespace: 'ns', name: 'a', node: 'n1' }],
    gpuCount: 2
  });
});

test('a run on a node with metrics gets samples; one on a node without says not available, once', async () => {
  const samples: [string, UsageSample][] = [];
  const unavailable: [string, string][] = [];
  const runs: KubeSampledRun[] = [
    { runId: 'train1', pods: [{ namespace: 'laketahoe-alice', name: 'lt-train1-master-0-abcde', node: 'real' }], gpuCount: 0 },
    { runId: 'sim', pods: [{ namespace: 'laketahoe-alice', name: 'lt-sim-master-0-q', node: 'kwok-gpu-0' }], gpuCount: 1 },
    // Listed by the watch before the kubelet reports it: neither sampled nor marked.
    { runId: 'fresh', pods: [{ namespace: 'laketahoe-alice', name: 'lt-fresh-master-0-q', node: 'real' }], gpuCount: 0 }
  ];
  const asked: string[] = [];
  const sampler = new KubeUsageSampler({
    log: silent,
    intervalMs: 60_000,
    runs: () => runs,
    nodeMetrics: async node => {
      asked.push(node);
      if (node !== 'real') {
        throw new Error('HTTP 502 error trying to reach service');
      }
      return TEXT;
    },
    record: async (runId, s) => void samples.push([runId, s]),
    unavailable: async (runId, reason) => void unavailable.push([runId, reason])
  });
  await sampler.sampleAll();
  await sampler.sampleAll();
  // One request per node and round, whatever the number of pods on it; the node that did not answer
  // is left alone in the next round.
  expect(asked.sort()).toEqual(['kwok-gpu-0', 'real', 'real']);
  expect(samples.map(([runId]) => runId)).toEqual(['train1', 'train1']);
  expect(samples[0][1]).toMatchObject({ cpuSeconds: 4.02, memoryBytes: 209715200, cpuCores: 0 });
  expect(unavailable).toEqual([['sim', expect.stringMatching(/node kwok-gpu-0 does not report resource metrics.*not available/)]]);
});

test('a node that does not answer is asked again after 30 s, then after pauses doubling to 10 min; one that answers again is asked every round', async () => {
  let now = 1_000_000;
  let kwokAnswers = false;
  const asked: number[] = [];
  const samples: string[] = [];
  const sampler = new KubeUsageSampler({
    log: silent,
    intervalMs: 5000,
    runs: () => [{ runId: 'sim', pods: [{ namespace: 'laketahoe-alice', name: 'lt-train1-master-0-abcde', node: 'kwok-gpu-0' }], gpuCount: 1 }],
    nodeMetrics: async () => {
      asked.push(now);
      if (!kwokAnswers) {
        throw new Error('HTTP 502 error trying to reach service');
      }
      return TEXT;
    },
    record: async runId => void samples.push(runId),
    unavailable: async () => undefined,
    now: () => now
  });
  const start = now;
  // A round every 5 s for 20 minutes.
  for (; now < start + 20 * 60_000; now += 5000) {
    await sampler.sampleAll();
  }
  expect(asked.map(t => (t - start) / 1000)).toEqual([0, 30, 90, 210, 450, 930]);
  kwokAnswers = true;
  now = start + 930_000 + 600_000; // the next try, after the longest pause
  for (const end = now + 15_000; now < end; now += 5000) {
    await sampler.sampleAll();
  }
  expect(asked.length).toBe(9);
  expect(samples).toEqual(['sim', 'sim', 'sim']);
});

test('on a large cluster the rounds are spaced out so that node reads stay within their share of the rate limit', async () => {
  let now = 0;
  const runs: KubeSampledRun[] = Array.from({ length: 130 }, (_, i) => ({
    runId: `run${i}`,
    pods: [{ namespace: 'laketahoe-alice', name: 'lt-train1-master-0-abcde', node: `gpu-${i}` }],
    gpuCount: 4
  }));
  const asked: number[] = [];
  const sampler = new KubeUsageSampler({
    log: silent,
    intervalMs: 5000,
    runs: () => runs,
    nodeMetrics: async () => {
      asked.push(now);
      return TEXT;
    },
    record: async () => undefined,
    unavailable: async () => undefined,
    maxNodeReadsPerSecond: 12.5,
    now: () => now
  });
  for (; now < 60_000; now += 5000) {
    await sampler.sampleAll();
  }
  // 130 nodes at 12.5 reads a second: a round every 10.4 s at most, so rounds at 0, 15, 30 and 45 s.
  expect([...new Set(asked)]).toEqual([0, 15_000, 30_000, 45_000]);
  expect(asked.length / 60).toBeLessThanOrEqual(12.5);
});
