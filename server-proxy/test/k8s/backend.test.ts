import path from 'node:path';
import { runName } from '../../src/backends/kubernetes/plan.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { adminClients, appendPodLog, describeCluster, k8sConfig, runInputs, seedPodLog, tenantKubeconfig, watchJobConcurrency } from './cluster.js';

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
    // A small notebook travels in the Job itself: one object, no ConfigMap.
    const inputs = await runInputs('laketahoe-alice', runName(jobId));
    expect(JSON.parse(inputs['parameters.json'])).toEqual({ lr: 0.1 });
    expect(JSON.parse(inputs['train.ipynb']).cells).toHaveLength(2);
    expect(await admin().core.readNamespacedConfigMap({ namespace: 'laketahoe-alice', name: `${runName(jobId)}-input` }).catch(e => e.code)).toBe(404);

    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.stateHistory.map((s: any) => s.state)).toEqual(['QUEUED', 'PREPARING', 'RUNNING', 'SUCCEEDED']);
    expect(done.stateHistory[1].reason).toMatch(/gpu-v100x/);
    expect(done.trainingOutput).toMatchObject({ completedCells: 2, totalCells: 2, exitCode: 0, latestMetrics: { accuracy: 0.75, loss: 0.5 } });
    const logs = (await t.call('GET', `/api/v1/jobs/${jobId}/logs`)).body.lines.map((l: any) => l.text);
    expect(logs.filter((l: string) => l === 'epoch 1/2 loss=0.693')).toHaveLength(1);
    expect(logs.filter((l: string) => l === 'k8s suite: runner finished')).toHaveLength(1);
    expect(logs.some((l: string) => l.startsWith('##laketahoe'))).toBe(false);
    const { metrics } = (await t.call('GET', `/api/v1/jobs/${jobId}/metrics`)).body;
    expect(metrics.map((m: any) => [m.name, m.step, m.value])).toEqual([['accuracy', 1, 0.75], ['loss', 1, 0.5]]);
  });

  test('a runner that exits with an error fails the job at once with its exit code and message', async () => {
    const jobId = id('fails');
    const labels = { 'laketahoe.test/run-seconds': '1', 'laketahoe.test/outcome': 'fail', 'laketahoe.test/exit-code': '3', 'laketahoe.test/message': 'ValueError: boom' };
    expect((await submit({ jobId, labels, trainingInput: { notebook: nb } })).status).toBe(201);
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
    expect(done.state).toBe('FAILED');
    expect(done.errorMessage).toBe('ValueError: boom');
    expect(done.trainingOutput.exitCode).toBe(3);
    expect(done.stateHistory[done.stateHistory.length - 1].reason).toBe('the runner exited with code 3');
  });

  test('cancel deletes the Job and its pods; the job ends CANCELLED', async () => {
    const jobId = id('cancel');
    await submit({ jobId, labels: { 'laketahoe.test/run-seconds': '60' }, trainingInput: { notebook: nb } });
    await waitForState(t, jobId, ['RUNNING'], 30_000);
    expect((await t.call('POST', `/api/v1/jobs/${jobId}/cancel`)).status).toBe(200);
    const done = await waitForState(t, jobId, ['CANCELLED'], 30_000);
    expect(done.stateHistory.map((s: any) => s.state)).toContain('CANCELLING');
    await waitFor(async () => (await jobsOf('laketahoe-alice', jobId)).length === 0, 20_000, 'the Job to be deleted');
  });

  test('a job needing more GPUs than any node of its type has stays QUEUED with the scheduler\'s reason', async () => {
    const jobId = id('toobig');
    await submit({
      jobId,
      trainingInput: { scaleTier: 'CUSTOM', masterConfig: { acceleratorConfig: { count: 5, type: 'NVIDIA_TESLA_A100' } }, notebook: nb }
    });
    const queued = await waitFor(async () => {
      const job = (await t.call('GET', `/api/v1/jobs/${jobId}`)).body;
      return job.trainingOutput.queueReason ? job : undefined;
    }, 30_000, 'a queue reason');
    expect(queued.state).toBe('QUEUED');
    // Six nodes with the real one; the count is not what this test is about.
    expect(queued.trainingOutput.queueReason).toMatch(/^unschedulable: 0\/\d+ nodes are available: .*Insufficient nvidia.com\/gpu/);
    expect(queued.stateHistory[queued.stateHistory.length - 1]).toMatchObject({ state: 'QUEUED', reason: queued.trainingOutput.queueReason });
    await t.call('POST', `/api/v1/jobs/${jobId}/cancel`);
    await waitFor(async () => (await jobsOf('laketahoe-alice', jobId)).length === 0, 20_000, 'the Job to be deleted');
  });

  test('the namespace quota: a request larger than the quota fails, one that must wait stays QUEUED and then runs', async () => {
    const never = id('overquota');
    await submit({ jobId: never, trainingInput: { scaleTier: 'CUSTOM', masterConfig: { acceleratorConfig: { count: 8 } }, notebook: nb } });
    const failed = await waitForState(t, never, ['FAILED'], 30_000);
    expect(failed.errorMessage).toMatch(/exceeded quota: laketahoe-quota.*requested: requests.nvidia.com\/gpu=8.*limited: requests.nvidia.com\/gpu=7/);
    expect(failed.stateHistory[failed.stateHistory.length - 1].reason).toBe('the request exceeds the namespace quota');

    const first = id('quota_a');
    const second = id('quota_b');
    const gpus = (n: number) => ({ scaleTier: 'CUSTOM', masterConfig: { acceleratorConfig: { count: n } }, notebook: nb });
    await submit({ jobId: first, labels: { 'laketahoe.test/run-seconds': '60' }, trainingInput: gpus(4) });
    await waitForState(t, first, ['RUNNING'], 30_000);
    await submit({ jobId: second, labels: { 'laketahoe.test/run-seconds': '1' }, trainingInput: gpus(4) });
    const waiting = await waitFor(async () => {
      const job = (await t.call('GET', `/api/v1/jobs/${second}`)).body;
      return job.trainingOutput.queueReason ? job : undefined;
    }, 30_000, 'a quota reason');
    expect(waiting.state).toBe('QUEUED');
    expect(waiting.trainingOutput.queueReason).toMatch(/^namespace quota: .*exceeded quota/);
    await t.call('POST', `/api/v1/jobs/${first}/cancel`);
    const ran = await waitForState(t, second, ['SUCCEEDED', 'FAILED'], 90_000);
    expect(ran.state).toBe('SUCCEEDED');
    expect(ran.trainingOutput.queueReason).toBeUndefined();
  });

  test('when the quota refuses the Job itself, the job is accepted, waits QUEUED and is created once there is room', async () => {
    const quota = `jobs-test-${suffix}`;
    const count = (await admin().batch.listNamespacedJob({ namespace: 'laketahoe-alice' })).items.length;
    await admin().core.createNamespacedResourceQuota({
      namespace: 'laketahoe-alice',
      body: { metadata: { name: quota }, spec: { hard: { 'count/jobs.batch': String(count) } } }
    });
    try {
      // Admission refuses everything until the quota controller has counted what is there.
      await waitFor(async () => (await admin().core.readNamespacedResourceQuota({ namespace: 'laketahoe-alice', name: quota })).status?.used, 20_000, 'the quota to be counted');
      const jobId = id('jobquota');
      const res = await submit({ jobId, labels: { 'laketahoe.test/run-seconds': '1' }, trainingInput: { notebook: nb } });
      expect(res.status).toBe(201);
      const waiting = await waitFor(async () => {
        const job = (await t.call('GET', `/api/v1/jobs/${jobId}`)).body;
        return job.trainingOutput.queueReason ? job : undefined;
      }, 20_000, 'a quota reason');
      expect(waiting.state).toBe('QUEUED');
      expect(waiting.trainingOutput.queueReason).toMatch(new RegExp(`^namespace quota: .*exceeded quota: ${quota}`));
      await admin().core.deleteNamespacedResourceQuota({ namespace: 'laketahoe-alice', name: quota });
      const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
      expect(done.state).toBe('SUCCEEDED');
      expect(await jobsOf('laketahoe-alice', jobId)).toHaveLength(1);
    } finally {
      await admin().core.deleteNamespacedResourceQuota({ namespace: 'laketahoe-alice', name: quota }).catch(() => undefined);
    }
  });

  test('a distributed job gets a Job per role behind a headless Service, with TF_CONFIG and ranks', async () => {
    const jobId = id('dist');
    const res = await submit({
      jobId,
      labels: { 'laketahoe.test/run-seconds': '2' },
      trainingInput: { scaleTier: 'CUSTOM', masterType: 'n1-standard-4', workerCount: 2, parameterServerCount: 1, parameterServerType: 'n1-highmem-2', notebook: nb }
    });
    expect(res.status).toBe(201);
    const base = runName(jobId);
    const jobs = await waitFor(async () => {
      const list = await jobsOf('laketahoe-alice', jobId);
      return list.length === 3 ? list : undefined;
    }, 20_000, 'three Jobs');
    const byRole = Object.fromEntries(jobs!.map(j => [j.metadata!.labels!['laketahoe.io/role'], j]));
    expect(Object.keys(byRole).sort()).toEqual(['master', 'ps', 'worker']);
    expect(byRole.worker.spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2 });
    expect(byRole.ps.spec!.template.spec!.containers[0].resources!.requests).toMatchObject({ cpu: '2', memory: '13Gi' });
    expect(res.body.trainingOutput.resources).toEqual({ cpu: 4, memoryBytes: 15 * 1024 ** 3, gpus: [] });
    const env = Object.fromEntries(byRole.worker.spec!.template.spec!.containers[0].env!.map(e => [e.name, e.value]));
    expect(env.WORLD_SIZE).toBe('3');
    expect(env.MASTER_ADDR).toBe(`${base}-master-0.${base}`);
    const tf = JSON.parse(env.TF_CONFIG!.replace('$(JOB_COMPLETION_INDEX)', '1'));
    expect(tf.cluster.worker).toEqual([`${base}-worker-0.${base}:2222`, `${base}-worker-1.${base}:2222`]);
    expect(tf.task).toEqual({ type: 'worker', index: 1 });
    const svc = await admin().core.readNamespacedService({ namespace: 'laketahoe-alice', name: base });
    expect(svc.spec!.clusterIP).toBe('None');
    expect(byRole.master.spec!.template.spec!.subdomain).toBe(base);
    const pods = await waitFor(async () => {
      const list = (await admin().core.listNamespacedPod({ namespace: 'laketahoe-alice', labelSelector: `laketahoe.io/run=${base}` })).items;
      return list.length >= 4 ? list : undefined;
    }, 20_000, 'four pods');
    expect(pods!.map(p => p.metadata!.labels!['laketahoe.io/role']).sort()).toEqual(['master', 'ps', 'worker', 'worker']);
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
    expect(done.state).toBe('SUCCEEDED');
  });

  test('a restart loses and duplicates nothing: logs resume, queued jobs are not created twice, vanished ones fail, strays stay', async () => {
    const jobId = id('restart');
    const gone = id('vanish');
    const waiting = id('waiting');
    await submit({ jobId, labels: { 'laketahoe.test/run-seconds': '8' }, trainingInput: { notebook: nb } });
    await submit({ jobId: gone, labels: { 'laketahoe.test/run-seconds': '60' }, trainingInput: { notebook: nb } });
    await submit({ jobId: waiting, trainingInput: { scaleTier: 'CUSTOM', masterConfig: { resources: { cpu: 90 } }, notebook: nb } });
    await waitForState(t, gone, ['RUNNING'], 30_000);
    await waitFor(async () => (await t.call('GET', `/api/v1/jobs/${waiting}`)).body.trainingOutput.queueReason, 30_000, 'a queue reason');
    await waitFor(async () => {
      const job = (await t.call('GET', `/api/v1/jobs/${jobId}`)).body;
      return job.trainingOutput.latestMetrics.accuracy === 0.75;
    }, 30_000, 'the first lines');
    await t.close();

    const late = `written while the service was down ${suffix}`;
    appendPodLog(late);
    await admin().batch.deleteNamespacedJob({ namespace: 'laketahoe-alice', name: runName(gone), propagationPolicy: 'Foreground' });
    // A Job with our labels that the store knows nothing of (another service's, or a leftover).
    const stray = `lt-stray-${suffix}`;
    await admin().batch.createNamespacedJob({
      namespace: 'laketahoe-alice',
      body: {
        metadata: { name: stray, labels: { 'app.kubernetes.io/managed-by': 'laketahoe-proxy', 'laketahoe.io/run': stray }, annotations: { 'laketahoe.io/run-id': `stray_${suffix}` } },
        spec: { suspend: true, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'trainer', image: 'x' }] } } }
      }
    });
    t = await startService(root, { defaultBackend: 'kubernetes', k8s: k8sConfig() });

    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
    expect(done.state).toBe('SUCCEEDED');
    const logs = (await t.call('GET', `/api/v1/jobs/${jobId}/logs`)).body.lines.map((l: any) => l.text);
    for (const line of ['epoch 1/2 loss=0.693', 'done', 'k8s suite: runner finished', late]) {
      expect(logs.filter((l: string) => l === line)).toHaveLength(1);
    }
    const { metrics } = (await t.call('GET', `/api/v1/jobs/${jobId}/metrics`)).body;
    expect(metrics).toHaveLength(2);
    const vanished = await waitForState(t, gone, ['FAILED'], 30_000);
    expect(vanished.errorMessage).toMatch(/was deleted outside the service/);
    const still = (await t.call('GET', `/api/v1/jobs/${waiting}`)).body;
    expect(still.state).toBe('QUEUED');
    expect(still.trainingOutput.queueReason).toMatch(/Insufficient cpu/);
    expect(await jobsOf('laketahoe-alice', waiting)).toHaveLength(1);
    await t.call('POST', `/api/v1/jobs/${waiting}/cancel`);
    await waitFor(async () => (await jobsOf('laketahoe-alice', waiting)).length === 0, 20_000, 'the waiting Job to be deleted');
    expect((await admin().batch.readNamespacedJob({ namespace: 'laketahoe-alice', name: stray })).metadata!.name).toBe(stray);
    await admin().batch.deleteNamespacedJob({ namespace: 'laketahoe-alice', name: stray });
  });

  test('maxRunningTime becomes activeDeadlineSeconds; a job past it fails saying so', async () => {
    const jobId = id('deadline');
    await submit({ jobId, labels: { 'laketahoe.test/run-seconds': '60' }, trainingInput: { scheduling: { maxRunningTime: '2s' }, notebook: nb } });
    const job = await waitFor(async () => (await jobsOf('laketahoe-alice', jobId))[0], 20_000, 'the Job');
    expect(job.spec!.activeDeadlineSeconds).toBe(2);
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 30_000);
    expect(done.state).toBe('FAILED');
    expect(done.errorMessage).toBe('the job ran longer than its maxRunningTime of 2s and was stopped');
    expect(done.stateHistory[done.stateHistory.length - 1].reason).toBe('exceeded maxRunningTime');
  });

  /**
   * Runs a distributed job (a master, a worker, a parameter server) whose pods all fail with `exitCode`,
   * each role after its own number of seconds, and resolves to the ended job.
   */
  const failDistributed = async (jobId: string, seconds: Record<'master' | 'worker' | 'ps', number>, exitCode: number) => {
    const labels: Record<string, string> = { 'laketahoe.test/outcome': 'fail', 'laketahoe.test/exit-code': String(exitCode) };
    for (const [role, s] of Object.entries(seconds)) {
      labels[`laketahoe.test/run-seconds-${role}`] = String(s);
    }
    await submit({ jobId, labels, trainingInput: { scaleTier: 'CUSTOM', workerCount: 1, parameterServerCount: 1, notebook: nb } });
    return waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 30_000);
  };

  test('when a distributed job fails, its other roles are deleted and the master Job is kept', async () => {
    const jobId = id('distfail');
    // The master fails first; the worker and the parameter server would fail 30 s later.
    const done = await failDistributed(jobId, { master: 1, worker: 30, ps: 30 }, 2);
    expect(done.state).toBe('FAILED');
    expect(done.trainingOutput.exitCode).toBe(2);
    const left = await waitFor(async () => {
      const jobs = await jobsOf('laketahoe-alice', jobId);
      return jobs.length === 1 ? jobs : undefined;
    }, 20_000, 'only the master Job to remain');
    expect(left![0].metadata!.labels!['laketahoe.io/role']).toBe('master');
  });

  test('when a worker fails while the master runs, the job fails naming the worker pod and every role is deleted', async () => {
    const jobId = id('workerfail');
    const done = await failDistributed(jobId, { master: 60, worker: 1, ps: 60 }, 3);
    expect(done.state).toBe('FAILED');
    expect(done.trainingOutput.exitCode).toBe(3);
    expect(done.errorMessage).toMatch(/\(worker pod [a-z0-9-]+\)$/);
    await waitFor(async () => (await jobsOf('laketahoe-alice', jobId)).length === 0, 20_000, 'every Job of the run to be deleted');
  });

  test('HPO trials run as Jobs on the cluster, at most maxParallelTrials at a time', async () => {
    const jobId = id('hpo');
    const concurrency = await watchJobConcurrency('laketahoe-alice', `laketahoe.io/job-id=${jobId}`);
    const res = await submit({
      jobId,
      labels: { 'laketahoe.test/run-seconds': '1' },
      trainingInput: {
        notebook: nb,
        hyperparameters: {
          goal: 'MAXIMIZE',
          hyperparameterMetricTag: 'accuracy',
          maxTrials: 4,
          maxParallelTrials: 2,
          algorithm: 'RANDOM_SEARCH',
          params: [{ parameterName: 'lr', type: 'DOUBLE', minValue: 0.001, maxValue: 0.1 }]
        }
      }
    });
    expect(res.status).toBe(201);
    let done;
    try {
      done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 120_000);
    } finally {
      concurrency.stop();
    }
    expect(done.state).toBe('SUCCEEDED');
    expect(done.trainingOutput.trialCounts).toEqual({ SUCCEEDED: 4 });
    expect(done.trainingOutput.bestTrial.finalMetric.objectiveValue).toBe(0.75);
    // Every event of the four trial Jobs was seen: two ran together, never three.
    expect(concurrency.names()).toHaveLength(4);
    expect(concurrency.most()).toBe(2);
    const jobs = await jobsOf('laketahoe-alice', jobId);
    expect(jobs.map(j => j.metadata!.labels!['laketahoe.io/trial-id']).sort()).toEqual(['1', '2', '3', '4']);
    const inputs = await runInputs('laketahoe-alice', runName(`${jobId}/trials/2`));
    expect(Object.keys(JSON.parse(inputs['parameters.json']))).toEqual(['lr']);
  });

  test('tenancy: each user in their namespace, nobody sees another\'s jobs, nothing written elsewhere', async () => {
    const bobs = id('bobs');
    expect((await submit({ jobId: bobs, labels: { 'laketahoe.test/run-seconds': '1' }, trainingInput: { notebook: nb } }, 'bob-token')).status).toBe(201);
    // The submit answers once the run is accepted; its Job is created right after, in bob's namespace.
    await waitFor(async () => (await jobsOf('laketahoe-bob', bobs)).length === 1, 30_000, "bob's Job in laketahoe-bob");
    expect((await t.call('GET', `/api/v1/jobs/${bobs}`)).status).toBe(404);
    expect((await t.call('GET', '/api/v1/jobs')).body.jobs.map((j: any) => j.jobId)).not.toContain(bobs);
    const info = (await t.call('GET', '/api/v1/info', undefined, 'bob-token')).body;
    expect(info.backends[0]).toMatchObject({ name: 'kubernetes', namespace: 'laketahoe-bob', server: expect.stringMatching(/^https:\/\/127.0.0.1:/) });
    expect(info.backends.map((b: any) => b.name)).toEqual(['kubernetes', 'local']);
    const everything = await admin().batch.listJobForAllNamespaces({ labelSelector: 'app.kubernetes.io/managed-by=laketahoe-proxy' });
    for (const job of everything.items) {
      expect(job.metadata!.namespace).toBe(`laketahoe-${job.metadata!.labels!['laketahoe.io/owner']}`);
    }
    await waitFor(async () => (await t.call('GET', `/api/v1/jobs/${bobs}`, undefined, 'bob-token')).body.state === 'SUCCEEDED', 30_000, "bob's job");
  });

  test('the create at submit: what the API server refuses (422) is a 400 naming its field, and nothing is created', async () => {
    const jobId = id('invalid');
    // A job's labels become its pods' annotations; this key is one the API server refuses as an annotation.
    const res = await submit({ jobId, labels: { 'not a key!': 'x' }, trainingInput: { notebook: nb } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_argument');
    expect(res.body.error.message).toMatch(/^Kubernetes rejected the job: .*not a key!/);
    expect(res.body.error.field).toMatch(/annotations/);
    expect((await t.call('GET', `/api/v1/jobs/${jobId}`)).status).toBe(404);
    expect(await jobsOf('laketahoe-alice', jobId)).toEqual([]);
  });

  test('the create at submit: an object of the same name already in the namespace (409) is already_exists on jobId', async () => {
    const jobId = id('clash');
    const squatter = runName(jobId);
    const container = { name: 'c', image: 'busybox' };
    await admin().batch.createNamespacedJob({
      namespace: 'laketahoe-alice',
      body: { metadata: { name: squatter, labels: { mine: 'yes' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } } }
    });
    try {
      const res = await submit({ jobId, trainingInput: { notebook: nb } });
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({
        code: 'already_exists',
        message: `job ${jobId} already has Kubernetes objects named ${runName(jobId)} in namespace laketahoe-alice`,
        field: 'jobId'
      });
      expect((await t.call('GET', `/api/v1/jobs/${jobId}`)).status).toBe(404);
      expect(await jobsOf('laketahoe-alice', jobId)).toEqual([]);
      // The object that was there is left as it was.
      const kept = await admin().batch.readNamespacedJob({ namespace: 'laketahoe-alice', name: squatter });
      expect(kept.metadata!.labels).toEqual({ mine: 'yes' });
    } finally {
      await admin().batch.deleteNamespacedJob({ namespace: 'laketahoe-alice', name: squatter, propagationPolicy: 'Background' });
    }
  });

  test("with a tenant's credentials the service cannot act in another namespace: 403 naming it", async () => {
    const other = await startService(tempRoot(), { defaultBackend: 'kubernetes', k8s: k8sConfig({ kubeconfig: tenantKubeconfig('alice') }) });
    try {
      writeNotebook(path.join(other.root, 'train.ipynb'), ['print(1)']);
      const res = await other.call('POST', '/api/v1/jobs', { jobId: id('denied'), trainingInput: { notebook: nb } }, 'bob-token');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('permission_denied');
      expect(res.body.error.message).toMatch(/^namespace laketahoe-bob: /);
      const mine = id('allowed');
      expect((await other.call('POST', '/api/v1/jobs', { jobId: mine, labels: { 'laketahoe.test/run-seconds': '1' }, trainingInput: { notebook: nb } })).status).toBe(201);
      expect((await waitForState(other, mine, ['SUCCEEDED', 'FAILED'], 30_000)).state).toBe('SUCCEEDED');
    } finally {
      await other.close();
    }
  });
});
