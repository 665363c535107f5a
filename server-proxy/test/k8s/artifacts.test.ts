import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { INPUTS, runPrefix } from '../../src/artifacts/runs.js';
import type { S3ArtifactStore } from '../../src/artifacts/s3.js';
import { runName } from '../../src/backends/kubernetes/plan.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startS3Server, type S3Server } from '../helpers/s3server.js';
import { PYTHON, runnerEnv, startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { adminClients, describeCluster, k8sConfig, runInputs, seedPodLog } from './cluster.js';

// Kubernetes runs with the object store, against the real control plane and a real S3-compatible
// server. kwok runs no code, so the test plays the pod: it takes the grant from the run's Secret and the
// notebook from its ConfigMap and runs `python -m laketahoe.runner` with them, as the container would.
const suffix = Date.now().toString(36);
const id = (name: string) => `${name}_${suffix}`;
const MB = 1024 * 1024;

describeCluster('Kubernetes backend with an object store', () => {
  let t: TestService;
  let s3: S3Server;
  let store: S3ArtifactStore;
  let root: string;
  const admin = () => adminClients();
  const ns = 'laketahoe-alice';
  const read = <T>(what: string, get: () => Promise<T>) => waitFor(() => get().catch(() => undefined), 30_000, what);

  beforeAll(async () => {
    // Trials take their objective from the pod log, which kwok serves from one file for every pod.
    seedPodLog();
    s3 = startS3Server();
    store = s3.store();
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
          "laketahoe.save_model(model, 'cluster-points', X, y)",
          "print('trained on', len(rows), 'rows')"
        ].join('\n')
      ],
      'C = 1.0'
    );
    fs.mkdirSync(path.join(root, 'project', 'data'));
    fs.writeFileSync(path.join(root, 'project', 'data', 'points.csv'), ['0,0,0', '0,1,0', '1,0,0', '3,3,1', '3,4,1', '4,3,1'].join('\n'));
    writeNotebook(path.join(root, 'big', 'train.ipynb'), ['print(1)']);
    fs.writeFileSync(path.join(root, 'big', 'blob.bin'), Buffer.alloc(2 * MB));
    t = await start();
  }, 600_000);

  const start = (ttlSecondsAfterFinished = 600, endpoint = s3.options.endpoint) =>
    startService(
      root,
      {
        defaultBackend: 'kubernetes',
        k8s: k8sConfig({ ttlSecondsAfterFinished }),
        maxFolderBytes: MB,
        artifacts: { kind: 's3', s3: { ...s3.options, endpoint, maxAttempts: 1 }, grantSeconds: 3600, maxOutputBytes: 64 * MB, maxOutputFiles: 1000 }
      },
      { artifactTiming: { retryMs: 200, maxAttempts: 3 } }
    );

  afterAll(async () => {
    await t?.close();
    s3?.stop();
  });

  /** Runs the runner as the pod's container would, with its grant and notebook from the cluster. */
  async function playPod(runId: string): Promise<{ code: number | null; output: string }> {
    const name = runName(runId);
    const secret = (await read('the grant Secret', () => admin().core.readNamespacedSecret({ namespace: ns, name: `${name}-artifacts` })))!;
    const inputs = (await read('the run\'s inputs', () => runInputs(ns, name)))!;
    const pod = path.join(root, 'pods', runId.replace(/\//g, '-'));
    fs.mkdirSync(path.join(pod, 'input'), { recursive: true });
    fs.mkdirSync(path.join(pod, 'output'));
    fs.writeFileSync(path.join(pod, 'input', 'train.ipynb'), inputs['train.ipynb']);
    fs.writeFileSync(path.join(pod, 'grant.json'), Buffer.from(secret.data!['grant.json'], 'base64'));
    const work = path.join(pod, 'output');
    const child = spawn(
      PYTHON,
      ['-m', 'laketahoe.runner', 'notebook', '--input', path.join(pod, 'input', 'train.ipynb'), '--output', path.join(work, 'output.ipynb'),
        '--html', path.join(work, 'output.html'), '--parameters-json', inputs['parameters.json'], '--cwd', work,
        '--status-file', path.join(work, 'exit.json'), '--artifacts', path.join(pod, 'grant.json')],
      { cwd: work, env: { ...runnerEnv(), LAKETAHOE_EVENTS_FILE: path.join(pod, 'events.jsonl') } }
    );
    let output = '';
    child.stdout.on('data', d => (output += d));
    child.stderr.on('data', d => (output += d));
    const code = await new Promise<number | null>(resolve => child.on('exit', resolve));
    return { code, output };
  }

  test("a notebook job's folder goes in through the store and its outputs and model come back", async () => {
    const jobId = id('store');
    const res = await t.call('POST', '/api/v1/jobs', {
      jobId,
      // Long enough for the runner played below to finish before kwok ends the pod.
      labels: { 'laketahoe.test/run-seconds': '60' },
      trainingInput: { notebook: { path: 'project/train.ipynb', includeFolder: true, parameters: { C: 0.5 } } }
    });
    expect(res.status).toBe(201);
    // The folder went to the store; the Job carries the notebook and its parameters only.
    expect(await store.stat(runPrefix('alice', jobId) + INPUTS)).toBeDefined();
    const job = (await admin().batch.readNamespacedJob({ namespace: ns, name: runName(jobId) })).spec!.template.spec!;
    expect(job.volumes!.find(v => v.name === 'artifacts')!.secret!.secretName).toBe(`${runName(jobId)}-artifacts`);
    const played = await playPod(jobId);
    expect([played.code, played.output]).toEqual([0, expect.stringContaining('uploaded outputs')]);
    expect(Object.keys(await runInputs(ns, runName(jobId))).sort()).toEqual(['parameters.json', 'train.ipynb']);

    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 120_000);
    expect([done.state, done.errorMessage]).toEqual(['SUCCEEDED', '']);
    expect(done.trainingOutput.models).toEqual([{ name: 'cluster-points', path: `laketahoe-jobs/${jobId}/models/cluster-points` }]);
    const nb = await t.call('GET', `/api/v1/jobs/${jobId}/outputs/output.ipynb`);
    expect(nb.status).toBe(200);
    expect(JSON.stringify(nb.body)).toContain('trained on 6 rows');
    expect((await t.call('GET', `/api/v1/jobs/${jobId}/outputs/output.html`)).status).toBe(200);
    const model = await waitFor(async () => {
      const r = await t.call('GET', '/api/v1/models/cluster-points');
      return r.status === 200 ? r.body : undefined;
    }, 30_000, 'the registered model');
    expect(model.versions[0]).toMatchObject({ artifactDir: `laketahoe-jobs/${jobId}/models/cluster-points`, source: { jobId, trialId: null, hyperparameters: { C: 0.5 } } });
  }, 240_000);

  test("an HPO job's trials bring back their outputs, and the best trial's model is registered", async () => {
    const jobId = id('hpo');
    const res = await t.call('POST', '/api/v1/jobs', {
      jobId,
      labels: { 'laketahoe.test/run-seconds': '60' },
      trainingInput: {
        notebook: { path: 'project/train.ipynb', includeFolder: true },
        hyperparameters: {
          goal: 'MAXIMIZE',
          hyperparameterMetricTag: 'accuracy',
          maxTrials: 2,
          maxParallelTrials: 2,
          algorithm: 'GRID_SEARCH',
          params: [{ parameterName: 'C', type: 'DISCRETE', discreteValues: [0.5, 1] }]
        }
      }
    });
    expect(res.status).toBe(201);
    const played = await Promise.all([1, 2].map(n => playPod(`${jobId}/trials/${n}`)));
    expect(played.map(p => p.code)).toEqual([0, 0]);
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 150_000);
    expect(done.state).toBe('SUCCEEDED');
    expect(done.trainingOutput.trialCounts).toEqual({ SUCCEEDED: 2 });
    for (const n of [1, 2]) {
      const nb = await t.call('GET', `/api/v1/jobs/${jobId}/trials/${n}/outputs/output.ipynb`);
      expect([n, nb.status]).toEqual([n, 200]);
      expect(JSON.stringify(nb.body)).toContain('trained on 6 rows');
    }
    // Every trial reports the same objective here (one shared pod log): the earliest wins the tie.
    const best = done.trainingOutput.bestTrial.trialId;
    const model = await waitFor(async () => {
      const r = await t.call('GET', '/api/v1/models/cluster-points');
      return r.body.versions?.find((v: any) => v.source.jobId === jobId);
    }, 30_000, "the best trial's registered model");
    expect(model).toMatchObject({ artifactDir: `laketahoe-jobs/${jobId}/trials/${best}/models/cluster-points`, source: { jobId, trialId: best } });
  }, 300_000);

  test('a run that ends while the service is down, its Job already taken by the TTL controller, succeeds from the store', async () => {
    await t.close();
    t = await start(1);
    const jobId = id('ttl');
    expect((await t.call('POST', '/api/v1/jobs', { jobId, labels: { 'laketahoe.test/run-seconds': '45' }, trainingInput: { notebook: { path: 'project/train.ipynb', includeFolder: true } } })).status).toBe(201);
    await waitForState(t, jobId, ['RUNNING'], 60_000);
    await t.close();
    expect((await playPod(jobId)).code).toBe(0);
    await waitFor(
      () => admin().batch.readNamespacedJob({ namespace: ns, name: runName(jobId) }).then(() => false, () => true),
      120_000,
      'the TTL controller to delete the Job'
    );
    t = await start();
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
    expect([done.state, done.errorMessage]).toEqual(['SUCCEEDED', '']);
    expect((await t.call('GET', `/api/v1/jobs/${jobId}/outputs/output.ipynb`)).status).toBe(200);
    expect(done.trainingOutput.models).toEqual([{ name: 'cluster-points', path: `laketahoe-jobs/${jobId}/models/cluster-points` }]);
  }, 300_000);

  test('an unreachable object store: the submit is a 503, and a finished run fails with the store\'s error after retries', async () => {
    const jobId = id('unreachable');
    expect((await t.call('POST', '/api/v1/jobs', { jobId, labels: { 'laketahoe.test/run-seconds': '8' }, trainingInput: { notebook: { path: 'project/train.ipynb' } } })).status).toBe(201);
    await t.close();
    t = await start(600, 'http://127.0.0.1:9');
    try {
      const refused = await t.call('POST', '/api/v1/jobs', { jobId: id('refused'), trainingInput: { notebook: { path: 'project/train.ipynb', includeFolder: true } } });
      expect(refused.status).toBe(503);
      expect(refused.body.error.message).toMatch(/^the object store did not take the job's inputs: object store LIST runs\/alice\/refused_\w+\/ failed: /);
      const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
      expect(done.state).toBe('FAILED');
      expect(done.errorMessage).toMatch(new RegExp(`^could not take in the outputs: object store GET runs/alice/${jobId}/manifest.json failed: `));
    } finally {
      await t.close();
      t = await start();
    }
  }, 120_000);

  test('a pod that uploads nothing fails the job with the reason, and registers nothing', async () => {
    const jobId = id('silent');
    const res = await t.call('POST', '/api/v1/jobs', { jobId, labels: { 'laketahoe.test/run-seconds': '1' }, trainingInput: { notebook: { path: 'project/train.ipynb' } } });
    expect(res.status).toBe(201);
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 60_000);
    expect(done.state).toBe('FAILED');
    expect(done.errorMessage).toBe('could not take in the outputs: the run uploaded no outputs (manifest.json is missing)');
    expect((await t.call('GET', `/api/v1/jobs/${jobId}/outputs/output.ipynb`)).status).toBe(404);
  }, 90_000);

  test('a folder over the limit is a 413 naming includeFolder, and nothing is left in the store', async () => {
    const jobId = id('big');
    const res = await t.call('POST', '/api/v1/jobs', { jobId, trainingInput: { notebook: { path: 'big/train.ipynb', includeFolder: true } } });
    expect(res.status).toBe(413);
    expect(res.body.error.field).toBe('trainingInput.notebook.includeFolder');
    expect(await store.list(runPrefix('alice', jobId))).toEqual([]);
  });
});
