/**
 * Where the CPU autoscaler reads how much CPU a served version's replicas use. The standard source is
 * the resource metrics API (`metrics.k8s.io` PodMetrics, served by metrics-server); a cluster without it
 * (or whose API server cannot reach the kubelets, as the test cluster's real node) still answers through
 * the pods themselves: MLServer's metrics port reports its process's `process_cpu_seconds_total`, read
 * through the API server's pod proxy. With `parallel_workers` 0 the model runs in that process.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { kubeError } from '../../backends/kubernetes/client.js';
import { METRICS_PORT_NAME, SERVER_CONTAINER } from './manifests.js';

/** The CPU (cores) one replica's model server uses. */
export interface PodCpu {
  pod: string;
  cores: number;
}

/** A source of the replicas' CPU use. */
export interface CpuUsageSource {
  readonly name: string;
  /**
   * The use of the ready replicas of a version's Deployment (pods labelled `app=objectName`); an empty
   * list while none can be measured yet, undefined when this source is not served on the cluster.
   */
  read(namespace: string, objectName: string): Promise<PodCpu[] | undefined>;
}

/** Cores from a Kubernetes CPU quantity: `250m`, `1234567n`, `12u`, `2`. */
export function parseCpuQuantity(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)([num]?)$/.exec(quantity.trim());
  if (!m) {
    return NaN;
  }
  const scale = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1 }[m[2] as 'n' | 'u' | 'm' | ''];
  return Number(m[1]) * scale;
}

/** `process_cpu_seconds_total` of a Prometheus text answer; undefined when absent. */
export function processCpuSeconds(text: string): number | undefined {
  const m = /^process_cpu_seconds_total(?:\{[^}]*\})?\s+(\S+)/m.exec(text);
  const value = m ? Number(m[1]) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

/** Not served on this cluster: the API group is not registered (404) or its backend is down (503). */
function notServed(err: unknown): boolean {
  const code = kubeError(err).status;
  return code === 404 || code === 503;
}

/** metrics.k8s.io PodMetrics: what metrics-server measured of each pod's containers. */
export class MetricsApiSource implements CpuUsageSource {
  readonly name = 'metrics.k8s.io';
  private readonly custom: CustomObjectsApi;

  constructor(config: KubeConfig) {
    this.custom = config.makeApiClient(CustomObjectsApi);
  }

  async read(namespace: string, objectName: string): Promise<PodCpu[] | undefined> {
    let list: { items?: { metadata?: { name?: string }; containers?: { name: string; usage?: { cpu?: string } }[] }[] };
    try {
      list = await this.custom.listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace, plural: 'pods', labelSelector: `app=${objectName}` });
    } catch (err) {
      if (notServed(err)) {
        return undefined;
      }
      throw err;
    }
    const usage: PodCpu[] = [];
    for (const item of list.items ?? []) {
      const cpu = item.containers?.find(c => c.name === SERVER_CONTAINER)?.usage?.cpu;
      const cores = cpu === undefined ? NaN : parseCpuQuantity(cpu);
      if (item.metadata?.name && Number.isFinite(cores)) {
        usage.push({ pod: item.metadata.name, cores });
      }
    }
    return usage;
  }
}

/** The metrics port of a pod's model server, or undefined (a version made before it had one). */
function metricsPort(pod: V1Pod): number | undefined {
  const server = pod.spec?.containers.find(c => c.name === SERVER_CONTAINER);
  return server?.ports?.find(p => p.name === METRICS_PORT_NAME)?.containerPort;
}

const isReady = (pod: V1Pod) => pod.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') === true;

/**
 * MLServer's own counter, read through the pod proxy (RBAC: `pods/proxy` get). A counter gives use only
 * between two readings, so a replica counts from its second reading on.
 */
export class PodMetricsSource implements CpuUsageSource {
  readonly name = 'pod metrics';
  private readonly core: CoreV1Api;
  /** The last reading of each pod (by uid: a replaced pod of the same name starts again). */
  private readonly last = new Map<string, { seconds: number; time: number }>();

  constructor(config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
  }

  async read(namespace: string, objectName: string): Promise<PodCpu[]> {
    const pods = (await this.core.listNamespacedPod({ namespace, labelSelector: `app=${objectName}` })).items.filter(isReady);
    const seen = new Set<string>();
    const usage = await Promise.all(
      pods.map(async pod => {
        const port = metricsPort(pod);
        const uid = pod.metadata?.uid ?? '';
        seen.add(uid);
        if (port === undefined) {
          return undefined;
        }
        const text = await this.core.connectGetNamespacedPodProxyWithPath({ namespace, name: `${pod.metadata!.name}:${port}`, path: 'metrics' });
        const seconds = processCpuSeconds(String(text));
        if (seconds === undefined) {
          return undefined;
        }
        const now = Date.now();
        const before = this.last.get(uid);
        this.last.set(uid, { seconds, time: now });
        return before && now > before.time ? { pod: pod.metadata!.name!, cores: Math.max(0, seconds - before.seconds) / ((now - before.time) / 1000) } : undefined;
      })
    );
    for (const uid of this.last.keys()) {
      if (!seen.has(uid)) {
        this.last.delete(uid);
      }
    }
    return usage.filter((u): u is PodCpu => u !== undefined);
  }
}

/** The first source the cluster serves, in order; a source found not served is asked again after `retryMs`. */
export class FirstServedSource implements CpuUsageSource {
  private readonly skipUntil = new Map<CpuUsageSource, number>();

  constructor(
    private readonly sources: CpuUsageSource[],
    private readonly retryMs = 300_000
  ) {}

  /** The source that answered last. */
  name = 'none';

  async read(namespace: string, objectName: string): Promise<PodCpu[] | undefined> {
    for (const source of this.sources) {
      if ((this.skipUntil.get(source) ?? 0) > Date.now()) {
        continue;
      }
      const usage = await source.read(namespace, objectName);
      if (usage !== undefined) {
        this.name = source.name;
        return usage;
      }
      this.skipUntil.set(source, Date.now() + this.retryMs);
    }
    return undefined;
  }
}

/** metrics.k8s.io first, the pods' own metrics where the cluster does not serve it. */
export function defaultCpuSource(config: KubeConfig): CpuUsageSource {
  return new FirstServedSource([new MetricsApiSource(config), new PodMetricsSource(config)]);
}
