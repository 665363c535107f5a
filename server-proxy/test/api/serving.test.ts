import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive, processStartTime, unixSocketListener } from '../../src/process/procinfo.js';
import type { DeploymentMonitor, InferenceSample, MonitoredDeployment } from '../../src/monitoring/recorder.js';
import { openStores } from '../../src/store/open.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { MLSERVER, PROXY_DIR, PYTHON, startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { databaseFor } from '../helpers/stores.js';
import { openSse, type SseClient } from '../helpers/sse.js';

// Real model servers (MLServer from .venv-serving) serving real scikit-learn models trained here.

/** A monitor that keeps what it is given. */
class RecordingMonitor implements DeploymentMonitor {
  samples: InferenceSample[] = [];
  attached: MonitoredDeployment[] = [];
  detached: string[] = [];
  record(sample: InferenceSample): void {
    this.samples.push(sample);
  }
  attach(d: MonitoredDeployment): void {
    this.attached.push(d);
  }
  detach(owner: string, deployment: string): void {
    this.detached.push(`${owner}/${deployment}`);
  }
}

const MAX_INFER_BYTES = 64 * 1024;
/** Two iris flowers: a setosa and a virginica. */
const IRIS_ROWS = [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3];
const inferBody = (data: unknown[] = IRIS_ROWS, shape = [2, 4]) => ({ inputs: [{ name: 'input-0', datatype: 'FP64', shape, data }] });

let root: string;
let t: TestService;
let monitor: RecordingMonitor;
let events: SseClient;
let bobEvents: SseClient;

const infer = (deployment: string, body: unknown = inferBody(), token?: string | null) =>
  t.call('POST', `/api/v1/deployments/${deployment}/v2/models/iris/infer`, body, token);

async function waitDeployment(name: string, ok: (d: any) => boolean, what: string, timeoutMs = 90_000): Promise<any> {
  return waitFor(
    async () => {
      const r = await t.call('GET', `/api/v1/deployments/${name}`);
      return r.status === 200 && ok(r.body) ? r.body : undefined;
    },
    timeoutMs,
    what
  );
}

async function serverPids(name: string): Promise<number[]> {
  const record = await t.service.store.getDeployment('alice', name);
  return (record?.runtime.servers ?? []).map(s => s.pid!);
}

function start(overrides = {}): Promise<TestService> {
  return startService(root, { maxInferBytes: MAX_INFER_BYTES, livenessMs: 500, ...overrides }, { monitor });
}

beforeAll(async () => {
  if (!fs.existsSync(MLSERVER)) {
    throw new Error(`${MLSERVER} is missing: run \`make serving-env\` (part of \`make setup\`) first`);
  }
  root = tempRoot();
  const script = path.join(PROXY_DIR, 'test', 'serving', 'make_models.py');
  execFileSync(PYTHON, [script, path.join(root, 'models')]);
  // Boosters are written by the serving environment's Python, which has xgboost and lightgbm.
  execFileSync(path.join(path.dirname(MLSERVER), 'python'), [script, path.join(root, 'models'), '--boosters']);
  fs.mkdirSync(path.join(root, 'models', 'not-a-model'));
  monitor = new RecordingMonitor();
  t = await start();
  events = await openSse(`${t.url}/api/v1/events`, t.token);
  bobEvents = await openSse(`${t.url}/api/v1/events`, 'bob-token');
});

afterAll(async () => {
  events?.close();
  bobEvents?.close();
  await t?.close();
});

