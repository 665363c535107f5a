import type { FastifyBaseLogger } from 'fastify';
import type { UsageSample } from '../../schemas/usage.js';
import { PeriodicTask } from '../../periodic.js';
import { doublingDelay } from '../../doublingDelay.js';

/** What the kubelet says one pod uses. */
export interface PodUsage {
  cpuSeconds: number;
  memoryBytes: number;
}

/** `key="value"` pairs of a Prometheus label set (values may hold escaped quotes). */
function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
    labels[m[1]] = m[2].replace(/\\(.)/g, '$1');
  }
  return labels;
}

/**
 * Parses the kubelet's `/metrics/resource` text into usage per `namespace/pod`: for each of CPU and
 * memory the larger of the pod series (`pod_cpu_usage_seconds_total`, `pod_memory_working_set_bytes`)
 * and the sum of the pod's container series. The pod series also count the pod's sandbox, but some
 * kubelets leave them out and some answer 0 for them (the test cluster's node on cgroup v1 does, see
 * the recorded fixture), while the container series carry the usage.
 */
export function parseResourceMetrics(text: string): Map<string, PodUsage> {
  const pods = new Map<string, { pod: PodUsage; containers: PodUsage }>();
  for (const line of text.split('\n')) {
    const m = /^(pod|container)_(cpu_usage_seconds_total|memory_working_set_bytes)\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) {
      continue;
    }
    const [, level, metric, labelText, valueText] = m;
    const labels = labelsOf(labelText);
    const value = Number(valueText);
    if (!labels.namespace || !labels.pod || !Number.isFinite(value)) {
      continue;
    }
    const key = `${labels.namespace}/${labels.pod}`;
    const entry = pods.get(key) ?? { pod: { cpuSeconds: 0, memoryBytes: 0 }, containers: { cpuSeconds: 0, memoryBytes: 0 } };
    pods.set(key, entry);
    const field = metric === 'cpu_usage_seconds_total' ? 'cpuSeconds' : 'memoryBytes';
    if (level === 'pod') {
      entry.pod[field] = value;
    } else {
      entry.containers[field] += value;
    }
  }
  return new Map(
    [...pods].map(([key, { pod, containers }]) => [
      key,
      { cpuSeconds: Math.max(pod.cpuSeconds, containers.cpuSeconds), memoryBytes: Math.max(pod.memoryBytes, containers.memoryBytes) }
    ])
  );
}

/** A running Kubernetes run: its pods and where they run. */
export interface KubeSampledRun {
  runId: string;
  pods: { namespace: string; name: string; node: string }[];
  /** GPUs the run's pods hold (for GPU-hours; the kubelet does not report GPU use). */
  gpuCount: number;
}

/** Settings of the Kubernetes usage sampler. */
export interface KubeUsageOptions {
  log: FastifyBaseLogger;
  intervalMs: number;
  runs: () => KubeSampledRun[];
  nodeMetrics: (node: string) => Promise<string>;
  record: (runId: string, sample: UsageSample) => Promise<void>;
  /** Marks a run whose usage cannot be read, with why. */
  unavailable: (runId: string, reason: string) => Promise<void>;
  /**
   * Node reads a second this sampler may use on average (rounds are spaced out to stay within it); they
   * share the client's rate limit with creating and watching runs. Unlimited when not given.
   */
  maxNodeReadsPerSecond?: number;
  /** Milliseconds since the epoch (tests set the clock). */
  now?: () => number;
}

/** How long a node whose metrics could not be read is left alone, first and at most (doubling between). */
const FAILED_NODE_PAUSE_MS = 30_000;
const FAILED_NODE_MAX_PAUSE_MS = 10 * 60_000;

/** A node whose metrics could not be read: not asked again before `retryAt`. */
interface FailedNode {
  error: Error;
  retryAt: number;
  /** Failed reads in a row. */
  failures: number;
}

/**
 * Reads every running run's pods' usage from their nodes' kubelets every few seconds: one request per
 * node, whatever the number of pods on it. A run whose node cannot say (kwok's simulated nodes have no
 * kubelet) is marked "not available" unless it was measured before. The reads go through the client's
 * rate limit, before which creates and deletes queue too: on a large cluster the rounds are spaced out to
 * keep within `maxNodeReadsPerSecond`, and a node that did not answer is asked again only after a pause
 * (30 s, doubling to 10 min), so that nodes without a kubelet's metrics cost nothing round after round.
 */
export class KubeUsageSampler {
  private readonly periodic: PeriodicTask;
  private readonly last = new Map<string, { cpuSeconds: number; timeMs: number }>();
  private readonly marked = new Set<string>();
  private readonly failedNodes = new Map<string, FailedNode>();
  /** No round starts before this (the read budget of the last round). */
  private nextRoundAt = 0;

  constructor(private readonly opts: KubeUsageOptions) {
    this.periodic = new PeriodicTask(opts.intervalMs, () => this.sampleAll(), err => opts.log.warn({ err }, 'sampling Kubernetes resource usage failed'));
  }

  start(): void {
    this.periodic.start();
  }

  stop(): void {
    this.periodic.stop();
  }

