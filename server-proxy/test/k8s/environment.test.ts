import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, type TestService } from '../helpers/service.js';
import { adminClients, describeCluster, k8sConfig } from './cluster.js';

// trainingInput.env and the image choice through the real service against the real API server: the
// Job reads secrets by secretKeyRef (the service never reads a Secret) and runs the offered image.
const suffix = Date.now().toString(36);

describeCluster('Kubernetes environment', () => {
  let t: TestService;

  beforeAll(async () => {
    const root = tempRoot();
    writeNotebook(path.join(root, 'train.ipynb'), ['print("hello")']);
    t = await startService(root, {
      defaultBackend: 'kubernetes',
      k8s: k8sConfig({ imagePolicy: { images: [{ name: 'runner', image: 'laketahoe-runner:test' }], allowAnyImage: false } })
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  test('secrets become secretKeyRefs in the namespace, the offered image runs, and other images are refused', async () => {
    const info = (await t.call('GET', '/api/v1/info')).body;
    expect(info.backends[0]).toMatchObject({ images: [{ name: 'runner', image: 'laketahoe-runner:test' }], allowAnyImage: false });

    const refused = await t.call('POST', '/api/v1/jobs', { trainingInput: { notebook: { path: 'train.ipynb' }, masterConfig: { imageUri: 'elsewhere:1' } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('trainingInput.masterConfig.imageUri');

    const jobId = `env_${suffix}`;
    const env = [{ name: 'MODE', value: 'fast' }, { name: 'DB_PASSWORD', secretKeyRef: { name: 'db', key: 'password' } }];
    const res = await t.call('POST', '/api/v1/jobs', {
      jobId,
      labels: { 'laketahoe.test/run-seconds': '1' },
      trainingInput: { notebook: { path: 'train.ipynb' }, masterConfig: { imageUri: 'runner' }, env, kernelFallback: 'python3' }
    });
    expect(res.status).toBe(201);
    expect(res.body.trainingInput.env).toEqual(env);
    expect(res.body.trainingInput.masterConfig.imageUri).toBe('runner');
    const job = await waitFor(
      async () => (await adminClients().batch.listNamespacedJob({ namespace: 'laketahoe-alice', labelSelector: `laketahoe.io/job-id=${jobId}` })).items[0],
      20_000,
      'the Job'
    );
    const c = job.spec!.template.spec!.containers[0];
    expect(c.image).toBe('laketahoe-runner:test');
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: 'MODE', value: 'fast' },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'LAKETAHOE_SECRET_ENV', value: 'DB_PASSWORD' }
      ])
    );
    expect(c.command).toEqual(expect.arrayContaining(['--kernel', 'python3', '--kernel-fallback', 'python3']));
  });
});