describe('model registry', () => {
  test('a saved model folder registers as numbered versions with its manifest', async () => {
    const r = await t.call('POST', '/api/v1/models', { path: 'models/iris' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: 'iris',
      version: 1,
      framework: 'sklearn',
      task: 'classification',
      artifactDir: 'models/iris',
      hasBaseline: true,
      source: { jobId: null, trialId: null }
    });
    expect(r.body.signature.inputs[0].shape).toEqual([-1, 4]);
    const list = await t.call('GET', '/api/v1/models');
    expect(list.body.models.map((m: any) => [m.name, m.latestVersion])).toEqual([['iris', 1]]);
    const one = await t.call('GET', '/api/v1/models/iris');
    expect(one.body.versions.map((v: any) => v.version)).toEqual([1]);
    expect((await t.call('GET', '/api/v1/models/iris/versions/1')).body.artifactDir).toBe('models/iris');
  });

  test('bad folders are refused naming the field; other users see nothing', async () => {
    const missing = await t.call('POST', '/api/v1/models', { path: 'models/nothing-here' });
    expect(missing.status).toBe(404);
    const noManifest = await t.call('POST', '/api/v1/models', { path: 'models/not-a-model' });
    expect(noManifest.status).toBe(400);
    expect(noManifest.body.error).toMatchObject({ field: 'path', message: expect.stringContaining('laketahoe-model.json') });
    const outside = await t.call('POST', '/api/v1/models', { path: '../..' });
    expect(outside.body.error.field).toBe('path');
    const badName = await t.call('POST', '/api/v1/models', { path: 'models/iris', name: 'Iris_Model' });
    expect(badName.status).toBe(400);
    expect(badName.body.error.field).toBe('name');

    const copy = path.join(root, 'models', 'wrong-framework');
    fs.cpSync(path.join(root, 'models', 'iris'), copy, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'laketahoe-model.json'), 'utf8'));
    fs.writeFileSync(path.join(copy, 'laketahoe-model.json'), JSON.stringify({ ...manifest, framework: 'torch' }));
    const wrong = await t.call('POST', '/api/v1/models', { path: 'models/wrong-framework' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/laketahoe-model.json: framework must be one of sklearn, xgboost, lightgbm/);

    expect((await t.call('GET', '/api/v1/models/iris', undefined, 'bob-token')).status).toBe(404);
    expect((await t.call('GET', '/api/v1/models', undefined, 'bob-token')).body.models).toEqual([]);
  });

  test('links in a model folder may not lead out of it; the service data folder is no model folder', async () => {
    // A file outside the folder (another user's, say) that a link in a saved model folder points at.
    const secret = path.join(tempRoot(), 'secret.txt');
    fs.writeFileSync(secret, 'root:secret-value\n');
    const linked = (name: string, file: string) => {
      const dir = path.join(root, 'models', name);
      fs.cpSync(path.join(root, 'models', 'iris'), dir, { recursive: true });
      fs.rmSync(path.join(dir, file));
      fs.symlinkSync(secret, path.join(dir, file));
      return `models/${name}`;
    };
    for (const [name, file] of [
      ['linked-artifact', 'model.joblib'],
      ['linked-manifest', 'laketahoe-model.json'],
      ['linked-baseline', 'baseline.json']
    ]) {
      const r = await t.call('POST', '/api/v1/models', { path: linked(name, file) });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ field: 'path', message: expect.stringContaining('inside the model folder') });
      expect(r.body.error.message).not.toContain('secret-value');
    }
    // A link inside the folder to a file inside it is fine.
    const inside = path.join(root, 'models', 'linked-inside');
    fs.cpSync(path.join(root, 'models', 'iris'), inside, { recursive: true });
    fs.renameSync(path.join(inside, 'model.joblib'), path.join(inside, 'model.bin'));
    fs.symlinkSync('model.bin', path.join(inside, 'model.joblib'));
    expect((await t.call('POST', '/api/v1/models', { path: 'models/linked-inside', name: 'linked-inside' })).status).toBe(201);
    // A registered folder that is gone since cannot be deployed: the model is to blame, not a path of the request.
    fs.rmSync(inside, { recursive: true });
    const gone = await t.call('POST', '/api/v1/deployments', { name: 'gone', model: { name: 'linked-inside' } });
    expect(gone.status).toBe(400);
    expect(gone.body.error).toMatchObject({ field: 'model', message: expect.stringContaining('models/linked-inside') });
    expect((await t.call('GET', '/api/v1/deployments/gone')).status).toBe(404);

    const data = path.join(root, '.laketahoe', 'models', 'iris');
    fs.cpSync(path.join(root, 'models', 'iris'), data, { recursive: true });
    expect((await t.call('POST', '/api/v1/models', { path: '.laketahoe/models/iris' })).status).toBe(404);
    fs.rmSync(path.join(root, '.laketahoe', 'models'), { recursive: true });
  });

  test('a succeeded job registers the model it saved, with its lineage, once', async () => {
    // The notebook writes a saved model folder and announces it the way laketahoe.save_model does.
    writeNotebook(
      path.join(root, 'train-model.ipynb'),
      [
        [
          'import json, os, shutil, laketahoe',
          'laketahoe.report(step=1, accuracy=0.97)',
          "workdir = os.environ['LAKETAHOE_OUTPUT_DIR']",
          `shutil.copytree(${JSON.stringify(path.join(root, 'models', 'iris'))}, os.path.join(workdir, 'models', 'iris-job'))`,
          "with open(os.environ['LAKETAHOE_EVENTS_FILE'], 'a') as f:",
          "    f.write(json.dumps({'type': 'model', 'name': 'iris-job', 'path': 'models/iris-job'}) + '\\n')"
        ].join('\n')
      ],
      'C = 1.0'
    );
    const submitted = await t.call('POST', '/api/v1/jobs', {
      jobId: 'train_model',
      trainingInput: { notebook: { path: 'train-model.ipynb', parameters: { C: 0.5 } } }
    });
    expect(submitted.status).toBe(201);
    const job = await waitForState(t, 'train_model', ['SUCCEEDED', 'FAILED']);
    expect(job.state).toBe('SUCCEEDED');
    expect(job.trainingOutput.models).toEqual([{ name: 'iris-job', path: 'laketahoe-jobs/train_model/models/iris-job' }]);
    const model = await waitFor(async () => {
      const r = await t.call('GET', '/api/v1/models/iris');
      return r.body.latestVersion === 2 ? r.body : undefined;
    }, 30_000, 'auto-registration');
    expect(model.versions[0]).toMatchObject({
      version: 2,
      artifactDir: 'laketahoe-jobs/train_model/models/iris-job',
      source: { jobId: 'train_model', trialId: null, hyperparameters: { C: 0.5 }, metrics: { accuracy: 0.97 } }
    });
    // Registering by hand again gives the same version, not a third.
    const again = await t.call('POST', '/api/v1/jobs/train_model/models');
    expect(again.status).toBe(201);
    expect(again.body.version).toBe(2);
    expect((await t.call('POST', '/api/v1/jobs/train_model/models', {}, 'bob-token')).status).toBe(404);
    // Nor can another user register the folder the job wrote by its path.
    const byPath = { path: 'laketahoe-jobs/train_model/models/iris-job', name: 'stolen' };
    expect((await t.call('POST', '/api/v1/models', byPath, 'bob-token')).status).toBe(404);
    expect((await t.call('GET', '/api/v1/models/stolen', undefined, 'bob-token')).status).toBe(404);
    expect((await t.call('POST', '/api/v1/jobs/train_model/models', { modelName: 'other' })).body.error.field).toBe('modelName');
  });

  test("an HPO job registers its best trial's model once the experiment ends", async () => {
    writeNotebook(
      path.join(root, 'tune-model.ipynb'),
      [
        [
          'import json, os, shutil, laketahoe',
          "laketahoe.report(step=1, accuracy={'a': 0.8, 'b': 0.95}[variant])",
          "folder = os.path.join(os.path.dirname(os.environ['LAKETAHOE_EVENTS_FILE']), 'models', 'tuned')",
          `shutil.copytree(${JSON.stringify(path.join(root, 'models', 'iris'))}, folder)`,
          "manifest = json.load(open(os.path.join(folder, 'laketahoe-model.json')))",
          "json.dump({**manifest, 'name': 'iris-tuned'}, open(os.path.join(folder, 'laketahoe-model.json'), 'w'))",
          "with open(os.environ['LAKETAHOE_EVENTS_FILE'], 'a') as f:",
          "    f.write(json.dumps({'type': 'model', 'name': 'tuned', 'path': 'models/tuned'}) + '\\n')"
        ].join('\n')
      ],
      "variant = 'a'"
    );
    const submitted = await t.call('POST', '/api/v1/jobs', {
      jobId: 'tune_model',
      trainingInput: {
        notebook: { path: 'tune-model.ipynb' },
        hyperparameters: {
          hyperparameterMetricTag: 'accuracy',
          algorithm: 'GRID_SEARCH',
          maxTrials: 2,
          maxParallelTrials: 2,
          params: [{ parameterName: 'variant', type: 'CATEGORICAL', categoricalValues: ['a', 'b'] }]
        }
      }
    });
    expect(submitted.status).toBe(201);
    const job = await waitForState(t, 'tune_model', ['SUCCEEDED', 'FAILED'], 120_000);
    expect(job.state).toBe('SUCCEEDED');
    const best = job.trainingOutput.bestTrial;
    expect(best.hyperparameters).toEqual({ variant: 'b' });
    const model = await waitFor(async () => {
      const r = await t.call('GET', '/api/v1/models/iris-tuned');
      return r.status === 200 ? r.body : undefined;
    }, 30_000, 'best trial registered');
    expect(model.versions).toHaveLength(1);
    expect(model.versions[0]).toMatchObject({
      artifactDir: `laketahoe-jobs/tune_model/trials/${best.trialId}/models/tuned`,
      source: { jobId: 'tune_model', trialId: best.trialId, hyperparameters: { variant: 'b' }, metrics: { accuracy: 0.95 } }
    });
    // The other trial's model can still be registered by hand.
    const other = best.trialId === '1' ? '2' : '1';
    const byHand = await t.call('POST', '/api/v1/jobs/tune_model/models', { trialId: other });
    expect(byHand.status).toBe(201);
    expect(byHand.body).toMatchObject({ version: 2, source: { trialId: other, hyperparameters: { variant: 'a' } } });
  });
});