  /** One round: reads each node once, then records a sample per run or marks it unavailable. */
  async sampleAll(): Promise<void> {
    const clock = this.opts.now ?? Date.now;
    const started = clock();
    if (started < this.nextRoundAt) {
      return;
    }
    const runs = this.opts.runs().filter(r => r.pods.length > 0);
    const nodeSet = new Set(runs.flatMap(r => r.pods.map(p => p.node)));
    const nodes = [...nodeSet];
    const byNode = new Map<string, Map<string, PodUsage> | Error>();
    for (const node of [...this.failedNodes.keys()]) {
      if (!nodeSet.has(node)) {
        this.failedNodes.delete(node);
      }
    }
    const asked = nodes.filter(node => {
      const failed = this.failedNodes.get(node);
      if (failed && started < failed.retryAt) {
        byNode.set(node, failed.error);
        return false;
      }
      return true;
    });
    await Promise.all(
      asked.map(async node => {
        try {
          byNode.set(node, parseResourceMetrics(await this.opts.nodeMetrics(node)));
          this.failedNodes.delete(node);
        } catch (err) {
          byNode.set(node, err as Error);
          const failures = (this.failedNodes.get(node)?.failures ?? 0) + 1;
          const pauseMs = doublingDelay(FAILED_NODE_PAUSE_MS, FAILED_NODE_MAX_PAUSE_MS, failures - 1);
          this.failedNodes.set(node, { error: err as Error, retryAt: clock() + pauseMs, failures });
        }
      })
    );
    if (this.opts.maxNodeReadsPerSecond) {
      this.nextRoundAt = started + (asked.length / this.opts.maxNodeReadsPerSecond) * 1000;
    }
    const live = new Set(runs.map(r => r.runId));
    for (const runId of [...this.last.keys()]) {
      if (!live.has(runId)) {
        this.last.delete(runId);
      }
    }
    for (const runId of [...this.marked]) {
      if (!live.has(runId)) {
        this.marked.delete(runId);
      }
    }
    const now = clock();
    for (const run of runs) {
      let cpuSeconds = 0;
      let memoryBytes = 0;
      let missing: string | undefined;
      for (const pod of run.pods) {
        const metrics = byNode.get(pod.node);
        const usage = metrics instanceof Map ? metrics.get(`${pod.namespace}/${pod.name}`) : undefined;
        if (!usage) {
          missing = metrics instanceof Error ? `node ${pod.node} does not report resource metrics` : `node ${pod.node} has no metrics of pod ${pod.name} yet`;
          break;
        }
        cpuSeconds += usage.cpuSeconds;
        memoryBytes += usage.memoryBytes;
      }
      if (missing) {
        await this.markUnavailable(run.runId, missing, metricsFailed(byNode, run));
        continue;
      }
      const previous = this.last.get(run.runId);
      cpuSeconds = Math.max(cpuSeconds, previous?.cpuSeconds ?? 0);
      this.last.set(run.runId, { cpuSeconds, timeMs: now });
      const elapsed = previous ? (now - previous.timeMs) / 1000 : 0;
      const sample: UsageSample = {
        time: new Date(now).toISOString(),
        cpuCores: elapsed > 0 ? Math.round(((cpuSeconds - previous!.cpuSeconds) / elapsed) * 100) / 100 : 0,
        cpuSeconds: Math.round(cpuSeconds * 100) / 100,
        memoryBytes
      };
      if (run.gpuCount > 0) {
        sample.gpuCount = run.gpuCount;
      }
      await this.opts.record(run.runId, sample);
    }
  }

  /** Only a node that failed outright says "not available"; a pod the kubelet has not listed yet waits a round. */
  private async markUnavailable(runId: string, reason: string, nodeFailed: boolean): Promise<void> {
    if (!nodeFailed || this.last.has(runId) || this.marked.has(runId)) {
      return;
    }
    this.marked.add(runId);
    this.opts.log.warn({ runId, reason }, 'resource usage of the run is not available');
    await this.opts.unavailable(runId, `${reason} (simulated nodes have none): usage is not available`);
  }
}

/** Whether a node of the run failed to answer. */
function metricsFailed(byNode: Map<string, Map<string, PodUsage> | Error>, run: KubeSampledRun): boolean {
  return run.pods.some(p => byNode.get(p.node) instanceof Error);
}

/** Minimal pod shape the sampler reads (a V1Pod). */
interface PodLike {
  metadata?: { name?: string; namespace?: string; deletionTimestamp?: unknown };
  spec?: { nodeName?: string; containers?: { resources?: { limits?: Record<string, unknown> } }[] };
  status?: { phase?: string };
}

/** The running, scheduled pods of one run, and the GPUs their containers are given. */
export function runningPods(pods: PodLike[], gpuResource = 'nvidia.com/gpu'): Omit<KubeSampledRun, 'runId'> {
  const running = pods.filter(p => p.status?.phase === 'Running' && p.spec?.nodeName && p.metadata?.name && p.metadata.namespace);
  let gpuCount = 0;
  for (const pod of running) {
    for (const c of pod.spec?.containers ?? []) {
      gpuCount += Number(c.resources?.limits?.[gpuResource] ?? 0) || 0;
    }
  }
  return { pods: running.map(p => ({ namespace: p.metadata!.namespace!, name: p.metadata!.name!, node: p.spec!.nodeName! })), gpuCount };
}
