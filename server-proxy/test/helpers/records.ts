import type { DeploymentRecord, JobRecord, ModelVersionRecord } from '../../src/store/store.js';

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

/** A finished job as the store keeps it (nothing will run it). */
export function jobRecord(owner: string, jobId: string): JobRecord {
  const now = new Date().toISOString();
  return {
    job: {
      jobId,
      owner,
      state: 'SUCCEEDED',
      createTime: now,
      startTime: now,
      endTime: now,
      errorMessage: '',
      labels: {},
      trainingInput: { notebook: { path: 'x.ipynb' } },
      trainingOutput: { completedCells: 1, totalCells: 1, latestMetrics: {}, exitCode: 0, resources: { cpu: 1, memoryBytes: 1, gpus: [] } },
      stateHistory: [{ state: 'SUCCEEDED', time: now, reason: 'test record' }]
    },
    runtime: { workdir: `/jobs/${jobId}`, plan: { kind: 'notebook' }, request: { cpu: 1, memoryBytes: 1, gpu: 0 } } as JobRecord['runtime']
  };
}

/** A registered model version as the store keeps it. */
export function modelVersionRecord(owner: string, name: string): ModelVersionRecord {
  return {
    owner,
    version: {
      name,
      version: 0,
      framework: 'sklearn',
      frameworkVersion: '1.0',
      task: 'classification',
      artifactDir: `models/${name}`,
      signature: null,
      hasBaseline: false,
      source: { jobId: null, trialId: null, hyperparameters: {}, metrics: {} },
      createTime: new Date().toISOString()
    }
  };
}
