import type { KubernetesObject, ListWatch, V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { FastifyBaseLogger } from 'fastify';
import type { Watched } from '../../backends/kubernetes/client.js';
import { keepWatching } from '../../backends/kubernetes/watches.js';
import { LABELS, MANAGED_BY } from '../../backends/kubernetes/manifests.js';
import { SERVING_LABELS, servingLabel } from './manifests.js';

/** The list-and-watch a namespace's serving objects need (KubeClient.watch, or a test's fake). */
export type WatchFactory = <T extends KubernetesObject>(namespace: string, what: Watched, labelSelector?: string) => ListWatch<T>;

interface NamespaceCaches {
  deployments: ListWatch<V1Deployment>;
  pods: ListWatch<V1Pod>;
  /** The caches that hold a complete list right now. */
  healthy: Set<string>;
  /** Set by stop(): a failed watch is not started again. */
  stopped: boolean;
}

/**
 * List-and-watch caches of the served versions' Deployments and pods, one pair per namespace, shared by
 * every deployment there: a runner hears when one of its objects changed and reads their state from the
 * cache instead of asking the API server every second.
 */
export class ServingWatches {
  private readonly byNamespace = new Map<string, NamespaceCaches>();
  /** Listeners per `namespace/serving label` (one deployment, every version). */
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(
    private readonly watch: WatchFactory,
    private readonly log: FastifyBaseLogger
  ) {}

  /** Calls `onChange` whenever a Deployment or pod of the deployment changes; answers the unsubscriber. */
  subscribe(namespace: string, owner: string, name: string, onChange: () => void): () => void {
    this.caches(namespace);
    const key = `${namespace}/${servingLabel(owner, name)}`;
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(onChange);
    return () => {
      set.delete(onChange);
      if (set.size === 0 && this.listeners.get(key) === set) {
        this.listeners.delete(key);
      }
    };
  }

  /**
   * A version's Deployment and live pods from the caches; undefined while the caches do not hold a
   * complete list (the caller reads the API server instead).
   */
  observe(namespace: string, owner: string, name: string, objectName: string, version: number): { deployment?: V1Deployment; pods: V1Pod[] } | undefined {
    const caches = this.byNamespace.get(namespace);
    if (!caches || caches.healthy.size < 2) {
      return undefined;
    }
    const label = servingLabel(owner, name);
    const pods = caches.pods
      .list(namespace)
      .filter(p => p.metadata?.labels?.[SERVING_LABELS.deployment] === label && p.metadata?.labels?.[SERVING_LABELS.version] === String(version))
      .filter(p => !p.metadata?.deletionTimestamp);
    return { deployment: caches.deployments.get(objectName, namespace), pods };
  }

  /** Stops every watch; a later subscription starts its namespace's watches again. */
  async stop(): Promise<void> {
    const all = [...this.byNamespace.values()];
    this.byNamespace.clear();
    this.listeners.clear();
    for (const c of all) {
      c.stopped = true;
    }
    await Promise.all(all.flatMap(c => [c.deployments.stop(), c.pods.stop()]));
  }

  private caches(namespace: string): NamespaceCaches {
    const existing = this.byNamespace.get(namespace);
    if (existing) {
      return existing;
    }
    // Only the service's serving objects: its Jobs' pods carry the managed-by label but no serving label.
    const selector = `${LABELS.managedBy}=${MANAGED_BY},${SERVING_LABELS.deployment}`;
    const caches: NamespaceCaches = {
      deployments: this.watch<V1Deployment>(namespace, 'deployments', selector),
      pods: this.watch<V1Pod>(namespace, 'pods', selector),
      healthy: new Set(),
      stopped: false
    };
    this.byNamespace.set(namespace, caches);
    const notify = (obj: KubernetesObject) => {
      const label = obj.metadata?.labels?.[SERVING_LABELS.deployment];
      for (const listener of (label && this.listeners.get(`${namespace}/${label}`)) || []) {
        listener();
      }
    };
    for (const [kind, lw] of [
      ['deployments', caches.deployments],
      ['pods', caches.pods]
    ] as [string, ListWatch<KubernetesObject>][]) {
      for (const event of ['add', 'update', 'delete'] as const) {
        lw.on(event, notify);
      }
      void keepWatching(lw, {
        namespace,
        log: this.log,
        stopped: () => caches.stopped,
        onHealth: healthy => {
          if (healthy) {
            caches.healthy.add(kind);
          } else {
            caches.healthy.delete(kind);
          }
        }
      }).catch(err => this.log.warn({ namespace, err }, 'starting the serving watch failed'));
    }
    return caches;
  }
}

/** One deployment's share of the watches: waits that end early when its objects change, and a listener. */
export class DeploymentChanges {
  private unsubscribe?: () => void;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly watches: ServingWatches | undefined,
    private readonly namespace: string,
    private readonly owner: string,
    private readonly name: string
  ) {}

  /** Starts hearing the watch (once; nothing without watches): on a change waits end, then `onChange` runs. */
  follow(onChange: () => void): void {
    if (this.unsubscribe || !this.watches) {
      return;
    }
    this.unsubscribe = this.watches.subscribe(this.namespace, this.owner, this.name, () => {
      this.wakeAll();
      onChange();
    });
  }

  /** Resolves after `ms`, or sooner when one of the deployment's objects changes or {@link stop} is called. */
  next(ms: number): Promise<void> {
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Stops hearing the watch and ends every wait. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) {
      wake();
    }
  }
}
