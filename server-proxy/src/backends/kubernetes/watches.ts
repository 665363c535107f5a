import type { KubernetesObject, ListWatch } from '@kubernetes/client-node';
import type { FastifyBaseLogger } from 'fastify';
import { kubeError, type CoreV1Event, type KubeClient, type V1Job, type V1Pod } from './client.js';
import { LABELS, MANAGED_BY } from './manifests.js';
import { runIdOf } from './status.js';

/** The watches of one namespace. */
export interface NamespaceWatch {
  jobs: ListWatch<V1Job>;
  pods: ListWatch<V1Pod>;
  events: ListWatch<CoreV1Event>;
  /** Settles once every watch has made its first attempt, successful or not. */
  ready: Promise<void>;
  /** Whether every cache holds a complete list: only then can a missing Job mean a deleted one. */
  synced: boolean;
}

/** What the watches tell the backend. */
export interface NamespaceWatchesOptions {
  client: KubeClient;
  log: FastifyBaseLogger;
  /** One of a run's Jobs or pods changed, or a FailedCreate event named one of its Jobs. */
  onRunChanged(runId: string): void;
  /** A Job of the namespace is gone (the quota has room again). */
  onJobDeleted(namespace: string): void;
  /** Every watch of the namespace holds a complete list again. */
  onSynced(namespace: string): void;
}

/**
 * List-and-watch caches of the service's Jobs and pods and of FailedCreate events, one set per
 * namespace, kept running across dropped connections: the backend reads run state from them instead of
 * polling the API server.
 */
export class NamespaceWatches {
  private readonly byNamespace = new Map<string, NamespaceWatch>();
  /** Latest FailedCreate message per Job (`namespace/name`): why its pods could not be created. */
  private readonly failedCreateMessages = new Map<string, string>();
  private stopped = false;

  constructor(private readonly opts: NamespaceWatchesOptions) {}

  /** The namespace's watches, if started. */
  get(namespace: string): NamespaceWatch | undefined {
    return this.byNamespace.get(namespace);
  }

  /** Every started namespace with its watches. */
  entries(): IterableIterator<[string, NamespaceWatch]> {
    return this.byNamespace.entries();
  }

  /** Why a Job's pods could not be created, if a FailedCreate event said so. */
  failedCreate(namespace: string, job: string): string | undefined {
    return this.failedCreateMessages.get(`${namespace}/${job}`);
  }

  /** Forgets the FailedCreate messages of a run's Jobs (`namespace/<base name>...`). */
  forgetFailedCreates(namespace: string, base: string): void {
    for (const key of this.failedCreateMessages.keys()) {
      if (key.startsWith(`${namespace}/${base}`)) {
        this.failedCreateMessages.delete(key);
      }
    }
  }

  /** Stops every watch. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const ns of this.byNamespace.values()) {
      await Promise.all([ns.jobs.stop(), ns.pods.stop(), ns.events.stop()]);
    }
    this.byNamespace.clear();
  }

  /** The watches of a namespace, started on first use. */
  watch(namespace: string): NamespaceWatch {
    const existing = this.byNamespace.get(namespace);
    if (existing) {
      return existing;
    }
    const selector = `${LABELS.managedBy}=${MANAGED_BY}`;
    const client = this.opts.client;
    const jobs = client.watch<V1Job>(namespace, 'jobs', selector);
    const pods = client.watch<V1Pod>(namespace, 'pods', selector);
    const events = client.watch<CoreV1Event>(namespace, 'events', undefined, 'involvedObject.kind=Job,reason=FailedCreate');
    const onObject = (obj: V1Job | V1Pod) => {
      const runId = runIdOf(obj);
      if (runId) {
        this.opts.onRunChanged(runId);
      }
    };
    const onEvent = (event: CoreV1Event) => {
      const key = `${namespace}/${event.involvedObject.name}`;
      this.failedCreateMessages.set(key, event.message ?? event.reason ?? 'FailedCreate');
      const job = jobs.get(event.involvedObject.name ?? '', namespace);
      const runId = job && runIdOf(job);
      if (runId) {
        this.opts.onRunChanged(runId);
      }
    };
    for (const lw of [jobs, pods] as ListWatch<V1Job | V1Pod>[]) {
      lw.on('add', onObject);
      lw.on('update', onObject);
      lw.on('delete', onObject);
    }
    events.on('add', onEvent);
    events.on('update', onEvent);
    jobs.on('delete', () => this.opts.onJobDeleted(namespace));
    const watch: NamespaceWatch = { jobs, pods, events, ready: Promise.resolve(), synced: false };
    const watches = [jobs, pods, events] as ListWatch<V1Job | V1Pod | CoreV1Event>[];
    const ok = new Set<ListWatch<V1Job | V1Pod | CoreV1Event>>();
    const changed = () => {
      watch.synced = ok.size === watches.length;
      if (watch.synced) {
        this.opts.onSynced(namespace);
      }
    };
    watch.ready = Promise.all(watches.map(lw => this.keepWatching(namespace, lw, ok, changed))).then(() => undefined);
    this.byNamespace.set(namespace, watch);
    return watch;
  }

  private keepWatching<T extends V1Job | V1Pod | CoreV1Event>(
    namespace: string,
    lw: ListWatch<T>,
    ok: Set<ListWatch<T>>,
    changed: () => void
  ): Promise<void> {
    return keepWatching(lw, {
      namespace,
      log: this.opts.log,
      stopped: () => this.stopped,
      onHealth: healthy => {
        if (healthy) {
          ok.add(lw);
        } else {
          ok.delete(lw);
        }
        changed();
      }
    });
  }
}

/**
 * Starts a list-and-watch and keeps it going: the library relists on 410 Gone by itself; on other
 * failures (a dropped connection, a namespace the credentials cannot read) it is started again after
 * a growing pause. `onHealth` hears when it holds a complete list (true) and when it failed (false).
 */
export function keepWatching<T extends KubernetesObject>(
  lw: ListWatch<T>,
  opts: { namespace: string; log: FastifyBaseLogger; stopped: () => boolean; onHealth: (healthy: boolean) => void }
): Promise<void> {
  let failed = false;
  let pauseMs = 500;
  lw.on('error', err => {
    failed = true;
    opts.onHealth(false);
    if (opts.stopped()) {
      return;
    }
    opts.log.warn({ namespace: opts.namespace, err: kubeError(err).message }, 'Kubernetes watch failed; restarting');
    pauseMs = Math.min(pauseMs * 2, 30_000);
    setTimeout(() => {
      if (!opts.stopped()) {
        void attempt();
      }
    }, pauseMs).unref();
  });
  const attempt = async () => {
    failed = false;
    await lw.start();
    if (!failed) {
      pauseMs = 500;
      opts.onHealth(true);
    }
  };
  return attempt();
}
