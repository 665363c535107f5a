import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { servingSelector } from '../../src/serving/kubernetes/manifests.js';
import { startS3Server, type S3Server } from '../helpers/s3server.js';
import { PROXY_DIR, PYTHON, startService, tempRoot, waitFor, type TestService } from '../helpers/service.js';
import { adminClients, describeCluster, k8sConfig } from './cluster.js';

// GPU deployments on kwok's simulated GPU nodes: what the scheduler and the namespace's quota say
// reaches the deployment's state. Nothing here needs the real node.
const suffix = Date.now().toString(36);
const NS = 'laketahoe-alice';

describeCluster('Deployments on Kubernetes that cannot run', () => {
  let t: TestService;
  let s3: S3Server;
  const deployment = async (name: string) => (await t.call('GET', `/api/v1/deployments/${name}`)).body;

  beforeAll(async () => {
    s3 = startS3Server();
    const root = tempRoot();
    execFileSync(PYTHON, [path.join(PROXY_DIR, 'test', 'serving', 'make_models.py'), path.join(root, 'models')]);
    t = await startService(root, {
      defaultBackend: 'kubernetes',
      k8s: k8sConfig({ servingImage: 'laketahoe-serving:test' }),
      artifacts: { kind: 's3', s3: s3.options, grantSeconds: 3600, maxOutputBytes: 64 * 1024 * 1024, maxOutputFiles: 1000 }
    });
    expect((await t.call('POST', '/api/v1/models', { path: 'models/iris' })).status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    for (const name of [`gpu6-${suffix}`, `gpu8-${suffix}`]) {
      await t?.call('DELETE', `/api/v1/deployments/${name}`);
    }
    await t?.close();
    s3?.stop();
  });

  test("a GPU deployment no node can fit stays DEPLOYING with the scheduler's reason", async () => {
    const name = `gpu6-${suffix}`;
    // Six A100s per replica: the only A100 node has four.
    const res = await t.call('POST', '/api/v1/deployments', { name, model: { name: 'iris' }, resources: { cpu: 1, memoryGb: 2, gpu: 6, acceleratorType: 'NVIDIA_TESLA_A100' } });
    expect(res.status).toBe(201);
    const pending = await waitFor(async () => {
      const d = await deployment(name);
      return /scheduler/.test(d.errorMessage) ? d : undefined;
    }, 60_000, "the scheduler's reason");
    expect(pending.state).toBe('DEPLOYING');
    expect(pending.errorMessage).toMatch(/the scheduler cannot place the model server: 0\/\d+ nodes are available/);
    expect(pending.errorMessage).toMatch(/Insufficient nvidia.com\/gpu|didn't match Pod's node affinity\/selector/);
    const { core } = adminClients();
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: servingSelector('alice', name) })).items;
    expect(pods.map(p => [p.status!.phase, p.spec!.containers[0].resources!.limits!['nvidia.com/gpu'], p.spec!.nodeSelector])).toEqual([
      ['Pending', '6', { accelerator: 'nvidia-tesla-a100' }]
    ]);
    // Still pending a while later: nothing gives up on a deployment that may fit once GPUs free up.
    await new Promise(resolve => setTimeout(resolve, 3000));
    expect((await deployment(name)).state).toBe('DEPLOYING');
    expect((await t.call('POST', `/api/v1/deployments/${name}/v2/models/iris/infer`, { inputs: [] })).status).toBe(503);
  }, 120_000);

  test("a deployment over the namespace's GPU quota fails with the quota's message", async () => {
    const name = `gpu8-${suffix}`;
    // Eight V100s fit the 8-GPU node, but the namespace may request seven.
    const res = await t.call('POST', '/api/v1/deployments', { name, model: { name: 'iris' }, resources: { gpu: 8, acceleratorType: 'NVIDIA_TESLA_V100' } });
    expect(res.status).toBe(201);
    const failed = await waitFor(async () => {
      const d = await deployment(name);
      return d.state === 'FAILED' ? d : undefined;
    }, 90_000, 'FAILED');
    expect(failed.errorMessage).toMatch(/Kubernetes refused the model server pods: .*exceeded quota/);
  }, 120_000);
});
