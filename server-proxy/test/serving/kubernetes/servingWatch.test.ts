import { ListWatch, type KubernetesObject, type V1Deployment, type V1Pod, type Watch } from '@kubernetes/client-node';
import type { FastifyBaseLogger } from 'fastify';
import { replicaChange } from '../../../src/serving/kubernetes/diagnose.js';
import { SERVING_LABELS, servingLabel, versionObjectName } from '../../../src/serving/kubernetes/manifests.js';
import { DeploymentChanges, ServingWatches } from '../../../src/serving/kubernetes/servingWatch.js';
import { LABELS, MANAGED_BY } from '../../../src/backends/kubernetes/manifests.js';

const NS = 'team-a';

function deployment(owner: string, name: string, version: number, readyReplicas: number, extra: Partial<V1Deployment['status']> = {}): V1Deployment {
  return {
    metadata: { name: versionObjectName(owner, name, version), namespace: NS, resourceVersion: String(Math.random()), labels: labels(owner, name, version) },
    status: { readyReplicas, ...extra }
  };
}

function pod(owner: string, name: string, version: number, podName: string, status: V1Pod['status'] = {}, deleting = false): V1Pod {
  return {
    metadata: { name: podName, namespace: NS, labels: labels(owner, name, version), ...(deleting ? { deletionTimestamp: new Date() } : {}) },
    status
  };
}

function labels(owner: string, name: string, version: number): Record<string, string> {
  return { [LABELS.managedBy]: MANAGED_BY, [SERVING_LABELS.deployment]: servingLabel(owner, name), [SERVING_LABELS.version]: String(version) };
}

const unschedulable: V1Pod['status'] = { conditions: [{ type: 'PodScheduled', status: 'False', message: '0/1 nodes have enough nvidia.com/gpu' }] };

describe('replicaChange: the serving version gaining or losing its last ready replica', () => {
  test('losing every ready replica: DEPLOYING (503) with the reason, counted as a restart', () => {
    const change = replicaChange(true, false, deployment('ann', 'iris', 1, 0), [pod('ann', 'iris', 1, 'p', unschedulable)]);
    expect(change).toEqual({
      ready: false,
      state: 'DEPLOYING',
      reason: 'no model server replica is ready: the scheduler cannot place the model server: 0/1 nodes have enough nvidia.com/gpu',
      restart: true
    });
  });

  test('a replacement pod that cannot start says why', () => {
    const crashed: V1Pod['status'] = { containerStatuses: [{ name: 'mlserver', ready: false, restartCount: 1, image: 'i', imageID: 'i', lastState: { terminated: { exitCode: 1 } } }] };
    expect(replicaChange(true, false, deployment('ann', 'iris', 1, 0), [pod('ann', 'iris', 1, 'p', crashed)])?.reason).toBe(
      'no model server replica is ready: the model server exited (exit code 1)'
    );
    expect(replicaChange(true, false, undefined, [])?.reason).toBe('no model server replica is ready: waiting for the model server pods');
  });

  test('a ready replica again: READY, no restart', () => {
    expect(replicaChange(false, false, deployment('ann', 'iris', 1, 2), [])).toEqual({ ready: true, state: 'READY', reason: 'a model server replica is ready again', restart: false });
  });

  test('nothing to record while unchanged, or while scaled to zero on purpose', () => {
    expect(replicaChange(true, false, deployment('ann', 'iris', 1, 1), [])).toBeUndefined();
    expect(replicaChange(false, false, deployment('ann', 'iris', 1, 0), [])).toBeUndefined();
    expect(replicaChange(true, true, deployment('ann', 'iris', 1, 0), [])).toBeUndefined();
    expect(replicaChange(false, true, deployment('ann', 'iris', 1, 1), [])).toBeUndefined();
  });
});

/**
 * The API server as a ListWatch sees it: a list answered from `items`, and a watch whose events the test
 * sends (`emit`) and which it can drop (`drop`, as a closed connection does).
 */
class FakeApi<T extends KubernetesObject> {
  items: T[] = [];
  lists = 0;
  selectors: (string | undefined)[] = [];
  private send?: (phase: string, obj: T) => void;
  private done?: (err: unknown) => void;

  listWatch(path: string, labelSelector?: string): ListWatch<T> {
    this.selectors.push(labelSelector);
    const watch = {
      watch: async (_path: string, _params: unknown, send: (phase: string, obj: T) => void, done: (err: unknown) => void) => {
        this.send = send;
        this.done = done;
        return new AbortController();
      }
    } as unknown as Watch;
    const list = async () => {
      this.lists += 1;
      return { items: [...this.items], metadata: { resourceVersion: String(this.lists) } };
    };
    return new ListWatch<T>(path, watch, list as never, false, labelSelector);
  }

  emit(phase: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    this.send!(phase, obj);
  }

  drop(): void {
    this.done!(new Error('connection reset'));
  }
}

const quietLog = { warn: () => undefined } as unknown as FastifyBaseLogger;

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) {
      throw new Error('condition not met in time');
    }
    await new Promise(r => setTimeout(r, 10));
  }
}

