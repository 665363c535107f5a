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

describe('deployment service bookkeeping', () => {
  test("an owner whose name holds '/' shares no deployment with another user", async () => {
    const root = tempRoot();
    const store = new SqliteStore(path.join(root, 'laketahoe.db'));
    const log = silent;
    const dataDir = path.join(root, '.laketahoe');
    // A deployment of user `team/alice`, left DEPLOYING by a previous process: start() takes it up again
    // (its model is gone, so it fails without starting any server).
    await store.createDeployment(deploymentRecord('team/alice', 'iris'));
    const service = new DeploymentService({
      store,
      updater: new DeploymentUpdater(store, new EventBus()),
      registry: new ModelRegistry(store, root, log, { jobsDir: path.join(root, 'laketahoe-jobs'), dataDir }),
      monitor: noMonitor,
      log,
      rootDir: root,
      dataDir,
      mlserver: '/nonexistent/mlserver',
      deployTimeoutMs: 1000,
      livenessMs: 1000,
      drainMs: 0
    });
    await service.start();
    expect(service.supervisor('team/alice', 'iris')).toBeDefined();
    // User `team` asking for `alice/iris` (an encoded slash in the URL) finds nothing.
    expect(service.supervisor('team', 'alice/iris')).toBeUndefined();
    expect((await store.getDeployment('team/alice', 'iris'))!.deployment.state).toBe('FAILED');
    await service.close();
    await store.close();
  });
});
