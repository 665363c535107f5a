import type { DeploymentRecord } from '../store/store.js';

/**
 * Lets a supervisor written for the deployment's own fields keep a challenger (the one serving
 * `version`): `mutate` sees a record whose model, state, error, restarts and servers are the
 * challenger's; what it changes is copied back, state changes into the deployment's history marked as
 * the challenger's.
 */
export function challengerView(record: DeploymentRecord, version: number, mutate: (r: DeploymentRecord) => boolean | void): boolean | void {
  const challenger = record.deployment.challengers?.find(c => c.model.version === version);
  if (!challenger) {
    return false; // Removed meanwhile: nothing of it to record.
  }
  const others = (record.runtime.challengerServers ?? []).filter(s => s.version !== version);
  const view: DeploymentRecord = {
    deployment: {
      ...record.deployment,
      model: { ...challenger.model },
      state: challenger.state,
      errorMessage: challenger.errorMessage,
      restarts: challenger.restarts,
      stateHistory: []
    },
    runtime: { servers: (record.runtime.challengerServers ?? []).filter(s => s.version === version) }
  };
  const result = mutate(view);
  if (result === false) {
    return false;
  }
  const d = view.deployment;
  // The challenger's own states: a champion's UPDATING/DELETING never applies to it.
  challenger.state = d.state === 'READY' || d.state === 'FAILED' ? d.state : 'DEPLOYING';
  challenger.errorMessage = d.errorMessage;
  challenger.restarts = d.restarts;
  record.runtime.challengerServers = [...others, ...view.runtime.servers];
  for (const entry of d.stateHistory) {
    record.deployment.stateHistory.push({ ...entry, reason: `challenger version ${challenger.model.version}: ${entry.reason}` });
  }
  return result;
}
