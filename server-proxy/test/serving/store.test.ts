import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite.js';
import { DuplicateNameError } from '../../src/store/store.js';
import { deploymentRecord } from '../helpers/records.js';
import type { ModelVersion } from '../../src/schemas/serving.js';
import { tempRoot } from '../helpers/service.js';

function version(name: string, createTime: string): ModelVersion {
  return {
    name,
    version: 0,
    framework: 'sklearn',
    frameworkVersion: '1.9.1',
    task: 'classification',
    artifactDir: `models/${name}`,
    signature: { inputs: [] },
    hasBaseline: false,
    source: { jobId: null, trialId: null, hyperparameters: {}, metrics: {} },
    createTime
  };
}

describe('SQLite store: models and deployments (migration 3)', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(path.join(tempRoot(), 'laketahoe.db'));
  });
  afterEach(() => store.close());

  test('migration 3 is applied', () => {
    expect(store.appliedMigrations()).toContain(3);
  });

  test('versions are numbered per owner and model; a saved model registered twice stays one version', async () => {
    expect((await store.addModelVersion({ owner: 'alice', version: version('iris', '2026-01-01T00:00:00Z') })).version).toBe(1);
    expect((await store.addModelVersion({ owner: 'alice', version: version('iris', '2026-01-02T00:00:00Z'), sourceKey: 'job1:iris' })).version).toBe(2);
    expect((await store.addModelVersion({ owner: 'alice', version: version('iris', '2026-01-03T00:00:00Z'), sourceKey: 'job1:iris' })).version).toBe(2);
    expect((await store.addModelVersion({ owner: 'bob', version: version('iris', '2026-01-03T00:00:00Z'), sourceKey: 'job1:iris' })).version).toBe(1);
    await store.addModelVersion({ owner: 'alice', version: version('wine', '2026-01-04T00:00:00Z') });
    expect((await store.listModels('alice')).map(m => [m.name, m.latestVersion])).toEqual([
      ['wine', 1],
      ['iris', 2]
    ]);
    expect((await store.listModelVersions('alice', 'iris')).map(v => v.version)).toEqual([2, 1]);
    expect(await store.getModelVersion('alice', 'iris', 3)).toBeUndefined();
    expect(await store.getModel('carol', 'iris')).toBeUndefined();
  });

  test('deployment names are unique per owner', async () => {
    await store.createDeployment(deploymentRecord('alice', 'prod'));
    await store.createDeployment(deploymentRecord('bob', 'prod'));
    await expect(store.createDeployment(deploymentRecord('alice', 'prod'))).rejects.toBeInstanceOf(DuplicateNameError);
    const record = (await store.getDeployment('alice', 'prod'))!;
    record.deployment.state = 'READY';
    record.runtime.servers.push({ version: 1, dir: '/x', socket: '/x.sock', pid: 3, pidStartTime: '4' });
    await store.saveDeployment(record);
    expect((await store.getDeployment('alice', 'prod'))!.runtime.servers[0].pid).toBe(3);
    expect((await store.getDeployment('bob', 'prod'))!.deployment.state).toBe('DEPLOYING');
    expect((await store.listDeployments()).length).toBe(2);
    await store.deleteDeployment('alice', 'prod');
    expect(await store.listDeployments('alice')).toEqual([]);
  });
});
