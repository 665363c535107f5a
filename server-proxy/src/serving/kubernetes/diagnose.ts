import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { lastException } from '../modelServer.js';
import { FETCH_CONTAINER, SERVER_CONTAINER } from './manifests.js';

/** Why a version is not ready yet: pending (wait) or failed (stop waiting), from the pods and the Deployment. */
export function diagnose(deployment: V1Deployment | undefined, pods: V1Pod[]): { failed?: string; pending?: string } {
  const failure = deployment?.status?.conditions?.find(c => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failure) {
    // Admission refused the pods: quota, limits or policy. No retry will change that by itself.
    return { failed: `Kubernetes refused the model server pods: ${failure.message}` };
  }
  for (const pod of pods) {
    const init = pod.status?.initContainerStatuses?.find(s => s.name === FETCH_CONTAINER);
    const initEnd = init?.state?.terminated ?? init?.lastState?.terminated;
    if (initEnd && initEnd.exitCode !== 0) {
      const message = (initEnd.message ?? '').trim().split('\n').pop();
      return { failed: `fetching the model failed: ${message || `exit code ${initEnd.exitCode}`}` };
    }
    const server = pod.status?.containerStatuses?.find(s => s.name === SERVER_CONTAINER);
    const serverEnd = server?.lastState?.terminated ?? server?.state?.terminated;
    if (serverEnd && serverEnd.exitCode !== 0) {
      const message = serverEnd.message ?? '';
      return { failed: `the model server exited (exit code ${serverEnd.exitCode})${lastException(message) ? `: ${lastException(message)}` : ''}` };
    }
    const scheduled = pod.status?.conditions?.find(c => c.type === 'PodScheduled');
    if (scheduled?.status === 'False') {
      return { pending: `the scheduler cannot place the model server: ${scheduled.message ?? scheduled.reason}` };
    }
  }
  return { pending: pods.length === 0 ? 'waiting for the model server pods' : 'the model server is starting' };
}

/** What a change in the serving version's ready replicas means for the deployment's record. */
export interface ReplicaChange {
  /** Whether the proxy may send requests (503 with the reason otherwise). */
  ready: boolean;
  state: 'READY' | 'DEPLOYING';
  reason: string;
  /** Losing every ready replica counts as a restart of the model server. */
  restart: boolean;
}

/**
 * The transition the serving version's objects call for, given whether it was ready: none while
 * unchanged, and none while scaled to zero on purpose (no replica is expected then, so none missing is news).
 */
export function replicaChange(wasReady: boolean, scaledToZero: boolean, deployment: V1Deployment | undefined, pods: V1Pod[]): ReplicaChange | undefined {
  const readyNow = (deployment?.status?.readyReplicas ?? 0) > 0;
  if (scaledToZero || readyNow === wasReady) {
    return undefined;
  }
  if (readyNow) {
    return { ready: true, state: 'READY', reason: 'a model server replica is ready again', restart: false };
  }
  const why = diagnose(deployment, pods);
  return { ready: false, state: 'DEPLOYING', reason: `no model server replica is ready: ${why.failed ?? why.pending}`, restart: true };
}

/**
 * While a version serves, why some of its wanted replicas do not run, when the scheduler says (on a
 * node whose pods share its network a second replica finds its ports taken); undefined otherwise.
 */
export function pendingReplicas(deployment: V1Deployment | undefined, pods: V1Pod[]): string | undefined {
  const wanted = deployment?.spec?.replicas ?? 0;
  const ready = deployment?.status?.readyReplicas ?? 0;
  const unscheduled = pods.find(p => p.status?.conditions?.some(c => c.type === 'PodScheduled' && c.status === 'False'));
  if (ready === 0 || ready >= wanted || !unscheduled) {
    return undefined;
  }
  const why = unscheduled.status!.conditions!.find(c => c.type === 'PodScheduled')!;
  return `${wanted - ready} of ${wanted} replicas pending: the scheduler cannot place the model server: ${why.message ?? why.reason}`;
}
