import * as k8s from '@kubernetes/client-node';
import { kubeLeaseApi } from '../../src/leadership/kubeLease.js';
import { LeaseElector, type LeaseApi } from '../../src/leadership/lease.js';
import { waitFor } from '../helpers/service.js';
import { adminKubeconfig, describeCluster } from './cluster.js';

// The Lease elector against the test cluster's API server: one holder at a time, a holder that stops
// renewing loses the Lease to the other once it expires, and stopping hands it over.

describeCluster('leader election through a Kubernetes Lease', () => {
  const name = `laketahoe-leader-${Date.now().toString(36)}`;
  const electors: LeaseElector[] = [];
  let config: k8s.KubeConfig;

  beforeAll(() => {
    config = new k8s.KubeConfig();
    config.loadFromFile(adminKubeconfig());
  });

  afterAll(async () => {
    for (const e of electors) {
      await e.stop();
    }
    await config.makeApiClient(k8s.CoordinationV1Api).deleteNamespacedLease({ name, namespace: 'default' }).catch(() => undefined);
  });

  /** An elector whose API calls fail while `cut.value` is set (a replica cut off from the API server). */
  function elector(identity: string, cut: { value: boolean }) {
    const real = kubeLeaseApi(config, 'default', name);
    const guard = <T>(call: () => Promise<T>) => (cut.value ? Promise.reject(new Error('cut off')) : call());
    const api: LeaseApi = { read: () => guard(() => real.read()), create: r => guard(() => real.create(r)), replace: r => guard(() => real.replace(r)) };
    const changes: boolean[] = [];
    const e = new LeaseElector({ api, identity, leaseDurationSeconds: 3, retryMs: 200, renewDeadlineMs: 2000 });
    electors.push(e);
    return { e, changes, start: () => e.start(l => changes.push(l)) };
  }

  test('one holder; a holder cut off loses it within its renew deadline and the other takes it after expiry', async () => {
    const aCut = { value: false };
    const a = elector('replica-a', aCut);
    const b = elector('replica-b', { value: false });
    await a.start();
    expect(a.changes).toEqual([true]);
    await b.start();
    await new Promise(r => setTimeout(r, 1500));
    expect(b.changes).toEqual([]);
    const lease = await config.makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name, namespace: 'default' });
    expect(lease.spec?.holderIdentity).toBe('replica-a');

    aCut.value = true;
    const cut = Date.now();
    await waitFor(async () => b.changes.at(-1) === true, 10_000, 'replica b to take the Lease');
    // a gave up first (renew deadline 2 s) before b could take the expired Lease (3 s).
    expect(a.changes).toEqual([true, false]);
    expect(Date.now() - cut).toBeGreaterThanOrEqual(2500);
    aCut.value = false;
    await new Promise(r => setTimeout(r, 1000));
    expect(a.changes).toEqual([true, false]);

    await b.e.stop();
    await waitFor(async () => a.changes.at(-1) === true, 5000, 'replica a to lead again after the handover');
    const after = await config.makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ name, namespace: 'default' });
    expect(after.spec?.holderIdentity).toBe('replica-a');
    expect(after.spec?.leaseTransitions).toBe(2);
  });
});