describe('deployments', () => {
  test('deploy -> READY -> real predictions, recorded for monitoring; a corrupt model FAILS with the loader error', async () => {
    expect((await t.call('POST', '/api/v1/models', { path: 'models/corrupt' })).status).toBe(201);
    const created = await t.call('POST', '/api/v1/deployments', { name: 'iris-prod', model: { name: 'iris', version: 1 } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      state: 'DEPLOYING',
      model: { name: 'iris', version: 1 },
      endpoint: '/api/v1/deployments/iris-prod/v2/models/iris/infer',
      restarts: 0
    });
    // Both start at once; the broken one must not hold up the good one.
    const broken = await t.call('POST', '/api/v1/deployments', { name: 'broken', model: { name: 'broken' } });
    expect(broken.status).toBe(201);

    const ready = await waitDeployment('iris-prod', d => d.state !== 'DEPLOYING', 'iris-prod READY');
    expect(ready.state).toBe('READY');
    const r = await infer('iris-prod');
    expect(r.status).toBe(200);
    expect(r.body.model_name).toBe('iris');
    expect(r.body.outputs[0].data).toEqual([0, 2]);

    await waitFor(async () => monitor.samples.some(s => s.status === 200), 5000, 'a recorded sample');
    const sample = monitor.samples.find(s => s.status === 200)!;
    expect(sample).toMatchObject({ owner: 'alice', deployment: 'iris-prod', model: 'iris', version: 1 });
    expect(sample.inputs![0].data).toEqual(IRIS_ROWS);
    expect(sample.outputs![0].data).toEqual([0, 2]);
    expect(sample.latencyMs).toBeGreaterThan(0);
    expect(monitor.attached.find(a => a.deployment === 'iris-prod')).toMatchObject({
      version: 1,
      artifactDir: path.join(root, 'models', 'iris'),
      monitoring: { windowSeconds: 300 }
    });

    const failed = await waitDeployment('broken', d => d.state !== 'DEPLOYING', 'broken to fail');
    expect(failed.state).toBe('FAILED');
    expect(failed.errorMessage).toMatch(/exited before it was ready/);
    expect(failed.errorMessage).toMatch(/Error: |pickle|load/);
    expect(failed.errorMessage).toContain('end of server.log');

    const seen = events.events.filter(e => e.event === 'deployment' && e.data.name === 'iris-prod').map(e => e.data.state);
    expect(seen).toEqual(expect.arrayContaining(['DEPLOYING', 'READY']));
    // Another user's stream carries none of it.
    expect(bobEvents.events.filter(e => e.event === 'deployment')).toEqual([]);
  });

  test('metadata and health routes answer from the model server', async () => {
    const meta = await t.call('GET', '/api/v1/deployments/iris-prod/v2/models/iris');
    expect(meta.status).toBe(200);
    expect(meta.body.name).toBe('iris');
    expect((await t.call('GET', '/api/v1/deployments/iris-prod/v2/models/iris/ready')).status).toBe(200);
    expect((await t.call('GET', '/api/v1/deployments/iris-prod/v2/health/live')).status).toBe(200);
    expect((await t.call('GET', '/api/v1/deployments/iris-prod/v2/health/ready')).status).toBe(200);
    expect((await t.call('GET', '/api/v1/deployments/broken/v2/health/ready')).status).toBe(503);
    const list = await t.call('GET', '/api/v1/deployments');
    expect(list.body.deployments.map((d: any) => d.name)).toEqual(['iris-prod', 'broken']);
  });

  test('the model server listens on no TCP port and answers nothing without the secret only the service holds', async () => {
    const record = await t.service.store.getDeployment('alice', 'iris-prod');
    const server = record!.runtime.servers[0];
    expect(server.socket).toMatch(/\.sock$/);
    // The socket's folder is the service account's alone.
    expect(fs.statSync(path.dirname(server.socket)).mode & 0o777).toBe(0o700);
    expect(unixSocketListener(server.socket, server.pid!)).toBe('ours');
    // No TCP listener belongs to the server process (MLServer's own default would be two).
    const fdInodes = new Set(
      fs.readdirSync(`/proc/${server.pid}/fd`).flatMap(fd => {
        try {
          return [/^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${server.pid}/fd/${fd}`))?.[1] ?? ''];
        } catch {
          return [];
        }
      })
    );
    const listening = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap(f =>
      fs.readFileSync(f, 'utf8').split('\n').slice(1).map(l => l.trim().split(/\s+/)).filter(c => c[3] === '0A').map(c => c[9])
    );
    expect(listening.filter(i => fdInodes.has(i))).toEqual([]);
    // A local process that finds the socket gets nothing from it: not inference, not the repository API.
    const direct = (urlPath: string, headers: Record<string, string> = {}, method = 'GET', body?: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ socketPath: server.socket, path: urlPath, method, headers }, res => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(body);
      });
    const json = { 'content-type': 'application/json' };
    expect(await direct('/v2/models/iris/infer', json, 'POST', JSON.stringify(inferBody()))).toBe(403);
    expect(await direct('/v2/repository/index', json, 'POST', '{}')).toBe(403);
    expect(await direct('/v2/repository/models/iris/unload', json, 'POST', '{}')).toBe(403);
    expect(await direct('/v2/health/live', { 'x-laketahoe-server-secret': 'guess' })).toBe(403);
    // Through the service it still answers.
    expect((await infer('iris-prod')).status).toBe(200);
  });

  test('a Unix socket held by another process is never taken for the model server', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-sock-'));
    const sock = path.join(dir, 's.sock');
    expect(unixSocketListener(sock, process.pid)).toBe('none');
    const impostor = spawn(PYTHON, ['-c', `import socket,time\ns=socket.socket(socket.AF_UNIX)\ns.bind(${JSON.stringify(sock)})\ns.listen()\nprint('up',flush=True)\ntime.sleep(60)`], {
      stdio: ['ignore', 'pipe', 'inherit']
    });
    try {
      await new Promise(resolve => impostor.stdout!.once('data', resolve));
      expect(unixSocketListener(sock, process.pid)).toBe('other');
      expect(unixSocketListener(sock, impostor.pid!)).toBe('ours');
    } finally {
      impostor.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a monitoring change is stored and handed to the monitor without touching the server', async () => {
    const [pid] = await serverPids('iris-prod');
    const monitoring = { windowSeconds: 60, alerts: [{ name: 'slow', metric: 'latencyP99Ms', threshold: 100 }] };
    const r = await t.call('PATCH', '/api/v1/deployments/iris-prod', { monitoring });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'READY', monitoring });
    expect(monitor.attached.at(-1)).toMatchObject({ deployment: 'iris-prod', version: 1, monitoring });
    expect(await serverPids('iris-prod')).toEqual([pid]);
    const unknown = await t.call('PATCH', '/api/v1/deployments/iris-prod', { replicas: 2 });
    expect(unknown.body.error.field).toBe('replicas');
  });

  test('bad requests: malformed payloads, too large, unknown deployment or model, another user, bad specs', async () => {
    const shape = await infer('iris-prod', inferBody([5.1, 3.5]));
    expect(shape.status).toBe(400);
    expect(shape.body.error.message).toMatch(/shape \[2, 4\] needs 8 values, data has 2/);
    // Strings in an FP64 tensor are the caller's mistake (400), named, not a model server failure (502).
    const strings = await infer('iris-prod', inferBody(['SECRET-A', 3.5, 1.4, 0.2, 4.9, 3.0, 1.4, 0.2]));
    expect(strings.status).toBe(400);
    expect(strings.body.error.message).toMatch(/inputs\[0\] \(input-0\): data\[0\] is "SECRET-A", not a number as FP64 needs/);
    // A later failing request quotes only its own answer, never an exception another request left in the server's log.
    const narrow = await infer('iris-prod', inferBody([5.1, 3.5, 1.4], [1, 3]));
    expect(narrow.status).toBeGreaterThanOrEqual(400);
    expect(narrow.body.error.message).not.toContain('SECRET-A');
    expect(narrow.body.error.message).not.toContain('could not convert string');
    const noInputs = await infer('iris-prod', { inputz: [] });
    expect(noInputs.status).toBe(400);
    expect(noInputs.body.error.message).toMatch(/model server rejected the request: inputs: Field required/);

    const big = await infer('iris-prod', inferBody(new Array(20_000).fill(1.5), [5000, 4]));
    expect(big.status).toBe(413);
    expect(big.body.error.message).toContain(`${MAX_INFER_BYTES} bytes`);

    expect((await infer('nope')).status).toBe(404);
    const otherModel = await t.call('POST', '/api/v1/deployments/iris-prod/v2/models/other/infer', inferBody());
    expect(otherModel.status).toBe(404);
    expect(otherModel.body.error.message).toMatch(/serves model iris/);
    expect((await infer('iris-prod', inferBody(), 'bob-token')).status).toBe(404);
    // Nothing but the deployment's own model route is reached, however the model segment is spelled.
    for (const model of ['..%2F..%2Fv2%2Fhealth%2Flive', 'iris%2F..%2F..%2Frepository%2Findex', '..', 'iris%3Fx%3D1']) {
      const smuggled = await t.call('POST', `/api/v1/deployments/iris-prod/v2/models/${model}/infer`, inferBody());
      expect([smuggled.status, smuggled.body.error?.code]).toEqual([404, 'not_found']);
    }
    // Another user's job is no source of a deployment.
    const fromOthersJob = await t.call('POST', '/api/v1/deployments', { name: 'stolen', source: { jobId: 'train_model' } }, 'bob-token');
    expect(fromOthersJob.status).toBe(404);
    expect((await t.call('GET', '/api/v1/deployments/iris-prod', undefined, 'bob-token')).status).toBe(404);
    expect((await t.call('DELETE', '/api/v1/deployments/iris-prod', undefined, 'bob-token')).status).toBe(404);
    expect((await infer('iris-prod', inferBody(), null)).status).toBe(401);

    const dup = await t.call('POST', '/api/v1/deployments', { name: 'iris-prod', model: { name: 'iris' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.field).toBe('name');
    const badName = await t.call('POST', '/api/v1/deployments', { name: 'Iris_Prod', model: { name: 'iris' } });
    expect(badName.status).toBe(400);
    expect(badName.body.error.field).toBe('name');
    expect((await t.call('POST', '/api/v1/deployments', { name: 'x', model: { name: 'iris', version: 9 } })).status).toBe(404);
    expect((await t.call('POST', '/api/v1/deployments', { name: 'x', model: { name: 'iris' }, source: { jobId: 'train_model' } })).status).toBe(400);
    const badMonitoring = await t.call('POST', '/api/v1/deployments', { name: 'x', model: { name: 'iris' }, monitoring: { windowSeconds: 1 } });
    expect(badMonitoring.body.error.field).toBe('monitoring.windowSeconds');

    // Rejected requests are recorded too (errors count for monitoring).
    await waitFor(async () => monitor.samples.some(s => s.status === 400), 5000, 'a recorded 400');
  });

  test('a model server killed with SIGKILL is restarted and counted; requests in the gap are recorded errors', async () => {
    const [pid] = await serverPids('iris-prod');
    const errorsBefore = monitor.samples.filter(s => s.deployment === 'iris-prod' && s.status === 503).length;
    process.kill(pid, 'SIGKILL');
    const statuses: number[] = [];
    const back = await waitFor(
      async () => {
        statuses.push((await infer('iris-prod')).status);
        const d = (await t.call('GET', '/api/v1/deployments/iris-prod')).body;
        return d.state === 'READY' && d.restarts === 1 ? d : undefined;
      },
      90_000,
      'iris-prod restarted'
    );
    expect(back.stateHistory.map((h: any) => h.state).slice(-2)).toEqual(['DEPLOYING', 'READY']);
    expect(back.stateHistory.at(-2).reason).toMatch(/exited \(SIGKILL\); restarting in 1 s/);
    expect(statuses).toContain(503);
    const r = await infer('iris-prod');
    expect(r.body.outputs[0].data).toEqual([0, 2]);
    expect(isProcessAlive(pid)).toBe(false);
    const [newPid] = await serverPids('iris-prod');
    expect(newPid).not.toBe(pid);
    await waitFor(
      async () => monitor.samples.filter(s => s.deployment === 'iris-prod' && s.status === 503).length > errorsBefore,
      5000,
      'recorded 503s'
    );
  });

  test('a version switch under continuous requests loses none; the old server stops', async () => {
    const v3 = await t.call('POST', '/api/v1/models', { path: 'models/iris-b' });
    expect(v3.body.version).toBe(3);
    const [oldPid] = await serverPids('iris-prod');
    const answers: { status: number; version?: string }[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const r = await infer('iris-prod');
        answers.push({ status: r.status, version: r.body?.model_version });
      }
    };
    const workers = [worker(), worker(), worker()];
    const patched = await t.call('PATCH', '/api/v1/deployments/iris-prod', { model: { name: 'iris', version: 3 } });
    expect(patched.status).toBe(200);
    expect(patched.body.state).toBe('UPDATING');
    expect(patched.body.nextModel).toEqual({ name: 'iris', version: 3 });
    const switched = await waitDeployment('iris-prod', d => d.state === 'READY' && d.model.version === 3, 'switch to version 3');
    expect(switched.nextModel).toBeUndefined();
    await waitFor(async () => answers.filter(a => a.version === '3').length >= 20, 30_000, 'answers from version 3');
    running = false;
    await Promise.all(workers);
    expect(answers.filter(a => a.status !== 200)).toEqual([]);
    expect(answers.some(a => a.version === '1')).toBe(true);
    await waitFor(async () => !isProcessAlive(oldPid), 40_000, 'old server stopped');
    await waitFor(async () => (await serverPids('iris-prod')).length === 1, 5000, 'old server forgotten');
    expect(monitor.attached.at(-1)).toMatchObject({ deployment: 'iris-prod', version: 3 });
  });

  test('a version switch asked for while a crashed server waits to restart is the one that happens', async () => {
    const [pid] = await serverPids('iris-prod');
    process.kill(pid, 'SIGKILL');
    await waitDeployment('iris-prod', d => d.state === 'DEPLOYING', 'restart scheduled', 10_000);
    const patched = await t.call('PATCH', '/api/v1/deployments/iris-prod', { model: { name: 'iris', version: 1 } });
    expect(patched.body).toMatchObject({ state: 'UPDATING', nextModel: { version: 1 } });
    const settled = await waitDeployment('iris-prod', d => d.state === 'READY' && !d.nextModel, 'switched', 60_000);
    expect(settled.model.version).toBe(1);
    expect((await infer('iris-prod')).body.model_version).toBe('1');
    expect((await serverPids('iris-prod')).length).toBe(1);
  });

  test('a service restart starts READY deployments again and kills model servers left behind', async () => {
    await t.close();
    // A leftover process recorded as a model server of the previous service process.
    const orphan = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    orphan.unref();
    const { store } = await openStores({ dataDir: path.join(root, '.laketahoe'), ...(await databaseFor(root)) });
    const record = (await store.getDeployment('alice', 'iris-prod'))!;
    record.runtime.servers.push({ version: 3, dir: root, socket: '/nonexistent.sock', pid: orphan.pid, pidStartTime: processStartTime(orphan.pid!) });
    await store.saveDeployment(record);
    await store.close();
    // One the previous process had started but died before recording: only its folder knows it.
    const unrecorded = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    unrecorded.unref();
    const folder = path.join(root, '.laketahoe', 'deployments', 'alice', 'iris-prod', '99');
    fs.mkdirSync(folder, { recursive: true });
    const runtime = { version: 99, dir: folder, socket: '/nonexistent.sock', pid: unrecorded.pid, pidStartTime: processStartTime(unrecorded.pid!) };
    fs.writeFileSync(path.join(folder, 'server.json'), JSON.stringify(runtime));

    // From here on a crashed server restarts at once, well before a new one can be ready.
    t = await start({ restartDelayMs: 100 });
    await waitFor(async () => !isProcessAlive(orphan.pid!), 10_000, 'orphan killed');
    await waitFor(async () => !isProcessAlive(unrecorded.pid!), 10_000, 'unrecorded orphan killed');
    const back = await waitDeployment('iris-prod', d => d.state === 'READY', 'iris-prod back');
    expect(back.model.version).toBe(1);
    expect(back.stateHistory.at(-1).reason).toMatch(/service restart/);
    expect((await infer('iris-prod')).body.model_version).toBe('1');
    expect((await t.call('GET', '/api/v1/deployments/broken')).body.state).toBe('FAILED');
    // Still there for inference too: no ready server (503), not an unknown deployment (404).
    expect((await t.call('GET', '/api/v1/deployments/broken/v2/health/ready')).status).toBe(503);
  });

  test('the old server dying during a version switch does not undo the switch', async () => {
    const [pid] = await serverPids('iris-prod');
    const patched = await t.call('PATCH', '/api/v1/deployments/iris-prod', { model: { name: 'iris', version: 3 } });
    expect(patched.body.state).toBe('UPDATING');
    process.kill(pid, 'SIGKILL');
    const settled = await waitDeployment('iris-prod', d => d.state === 'READY' && !d.nextModel, 'switched', 60_000);
    expect(settled.model.version).toBe(3);
    expect((await infer('iris-prod')).body.model_version).toBe('3');
    expect((await serverPids('iris-prod')).length).toBe(1);
    // The new server, once serving, is restarted like any other when it dies (the restart delay is 100 ms now).
    const [newPid] = await serverPids('iris-prod');
    process.kill(newPid, 'SIGKILL');
    const back = await waitDeployment('iris-prod', d => d.state === 'READY' && d.restarts === settled.restarts + 1, 'restarted', 60_000);
    expect(back.model.version).toBe(3);
  });

  test('a switch that fails after the old server died brings the old version back', async () => {
    const [pid] = await serverPids('iris-prod');
    const patched = await t.call('PATCH', '/api/v1/deployments/iris-prod', { model: { name: 'broken', version: 1 } });
    expect(patched.body.state).toBe('UPDATING');
    process.kill(pid, 'SIGKILL');
    const back = await waitDeployment('iris-prod', d => d.state === 'READY' && !d.nextModel, 'old version back', 60_000);
    expect(back.model).toEqual({ name: 'iris', version: 3 });
    expect(back.stateHistory.map((h: any) => h.reason)).toContain('version 1 did not start; restarting version 3');
    expect((await infer('iris-prod')).body.model_version).toBe('3');
  });

  test('XGBoost and LightGBM models are served by their own runtimes', async () => {
    for (const name of ['iris-xgb', 'iris-lgb']) {
      const registered = await t.call('POST', '/api/v1/models', { path: `models/${name}` });
      expect(registered.status).toBe(201);
      expect((await t.call('POST', '/api/v1/deployments', { name, model: { name } })).status).toBe(201);
    }
    for (const name of ['iris-xgb', 'iris-lgb']) {
      const d = await waitDeployment(name, x => x.state !== 'DEPLOYING', `${name} ready`);
      expect([d.state, d.errorMessage]).toEqual(['READY', '']);
    }
    const xgb = await t.call('POST', '/api/v1/deployments/iris-xgb/v2/models/iris-xgb/infer', inferBody());
    expect(xgb.status).toBe(200);
    expect(xgb.body.outputs[0].data).toEqual([0, 2]);
    const lgb = await t.call('POST', '/api/v1/deployments/iris-lgb/v2/models/iris-lgb/infer', inferBody());
    expect(lgb.status).toBe(200);
    // A LightGBM booster answers class probabilities: one row of three per flower.
    expect(lgb.body.outputs[0].shape).toEqual([2, 3]);
    const p = lgb.body.outputs[0].data as number[];
    expect([p.slice(0, 3).indexOf(Math.max(...p.slice(0, 3))), p.slice(3).indexOf(Math.max(...p.slice(3)))]).toEqual([0, 2]);
    for (const name of ['iris-xgb', 'iris-lgb']) {
      expect((await t.call('DELETE', `/api/v1/deployments/${name}`)).status).toBe(200);
    }
  });

  test('drift through the proxy: columns by name in any order, text categories, one-row requests, label predictions', async () => {
    expect((await t.call('POST', '/api/v1/models', { path: 'models/shop' })).status).toBe(201);
    expect((await t.call('POST', '/api/v1/deployments', { name: 'shop', model: { name: 'shop' } })).status).toBe(201);
    await waitDeployment('shop', d => d.state === 'READY', 'shop READY');
    const colors = ['red', 'green', 'blue'];
    // Columns in another order than the signature's (price, weight, color); price far above its training range.
    const request = (rows: number, offset: number) => ({
      parameters: { content_type: 'pd' },
      inputs: [
        { name: 'color', datatype: 'BYTES', shape: [rows], data: Array.from({ length: rows }, (_, i) => colors[(offset + i) % 3]), parameters: { content_type: 'str' } },
        { name: 'weight', datatype: 'FP64', shape: [rows], data: Array.from({ length: rows }, (_, i) => 100 + ((offset + i) * 37) % 100) },
        { name: 'price', datatype: 'FP64', shape: [rows], data: Array.from({ length: rows }, (_, i) => 20 + ((offset + i) % 10)) }
      ]
    });
    const statuses: number[] = [];
    for (let k = 0; k < 10; k++) {
      statuses.push((await t.call('POST', '/api/v1/deployments/shop/v2/models/shop/infer', request(9, k * 9))).status);
    }
    for (let k = 0; k < 6; k++) {
      statuses.push((await t.call('POST', '/api/v1/deployments/shop/v2/models/shop/infer', request(1, k))).status);
    }
    expect(statuses.every(s => s === 200)).toBe(true);
    const drift = await waitFor(
      async () => {
        const r = await t.call('GET', '/api/v1/deployments/shop/monitoring');
        return r.body.drift?.rows === 96 ? r.body.drift : undefined;
      },
      10_000,
      'drift over 96 rows'
    );
    const byName = Object.fromEntries(drift.features.map((f: any) => [f.name, f]));
    expect(byName.price).toMatchObject({ kind: 'numeric', drifted: true, rows: 96 });
    expect(byName.weight).toMatchObject({ kind: 'numeric', drifted: false, rows: 96 });
    expect(byName.color).toMatchObject({ kind: 'categorical', drifted: false, live: { categories: { red: 32, green: 32, blue: 32 } } });
    expect(drift.feature).toBe('price');
    // The classifier answers labels: its predictions are categories, like the baseline's.
    expect(drift.prediction.kind).toBe('categorical');
    expect(Object.keys(drift.prediction.live.categories).every(label => ['0', '1'].includes(label))).toBe(true);
    expect((await t.call('DELETE', '/api/v1/deployments/shop')).status).toBe(200);
  });

  test('undeploy stops the model server and forgets the deployment', async () => {
    const [pid] = await serverPids('iris-prod');
    const r = await t.call('DELETE', '/api/v1/deployments/iris-prod');
    expect(r.status).toBe(200);
    expect(r.body.state).toBe('DELETING');
    expect(isProcessAlive(pid)).toBe(false);
    expect((await t.call('GET', '/api/v1/deployments/iris-prod')).status).toBe(404);
    expect((await infer('iris-prod')).status).toBe(404);
    expect(monitor.detached).toContain('alice/iris-prod');
    expect(fs.existsSync(path.join(root, '.laketahoe', 'deployments', 'alice', 'iris-prod'))).toBe(false);
  });

  test('a deployment from a job registers its model; deleting it while DEPLOYING stops the starting server', async () => {
    const created = await t.call('POST', '/api/v1/deployments', { name: 'from-job', source: { jobId: 'train_model' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: 'DEPLOYING', model: { name: 'iris', version: 2 } });
    const pids = (await waitFor(async () => {
      const p = await serverPids('from-job');
      return p.length ? p : undefined;
    }, 10_000, 'a starting server'))!;
    const r = await t.call('DELETE', '/api/v1/deployments/from-job');
    expect(r.status).toBe(200);
    await waitFor(async () => !isProcessAlive(pids[0]), 10_000, 'starting server stopped');
    expect((await t.call('GET', '/api/v1/deployments')).body.deployments.map((d: any) => d.name)).toEqual(['broken']);
  });
});

describe('deploy timeout', () => {
  test('a model server not ready within --deploy-timeout turns the deployment FAILED and is stopped', async () => {
    // Its own root and service: a model server that starts and never answers ready.
    const own = tempRoot();
    fs.cpSync(path.join(root, 'models', 'iris'), path.join(own, 'models', 'iris'), { recursive: true });
    const pidFile = path.join(own, 'fake-mlserver.pid');
    // The service runs its launcher with the interpreter of the mlserver script: here one that never serves.
    const interpreter = path.join(own, 'fake-python');
    fs.writeFileSync(interpreter, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 300\n`, { mode: 0o755 });
    const fake = path.join(own, 'fake-mlserver');
    fs.writeFileSync(fake, `#!${interpreter}\n`, { mode: 0o755 });
    const slow = await startService(own, { mlserver: fake, deployTimeoutMs: 2000, livenessMs: 500 }, { monitor: new RecordingMonitor() });
    try {
      expect((await slow.call('POST', '/api/v1/models', { path: 'models/iris' })).status).toBe(201);
      const created = await slow.call('POST', '/api/v1/deployments', { name: 'never-ready', model: { name: 'iris' } });
      expect(created.status).toBe(201);
      expect(created.body.state).toBe('DEPLOYING');
      const failed = await waitFor(
        async () => {
          const d = (await slow.call('GET', '/api/v1/deployments/never-ready')).body;
          return d.state === 'FAILED' ? d : undefined;
        },
        30_000,
        'never-ready FAILED'
      );
      expect(failed.errorMessage).toMatch(/^the model server was not ready within 2 s/);
      expect(failed.stateHistory.map((h: any) => h.state)).toEqual(['DEPLOYING', 'FAILED']);
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      await waitFor(async () => !isProcessAlive(pid), 10_000, 'the unready server stopped');
      // Nothing serves it: inference answers 503, not a hang.
      expect((await slow.call('POST', '/api/v1/deployments/never-ready/v2/models/iris/infer', inferBody())).status).toBe(503);
    } finally {
      await slow.close();
    }
  });
});
