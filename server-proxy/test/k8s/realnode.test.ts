import fs from 'node:fs';
import path from 'node:path';
import { runName } from '../../src/backends/kubernetes/plan.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startS3Server, type S3Server } from '../helpers/s3server.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { adminClients, describeCluster, k8sConfig, nodeImages, realNodeTemplate } from './cluster.js';

// The whole cluster round trip with code really running: pods on the test cluster's real node
// (containerd + runc + kubelet), in the runner image built from this checkout, with inputs and outputs
// through a real S3-compatible server. Nothing here is played by the test or simulated by kwok.
const suffix = Date.now().toString(36);
const id = (name: string) => `${name}_${suffix}`;
const NS = 'laketahoe-alice';

/** Small CPU requests, so two trials fit on the two-core node beside anything else. */
const SMALL = { scaleTier: 'CUSTOM', masterConfig: { resources: { cpu: 0.5, memoryGb: 1 } } };

describeCluster('Kubernetes jobs on the real node', () => {
  let t: TestService;
  let s3: S3Server;
  let root: string;
  const admin = () => adminClients();
  const submit = (body: unknown) => t.call('POST', '/api/v1/jobs', body);

  beforeAll(async () => {
    const images = nodeImages();
    s3 = startS3Server();
    root = tempRoot();
    writeNotebook(
      path.join(root, 'project', 'train.ipynb'),
      [
        [
          'import laketahoe, numpy as np',
          'from sklearn.linear_model import LogisticRegression',
          "rows = [line.split(',') for line in open('data/points.csv').read().split()]",
          'X = np.array([[float(a), float(b)] for a, b, _ in rows]); y = np.array([int(c) for _, _, c in rows])',
          'model = LogisticRegression(C=C).fit(X, y)',
          'for step in (1, 2):',
          '    laketahoe.report(step=step, accuracy=float(model.score(X, y)) - (2 - step) * 0.1, C=C)',
          "laketahoe.save_model(model, 'real-points', X, y)",
          "open('notes.txt', 'w').write('written in the pod')",
          "print('trained in the pod on', len(rows), 'rows')"
        ].join('\n')
      ],
      'C = 1.0'
    );
    fs.mkdirSync(path.join(root, 'project', 'data'));
    fs.writeFileSync(path.join(root, 'project', 'data', 'points.csv'), ['0,0,0', '0,1,0', '1,0,0', '3,3,1', '3,4,1', '4,3,1'].join('\n'));
    writeNotebook(path.join(root, 'broken', 'fail.ipynb'), ['x = 1', 'print("before the error", flush=True)', 'raise ValueError("broken in the pod")']);
    writeNotebook(path.join(root, 'slow', 'sleep.ipynb'), ['import time\nprint("sleeping", flush=True)\ntime.sleep(600)']);
    t = await startService(root, {
      defaultBackend: 'kubernetes',
      k8s: k8sConfig({ defaultImage: images.LAKETAHOE_K8S_IMAGE_RUNNER, podTemplate: realNodeTemplate(images), backoffLimit: 1 }),
      artifacts: { kind: 's3', s3: s3.options, grantSeconds: 3600, maxOutputBytes: 256 * 1024 * 1024, maxOutputFiles: 10_000 }
    });
  }, 600_000);

  afterAll(async () => {
    await t?.close();
    s3?.stop();
  });

  test('a notebook job runs in a real pod, streams its log and metrics, and brings back its outputs and model', async () => {
    const jobId = id('real');
    const res = await submit({ jobId, trainingInput: { ...SMALL, notebook: { path: 'project/train.ipynb', includeFolder: true, parameters: { C: 0.5 } } } });
    expect(res.status).toBe(201);
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 240_000);
    expect([done.state, done.errorMessage]).toEqual(['SUCCEEDED', '']);
    expect(done.stateHistory.map((s: any) => s.state)).toEqual(['QUEUED', 'PREPARING', 'RUNNING', 'SUCCEEDED']);
    // The parameters cell, the parameters papermill injected, and the training cell.
    expect(done.trainingOutput).toMatchObject({ completedCells: 3, totalCells: 3, exitCode: 0 });

    // The pod ran on the real node.
    const pods = (await admin().core.listNamespacedPod({ namespace: NS, labelSelector: `laketahoe.io/run=${runName(jobId)}` })).items;
    expect(pods.map(p => [p.spec!.nodeName, p.status!.phase])).toEqual([[nodeImages().LAKETAHOE_K8S_NODE_NAME, 'Succeeded']]);

    // Log lines and metrics came through the pod log API and the same parser as local runs.
    const logs = (await t.call('GET', `/api/v1/jobs/${jobId}/logs`)).body.lines.map((l: any) => l.text);
    expect(logs).toContain('trained in the pod on 6 rows');
    expect(logs.some((l: string) => l.startsWith('##laketahoe'))).toBe(false);
    const { metrics } = (await t.call('GET', `/api/v1/jobs/${jobId}/metrics`)).body;
    const accuracy = metrics.filter((m: any) => m.name === 'accuracy').map((m: any) => m.step);
    expect(accuracy).toEqual([1, 2]);
    expect(done.trainingOutput.latestMetrics.C).toBe(0.5);

    // Outputs answer from the same routes as local ones.
    const nb = await t.call('GET', `/api/v1/jobs/${jobId}/outputs/output.ipynb`);
    expect(nb.status).toBe(200);
    expect(JSON.stringify(nb.body)).toContain('trained in the pod on 6 rows');
    expect((await t.call('GET', `/api/v1/jobs/${jobId}/outputs/output.html`)).status).toBe(200);
    expect(fs.readFileSync(path.join(root, 'laketahoe-jobs', jobId, 'notes.txt'), 'utf8')).toBe('written in the pod');

    // The model saved in the pod is registered with its lineage.
    expect(done.trainingOutput.models).toEqual([{ name: 'real-points', path: `laketahoe-jobs/${jobId}/models/real-points` }]);
    const model = await waitFor(async () => {
      const r = await t.call('GET', '/api/v1/models/real-points');
      return r.body.versions?.find((v: any) => v.source.jobId === jobId);
    }, 30_000, 'the registered model');
    expect(model).toMatchObject({ artifactDir: `laketahoe-jobs/${jobId}/models/real-points`, source: { jobId, trialId: null, hyperparameters: { C: 0.5 } } });
  }, 300_000);

  test('a notebook that raises in a pod fails the job with the cell and the traceback, and keeps its output notebook', async () => {
    const jobId = id('raises');
    expect((await submit({ jobId, trainingInput: { ...SMALL, notebook: { path: 'broken/fail.ipynb' } } })).status).toBe(201);
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 240_000);
    expect(done.state).toBe('FAILED');
    expect(done.errorMessage).toMatch(/ValueError: broken in the pod/);
    expect(done.errorMessage).toMatch(/[Cc]ell 3/);
    expect(done.trainingOutput.exitCode).toBe(1);
    const logs = (await t.call('GET', `/api/v1/jobs/${jobId}/logs`)).body.lines.map((l: any) => l.text);
    expect(logs).toContain('before the error');
    expect(logs.some((l: string) => /Traceback|ValueError/.test(l))).toBe(true);
    // A failed run still uploads what it wrote: the executed notebook shows where it stopped.
    const nb = await t.call('GET', `/api/v1/jobs/${jobId}/outputs/output.ipynb`);
    expect(nb.status).toBe(200);
    expect(JSON.stringify(nb.body)).toContain('broken in the pod');
  }, 300_000);

  test('a pod deleted mid-run is replaced per backoffLimit, and the job ends with the reason once retries are spent', async () => {
    const jobId = id('deleted');
    expect((await submit({ jobId, trainingInput: { ...SMALL, notebook: { path: 'slow/sleep.ipynb' } } })).status).toBe(201);
    await waitForState(t, jobId, ['RUNNING'], 240_000);
    const printed = async () => (await t.call('GET', `/api/v1/jobs/${jobId}/logs`)).body.lines.filter((l: any) => l.text === 'sleeping').length;
    // The runner has started the notebook before its pod goes.
    await waitFor(async () => (await printed()) >= 1, 120_000, 'the first attempt to print');
    const selector = `laketahoe.io/run=${runName(jobId)}`;
    const running = async () =>
      (await admin().core.listNamespacedPod({ namespace: NS, labelSelector: selector })).items.filter(p => p.status?.phase === 'Running' && !p.metadata!.deletionTimestamp);
    // backoffLimit 1: the first deleted pod is replaced, the second deletion fails the Job.
    const deleted: string[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const pod = (await waitFor(async () => (await running()).find(p => !deleted.includes(p.metadata!.name!)), 180_000, `running pod ${attempt + 1}`))!;
      deleted.push(pod.metadata!.name!);
      await admin().core.deleteNamespacedPod({ namespace: NS, name: pod.metadata!.name!, gracePeriodSeconds: 0 });
    }
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 180_000);
    expect(done.state).toBe('FAILED');
    expect(done.errorMessage).toMatch(/backoff limit/);
    // At most one line per attempt: reading the replacement pod's log never repeats the first one's.
    expect(await printed()).toBeGreaterThanOrEqual(1);
    expect(await printed()).toBeLessThanOrEqual(2);
  }, 480_000);

  test("an HPO job runs two parallel trials on the real node; their metrics and outputs come back and the best trial's model is registered", async () => {
    const jobId = id('hpo');
    const res = await submit({
      jobId,
      trainingInput: {
        ...SMALL,
        notebook: { path: 'project/train.ipynb', includeFolder: true },
        hyperparameters: {
          goal: 'MAXIMIZE',
          hyperparameterMetricTag: 'accuracy',
          maxTrials: 2,
          maxParallelTrials: 2,
          algorithm: 'GRID_SEARCH',
          params: [{ parameterName: 'C', type: 'DISCRETE', discreteValues: [0.001, 10] }]
        }
      }
    });
    expect(res.status).toBe(201);
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 400_000);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.trainingOutput.trialCounts).toEqual({ SUCCEEDED: 2 });
    const trials = (await t.call('GET', `/api/v1/jobs/${jobId}/trials`)).body.trials;
    // Each trial's objective is its own, computed in its own pod.
    expect(trials.map((x: any) => [x.hyperparameters.C, x.finalMetric.trainingStep])).toEqual([
      [0.001, 2],
      [10, 2]
    ]);
    for (const trial of trials) {
      const nb = await t.call('GET', `/api/v1/jobs/${jobId}/trials/${trial.trialId}/outputs/output.ipynb`);
      expect([trial.trialId, nb.status]).toEqual([trial.trialId, 200]);
      expect(JSON.stringify(nb.body)).toContain('trained in the pod on 6 rows');
    }
    const best = done.trainingOutput.bestTrial.trialId;
    const bestValue = Math.max(...trials.map((x: any) => x.finalMetric.objectiveValue));
    expect(trials.find((x: any) => x.trialId === best).finalMetric.objectiveValue).toBe(bestValue);
    const model = await waitFor(async () => {
      const r = await t.call('GET', '/api/v1/models/real-points');
      return r.body.versions?.find((v: any) => v.source.jobId === jobId);
    }, 30_000, "the best trial's registered model");
    expect(model).toMatchObject({ artifactDir: `laketahoe-jobs/${jobId}/trials/${best}/models/real-points`, source: { jobId, trialId: best } });
  }, 480_000);
});
