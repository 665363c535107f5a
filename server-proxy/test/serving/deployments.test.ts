import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { EventBus } from '../../src/events.js';
import type { DeploymentMonitor } from '../../src/monitoring/recorder.js';
import { DeploymentService } from '../../src/serving/deployments.js';
import { DeploymentUpdater } from '../../src/serving/deploymentUpdater.js';
import { ModelRegistry } from '../../src/serving/registry.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { deploymentRecord } from '../helpers/records.js';
import { tempRoot } from '../helpers/service.js';

const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as FastifyBaseLogger;
const noMonitor: DeploymentMonitor = { record: () => undefined, attach: () => undefined, detach: () => undefined };

function serviceOver(store: SqliteStore, root: string): DeploymentService {
  const dataDir = path.join(root, '.laketahoe');
  return new DeploymentService({
    store,
    updater: new DeploymentUpdater(store, new EventBus()),
    registry: new ModelRegistry(store, root, silent, { jobsDir: path.join(root, 'laketahoe-jobs'), dataDir }),
    monitor: noMonitor,
    log: silent,
    rootDir: root,
    dataDir,
    mlserver: '/nonexistent/mlserver',
    deployTimeoutMs: 1000,
    livenessMs: 1000,
    drainMs: 0
  });
}

describe('deployment service bookkeeping', () => {
  test('a restart settles every deployment a killed service left midway', async () => {
    const root = tempRoot();
    const store = new SqliteStore(path.join(root, 'laketahoe.db'));
    const deleting = deploymentRecord('alice', 'deleting');
    deleting.deployment.state = 'DELETING';
    const folder = path.join(root, '.laketahoe', 'deployments', 'alice', 'deleting', '1');
    fs.mkdirSync(folder, { recursive: true });
    const switching = deploymentRecord('alice', 'switching');
    switching.deployment.state = 'UPDATING';
    switching.deployment.nextModel = { name: 'iris', version: 2 };
    for (const record of [deleting, switching, deploymentRecord('alice', 'deploying')]) {
      await store.createDeployment(record);
    }
    const service = serviceOver(store, root);
    await service.start();
    expect(await store.getDeployment('alice', 'deleting')).toBeUndefined();
    expect(fs.existsSync(path.dirname(folder))).toBe(false);
    // Their model is not registered here, so both end FAILED with the reason; none is left midway.
    for (const name of ['switching', 'deploying']) {
      const { deployment } = (await store.getDeployment('alice', name))!;
      expect(deployment.state).toBe('FAILED');
      expect(deployment.nextModel).toBeUndefined();
      expect(deployment.errorMessage).toMatch(/model iris not found/);
      expect(deployment.stateHistory.at(-1)).toMatchObject({ state: 'FAILED', reason: expect.stringMatching(/cannot be served/) });
    }
    await service.close();
    await store.close();
  });

  test("an owner whose name holds '/' shares no deployment with another user", async () => {
    const root = tempRoot();
    const store = new SqliteStore(path.join(root, 'laketahoe.db'));
    // A deployment of user `team/alice`, left DEPLOYING by a previous process: start() takes it up again
    // (its model is gone, so it fails without starting any server).
    await store.createDeployment(deploymentRecord('team/alice', 'iris'));
    const service = serviceOver(store, root);
    await service.start();
    expect(service.supervisor('team/alice', 'iris')).toBeDefined();
    // User `team` asking for `alice/iris` (an encoded slash in the URL) finds nothing.
    expect(service.supervisor('team', 'alice/iris')).toBeUndefined();
    expect((await store.getDeployment('team/alice', 'iris'))!.deployment.state).toBe('FAILED');
    await service.close();
    await store.close();
  });
});
