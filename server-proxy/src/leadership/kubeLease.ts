import * as k8s from '@kubernetes/client-node';
import type { LeaseApi, LeaseRecord } from './lease.js';

/** {@link LeaseApi} over the Kubernetes API: one Lease `name` in `namespace`. */
export function kubeLeaseApi(config: k8s.KubeConfig, namespace: string, name: string): LeaseApi {
  const api = config.makeApiClient(k8s.CoordinationV1Api);
  const toRecord = (lease: k8s.V1Lease): LeaseRecord => ({
    resourceVersion: lease.metadata?.resourceVersion,
    holderIdentity: lease.spec?.holderIdentity,
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
    acquireTime: lease.spec?.acquireTime ? new Date(lease.spec.acquireTime) : undefined,
    renewTime: lease.spec?.renewTime ? new Date(lease.spec.renewTime) : undefined,
    leaseTransitions: lease.spec?.leaseTransitions
  });
  const toLease = (r: LeaseRecord): k8s.V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, resourceVersion: r.resourceVersion },
    spec: {
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: r.leaseDurationSeconds,
      acquireTime: microTime(r.acquireTime),
      renewTime: microTime(r.renewTime),
      leaseTransitions: r.leaseTransitions
    }
  });
  return {
    async read() {
      try {
        return toRecord(await api.readNamespacedLease({ name, namespace }));
      } catch (err) {
        if ((err as { code?: number }).code === 404) {
          return undefined;
        }
        throw err;
      }
    },
    async create(r) {
      return toRecord(await api.createNamespacedLease({ namespace, body: toLease(r) }));
    },
    async replace(r) {
      return toRecord(await api.replaceNamespacedLease({ name, namespace, body: toLease(r) }));
    }
  };
}

/** A Lease's times are MicroTime: the API server refuses the three fractional digits of a plain Date. */
function microTime(date: Date | undefined): k8s.V1MicroTime | undefined {
  return date ? new k8s.V1MicroTime(date.getTime()) : undefined;
}
