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
