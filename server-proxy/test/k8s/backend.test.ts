import path from 'node:path';
import { runName } from '../../src/backends/kubernetes/plan.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { adminClients, describeCluster, k8sConfig, seedPodLog } from './cluster.js';

// Through the real service API against the real control plane (kube-apiserver, scheduler, Job and
// TTL controllers, quota); kwok plays the kubelets, so pod lifetimes come from the job's labels.
const suffix = Date.now().toString(36);
const id = (name: string) => `${name}_${suffix}`;

describeCluster('Kubernetes backend', () => {
  let t: TestService;
  let root: string;
  const admin = () => adminClients();
  const submit = (body: any, token?: string) => t.call('POST', '/api/v1/jobs', body, token);
  const nb = { path: 'train.ipynb', parameters: { lr: 0.1 } };
  const jobsOf = async (ns: string, jobId: string) =>
    (await admin().batch.listNamespacedJob({ namespace: ns, labelSelector: `laketahoe.io/job-id=${jobId}` })).items;

  beforeAll(async () => {
    seedPodLog();
    root = tempRoot();
    writeNotebook(path.join(root, 'train.ipynb'), ['print("hello")'], 'lr = 0.01');
    t = await startService(root, { defaultBackend: 'kubernetes', k8s: k8sConfig() });
  });

  afterAll(async () => {
    await t?.close();
  });

  test('a GPU job becomes a Job with its resources, node selection, priority and TTL, runs and succeeds', async () => {
    const jobId = id('gpu');
    const res = await submit({
      jobId,
      labels: { 'laketahoe.test/run-seconds': '2' },
      trainingInput: {
        scaleTier: 'BASIC_GPU',
        priority: 'high',
        masterConfig: { acceleratorConfig: { type: 'NVIDIA_TESLA_V100' } },
        notebook: nb
      }
    });
    expect(res.status).toBe(201);
    expect(res.body.trainingInput.backend).toBe('kubernetes');
    const job = await waitFor(async () => (await jobsOf('laketahoe-alice', jobId))[0], 20_000, 'the Job');
    expect(job.metadata!.name).toBe(runName(jobId));
    expect(job.spec!.ttlSecondsAfterFinished).toBe(600);
    expect(job.spec!.podFailurePolicy!.rules[0].onExitCodes!.values).toEqual([1, 2, 3, 4, 5]);
    const pod = job.spec!.template.spec!;
    expect(pod.priorityClassName).toBe('high');
    expect(pod.nodeSelector).toEqual({ accelerator: 'nvidia-tesla-v100' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const c = pod.containers[0];
    expect(c.resources!.requests).toEqual({ cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' });
    expect(c.env!.find(e => e.name === 'OMP_NUM_THREADS')!.value).toBe('2');
    expect(c.command!.slice(0, 4)).toEqual(['python', '-m', 'laketahoe.runner', 'notebook']);
    const cm = await admin().core.readNamespacedConfigMap({ namespace: 'laketahoe-alice', name: `${runName(jobId)}-input` });
    expect(JSON.parse(cm.data!['parameters.json'])).toEqual({ lr: 0.1 });
    expect(JSON.parse(cm.data!['train.ipynb']).cells).toHaveLength(2);

    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.stateHistory.map((s: any) => s.state)).toEqual(['QUEUED', 'PREPARING', 'RUNNING', 'SUCCEEDED']);
    expect(done.stateHistory[1].reason).toMatch(/gpu-v100x/);
    expect(done.trainingOutput).toMatchObject({ completedCells: 2, totalCells: 2, exitCode: 0, latestMetrics: { accuracy: 0.75, loss: 0.5 } });
    const logs = (await t.call('GET', `/api/v1/jobs/${jobId}/logs`)).body.lines.map((l: any) => l.text);
    expect(logs.filter((l: string) => l === 'epoch 1/2 loss=0.693')).toHaveLength(1);
    expect(logs.filter((l: string) => l === 'k8s suite: runner finished')).toHaveLength(1);
    expect(logs.some((l: string) => l.startsWith('##laketahoe'))).toBe(false);
    const metrics = (await t.call('GET', `/api/v1/jobs/${jobId}/metrics`)).body;
    expect(metrics.map((m: any) => [m.name, m.step, m.value])).toEqual([['accuracy', 1, 0.75], ['loss', 1, 0.5]]);
  });
});