describe('ServingWatches: list-and-watch caches of the served versions', () => {
  let deployments: FakeApi<V1Deployment>;
  let pods: FakeApi<V1Pod>;
  let watches: ServingWatches;

  beforeEach(() => {
    deployments = new FakeApi();
    pods = new FakeApi();
    watches = new ServingWatches(
      ((namespace: string, what: string, selector?: string) =>
        what === 'deployments' ? deployments.listWatch(`/apis/apps/v1/namespaces/${namespace}/deployments`, selector) : pods.listWatch(`/api/v1/namespaces/${namespace}/pods`, selector)) as never,
      quietLog
    );
  });

  afterEach(async () => {
    await watches.stop();
  });

  test('each deployment hears only its own objects; state is read from the caches', async () => {
    deployments.items = [deployment('ann', 'iris', 1, 1), deployment('bob', 'iris', 1, 1)];
    pods.items = [pod('ann', 'iris', 1, 'a1'), pod('ann', 'iris', 2, 'a2'), pod('ann', 'iris', 1, 'gone', {}, true), pod('bob', 'iris', 1, 'b1')];
    const heard: string[] = [];
    watches.subscribe(NS, 'ann', 'iris', () => heard.push('ann'));
    watches.subscribe(NS, 'bob', 'iris', () => heard.push('bob'));
    expect(deployments.selectors).toEqual([`${LABELS.managedBy}=${MANAGED_BY},${SERVING_LABELS.deployment}`]);
    await until(() => watches.observe(NS, 'ann', 'iris', versionObjectName('ann', 'iris', 1), 1) !== undefined);

    const seen = watches.observe(NS, 'ann', 'iris', versionObjectName('ann', 'iris', 1), 1)!;
    expect(seen.deployment?.status?.readyReplicas).toBe(1);
    // Only this version's live pods: not version 2's, not one being deleted, not another deployment's.
    expect(seen.pods.map(p => p.metadata!.name)).toEqual(['a1']);

    heard.length = 0;
    deployments.emit('MODIFIED', deployment('ann', 'iris', 1, 0));
    expect(heard).toEqual(['ann']);
    expect(watches.observe(NS, 'ann', 'iris', versionObjectName('ann', 'iris', 1), 1)!.deployment?.status?.readyReplicas).toBe(0);
    pods.emit('DELETED', pod('bob', 'iris', 1, 'b1'));
    expect(heard).toEqual(['ann', 'bob']);
    expect(watches.observe(NS, 'bob', 'iris', versionObjectName('bob', 'iris', 1), 1)!.pods).toEqual([]);
  });

  test('an unsubscribed listener hears nothing more', async () => {
    const heard: number[] = [];
    const off = watches.subscribe(NS, 'ann', 'iris', () => heard.push(1));
    await until(() => watches.observe(NS, 'ann', 'iris', 'x', 1) !== undefined);
    off();
    deployments.emit('ADDED', deployment('ann', 'iris', 1, 1));
    expect(heard).toEqual([]);
  });

  test('a dropped watch: no answer from the caches until it watches again, from where it was', async () => {
    deployments.items = [deployment('ann', 'iris', 1, 1)];
    const heard: number[] = [];
    watches.subscribe(NS, 'ann', 'iris', () => heard.push(1));
    const name = versionObjectName('ann', 'iris', 1);
    await until(() => watches.observe(NS, 'ann', 'iris', name, 1) !== undefined);
    heard.length = 0;

    deployments.drop();
    expect(watches.observe(NS, 'ann', 'iris', name, 1)).toBeUndefined();
    await until(() => watches.observe(NS, 'ann', 'iris', name, 1) !== undefined);
    // Resumed at the last resource version (no second list); the runner hears what changed since.
    expect(deployments.lists).toBe(1);
    deployments.emit('DELETED', deployment('ann', 'iris', 1, 1));
    expect(heard).toEqual([1]);
    expect(watches.observe(NS, 'ann', 'iris', name, 1)!.deployment).toBeUndefined();
  });

  test("a deployment's wait ends when one of its objects changes, not another's; stop ends every wait", async () => {
    const changes = new DeploymentChanges(watches, NS, 'ann', 'iris');
    let heard = 0;
    changes.follow(() => (heard += 1));
    await until(() => watches.observe(NS, 'ann', 'iris', 'x', 1) !== undefined);

    let ended = false;
    const wait = changes.next(60_000).then(() => (ended = true));
    pods.emit('ADDED', pod('bob', 'iris', 1, 'b1'));
    await new Promise(r => setTimeout(r, 20));
    expect(ended).toBe(false);
    pods.emit('ADDED', pod('ann', 'iris', 1, 'a1'));
    await wait;
    expect(heard).toBe(1);

    const waits = [changes.next(60_000), changes.next(60_000)];
    changes.stop();
    await Promise.all(waits);
    pods.emit('MODIFIED', pod('ann', 'iris', 1, 'a1'));
    expect(heard).toBe(1);
  });

  test('without watches a wait is a plain pause', async () => {
    const changes = new DeploymentChanges(undefined, NS, 'ann', 'iris');
    changes.follow(() => {
      throw new Error('no watch to hear');
    });
    const start = Date.now();
    await changes.next(50);
    expect(Date.now() - start).toBeGreaterThanOrEqual(45);
  });
});
