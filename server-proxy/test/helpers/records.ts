import type { DeploymentRecord } from '../../src/store/store.js';

/** A deployment record as the store keeps it, before any model server was started for it. */
export function deploymentRecord(owner: string, name: string): DeploymentRecord {
  const now = new Date().toISOString();
  return {
    deployment: {
      name,
      owner,
      state: 'DEPLOYING',
      model: { name: 'iris', version: 1 },
      replicas: 1,
      endpoint: `/api/v1/deployments/${name}/v2/models/iris/infer`,
      errorMessage: '',
      restarts: 0,
      createTime: now,
      updateTime: now,
      monitoring: {},
      stateHistory: []
    },
    runtime: { servers: [] }
  };
}
