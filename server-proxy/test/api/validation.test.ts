import fs from 'node:fs';
import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, type TestService } from '../helpers/service.js';

let t: TestService;

beforeAll(async () => {
  const root = tempRoot();
  writeNotebook(path.join(root, 'nb', 'ok.ipynb'), ['print(1)']);
  fs.writeFileSync(path.join(root, 'nb', 'bad.ipynb'), '{"cells": [');
  fs.writeFileSync(path.join(root, 'nb', 'big.ipynb'), JSON.stringify({ cells: [], pad: 'x'.repeat(3000) }));
  const outside = tempRoot();
  writeNotebook(path.join(outside, 'secret.ipynb'), ['print(1)']);
  fs.symlinkSync(outside, path.join(root, 'escape'));
  // A python that does not exist: accepted jobs fail to start, which these tests do not look at.
  t = await startService(root, { python: path.join(root, 'no-python'), maxNotebookBytes: 2000 });
});

afterAll(async () => {
  await t.close();
});

const submit = (trainingInput: unknown, extra: Record<string, unknown> = {}, token?: string | null) =>
  t.call('POST', '/api/v1/jobs', { trainingInput, ...extra }, token);

describe('authentication', () => {
  test.each([
    ['GET', '/api/v1/jobs'],
    ['GET', '/api/v1/info'],
    ['GET', '/api/v1/openapi.json'],
    ['GET', '/api/v1/events'],
    ['GET', '/api/v1/nope']
  ])('%s %s needs a token', async (method, p) => {
    const none = await t.call(method, p, undefined, null);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthenticated');
    const wrong = await t.call(method, p, undefined, 'wrong');
    expect(wrong.status).toBe(401);
  });

  test('info answers with the user and capacity', async () => {
    const r = await t.call('GET', '/api/v1/info');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user: 'alice', backend: 'local', capacity: { cpus: 2, gpus: [] }, supportsDistributed: false });
    expect(r.body.scaleTiers.BASIC).toEqual({ cpu: 1, memoryBytes: 2 * 1024 ** 3, gpu: 0 });
  });

  test('the OpenAPI document is served', async () => {
    const r = await t.call('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.0.3');
  });
});

describe('bad input', () => {
  test('invalid enum names the field path', async () => {
    const r = await submit({ scaleTier: 'HUGE', notebook: { path: 'nb/ok.ipynb' } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_argument', field: 'trainingInput.scaleTier' });
  });

  test('missing required field and unknown field are named', async () => {
    const missing = await submit({ notebook: {} });
    expect(missing.body.error.field).toBe('trainingInput.notebook.path');
    const unknown = await submit({ notebook: { path: 'nb/ok.ipynb' }, bogus: 1 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('trainingInput.bogus');
    const noInput = await t.call('POST', '/api/v1/jobs', {});
    expect(noInput.body.error.field).toBe('trainingInput');
  });

  test('bad job id and bad duration are named', async () => {
    const id = await submit({ notebook: { path: 'nb/ok.ipynb' } }, { jobId: '1bad-id' });
    expect(id.body.error.field).toBe('jobId');
    const dur = await submit({ notebook: { path: 'nb/ok.ipynb' }, scheduling: { maxRunningTime: '1h' } });
    expect(dur.body.error.field).toBe('trainingInput.scheduling.maxRunningTime');
  });

  test('malformed request JSON is a 400', async () => {
    const res = await fetch(`${t.url}/api/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: '{"trainingInput":'
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('invalid_argument');
  });

  test('a body-less POST that still says application/json is accepted', async () => {
    // Jupyter's ServerConnection sets the JSON content type on every request, cancel included.
    expect((await submit({ notebook: { path: 'nb/ok.ipynb' } }, { jobId: 'cancel_no_body' })).status).toBe(201);
    const res = await fetch(`${t.url}/api/v1/jobs/cancel_no_body/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' }
    });
    const body = (await res.json()) as any;
    expect([200, 400]).toContain(res.status);
    // Either it was cancelled, or it had already failed (the interpreter here does not exist);
    // never the empty-body parse error.
    if (res.status === 400) {
      expect(body.error.code).toBe('failed_precondition');
    } else {
      expect(['CANCELLED', 'CANCELLING']).toContain(body.state);
    }
  });

  test('unknown job is 404 and another user cannot see a job', async () => {
    expect((await t.call('GET', '/api/v1/jobs/nosuchjob')).status).toBe(404);
    const r = await submit({ notebook: { path: 'nb/ok.ipynb' } }, { jobId: 'alices_job' });
    expect(r.status).toBe(201);
    const asBob = await t.call('GET', '/api/v1/jobs/alices_job', undefined, 'bob-token');
    expect(asBob.status).toBe(404);
    expect((await t.call('POST', '/api/v1/jobs/alices_job/cancel', undefined, 'bob-token')).status).toBe(404);
    expect((await t.call('GET', '/api/v1/jobs/alices_job/logs', undefined, 'bob-token')).status).toBe(404);
    const bobList = await t.call('GET', '/api/v1/jobs', undefined, 'bob-token');
    expect(bobList.body.jobs).toEqual([]);
  });

  test('duplicate job id is 409 and leaves the first job alone', async () => {
    expect((await submit({ notebook: { path: 'nb/ok.ipynb' } }, { jobId: 'dup_job' })).status).toBe(201);
    const again = await submit({ notebook: { path: 'nb/ok.ipynb' } }, { jobId: 'dup_job' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_exists');
    expect(fs.existsSync(path.join(t.root, 'laketahoe-jobs', 'dup_job', 'snapshot', 'ok.ipynb'))).toBe(true);
  });

  test('missing notebook is 404, oversized 413, malformed 400', async () => {
    const missing = await submit({ notebook: { path: 'nb/missing.ipynb' } });
    expect(missing.status).toBe(404);
    expect(missing.body.error.field).toBe('trainingInput.notebook.path');
    const big = await submit({ notebook: { path: 'nb/big.ipynb' } });
    expect(big.status).toBe(413);
    const bad = await submit({ notebook: { path: 'nb/bad.ipynb' } }, { jobId: 'bad_nb' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/not valid JSON/);
    // A rejected submission leaves no job and no working directory behind.
    expect(fs.existsSync(path.join(t.root, 'laketahoe-jobs', 'bad_nb'))).toBe(false);
    expect((await t.call('GET', '/api/v1/jobs/bad_nb')).status).toBe(404);
  });

  test.each([
    [{ notebook: { path: '../x.ipynb' } }, 'trainingInput.notebook.path'],
    [{ notebook: { path: '/etc/passwd.ipynb' } }, 'trainingInput.notebook.path'],
    [{ notebook: { path: 'escape/secret.ipynb' } }, 'trainingInput.notebook.path'],
    [{ pythonModule: 'a.b', packageUris: ['../pkg.tar.gz'] }, 'trainingInput.packageUris.0'],
    [{ pythonModule: 'a.b', packageUris: ['/tmp/pkg.tar.gz'] }, 'trainingInput.packageUris.0'],
    [{ notebook: { path: 'nb/ok.ipynb' }, jobDir: '../../out' }, 'trainingInput.jobDir']
  ])('path traversal %j is 400 naming %s', async (input, field) => {
    const r = await submit(input);
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe(field);
  });

  test('output names cannot traverse', async () => {
    const r = await t.call('GET', '/api/v1/jobs/alices_job/outputs/..%2F..%2Fetc%2Fpasswd');
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('name');
  });

  test('remote package URIs are not supported locally', async () => {
    const r = await submit({ args: ['--module-name', 'trainer.task', '--packages', 'hdfs://path/to/p.tar.gz'] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/hdfs:\/\/ URIs are not supported by the local backend/);
    expect(r.body.error.field).toBe('trainingInput.args.3');
  });

  test('pod settings are refused on the local backend, naming the field', async () => {
    const r = await submit({ notebook: { path: 'nb/ok.ipynb' }, podTemplate: { hostNetwork: true } });
    expect(r.status).toBe(400);
    expect(r.body.error.field).toBe('trainingInput.podTemplate');
    expect(r.body.error.message).toMatch(/only to the kubernetes backend/);
    const shape = await submit({ notebook: { path: 'nb/ok.ipynb' }, podTemplate: { volumes: [{ name: 'h', hostPath: { path: '/' } }] } });
    expect(shape.status).toBe(400);
    expect(shape.body.error.field).toMatch(/^trainingInput\.podTemplate\.volumes/);
  });

  test('too large a resource request names the capacity', async () => {
    const gpu = await submit({ scaleTier: 'BASIC_GPU', notebook: { path: 'nb/ok.ipynb' } });
    expect(gpu.status).toBe(400);
    expect(gpu.body.error.message).toContain('requests 1 GPU but this machine has 0 GPUs');
    const cpu = await submit({ scaleTier: 'CUSTOM', masterConfig: { resources: { cpu: 16 } }, notebook: { path: 'nb/ok.ipynb' } });
    expect(cpu.body.error.message).toContain('this machine has 2 CPUs');
    const dist = await submit({ scaleTier: 'STANDARD_1', notebook: { path: 'nb/ok.ipynb' } });
    expect(dist.body.error.message).toMatch(/Kubernetes backend/);
  });

  test.each([['x = 1; import os'], ['not-an-identifier'], ['class'], ['1x'], ['']])(
    'notebook parameter name %j is a 400 naming it',
    async name => {
      const r = await submit({ notebook: { path: 'nb/ok.ipynb', parameters: { ok: 1, [name]: 1 } } });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe(`trainingInput.notebook.parameters.${name}`);
      expect(r.body.error.message).toMatch(/must be a Python identifier/);
    }
  );

  test('an HPO job checks its fixed notebook parameters and its parameterName', async () => {
    const spec = (name: string) => ({
      hyperparameterMetricTag: 'loss',
      maxTrials: 1,
      params: [{ parameterName: name, type: 'DOUBLE', minValue: 0, maxValue: 1 }]
    });
    const fixed = await submit({ notebook: { path: 'nb/ok.ipynb', parameters: { 'a;b': 1 } }, hyperparameters: spec('x') });
    expect(fixed.status).toBe(400);
    expect(fixed.body.error.field).toBe('trainingInput.notebook.parameters.a;b');
    const searched = await submit({ notebook: { path: 'nb/ok.ipynb' }, hyperparameters: spec('x = 1\nimport os') });
    expect(searched.status).toBe(400);
    expect(searched.body.error.field).toBe('trainingInput.hyperparameters.params[0].parameterName');
  });

  test('an unknown machine type under CUSTOM is a 400 listing the known ones', async () => {
    for (const field of ['masterType', 'workerType', 'parameterServerType']) {
      const r = await submit({ scaleTier: 'CUSTOM', [field]: 'n1-gpu-9999', notebook: { path: 'nb/ok.ipynb' } });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe(`trainingInput.${field}`);
      expect(r.body.error.message).toContain("unknown machine type 'n1-gpu-9999'");
      expect(r.body.error.message).toMatch(/known: standard, .*n1-standard-N/);
    }
    // A known type's shape is the master's request: `standard` is 4 CPUs, more than this machine has.
    const big = await submit({ scaleTier: 'CUSTOM', masterType: 'standard', notebook: { path: 'nb/ok.ipynb' } });
    expect(big.status).toBe(400);
    expect(big.body.error).toMatchObject({ field: 'trainingInput.masterType' });
    expect(big.body.error.message).toContain('requests 4 CPUs but this machine has 2 CPUs');
    const fits = await submit({ scaleTier: 'CUSTOM', masterType: 'n1-highcpu-2', notebook: { path: 'nb/ok.ipynb' } });
    expect(fits.status).toBe(201);
  });

  test('cancelling an ended job is failed_precondition', async () => {
    const r = await submit({ notebook: { path: 'nb/ok.ipynb' } }, { jobId: 'ends_fast' });
    expect(r.status).toBe(201);
    // The interpreter does not exist, so the job fails right after it is scheduled.
    let state = r.body.state;
    for (let i = 0; i < 100 && state !== 'FAILED'; i++) {
      await new Promise(res => setTimeout(res, 100));
      state = (await t.call('GET', '/api/v1/jobs/ends_fast')).body.state;
    }
    expect(state).toBe('FAILED');
    const c = await t.call('POST', '/api/v1/jobs/ends_fast/cancel');
    expect(c.status).toBe(400);
    expect(c.body.error.code).toBe('failed_precondition');
  });
});

describe('deployment backends', () => {
  test.each([
    [{ backend: 'kubernetes' }, 'backend', /Kubernetes serving backend is not configured/],
    [{ replicas: 2 }, 'replicas', /local backend runs exactly one model server/],
    [{ resources: { cpu: 1 } }, 'resources', /Kubernetes backend only/],
    [{ priority: 'high' }, 'priority', /Kubernetes backend only/]
  ])('%j is refused on a service without Kubernetes serving, naming the field', async (extra, field, message) => {
    const res = await t.call('POST', '/api/v1/deployments', { name: 'd', model: { name: 'm' }, ...extra });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_argument', field, message: expect.stringMatching(message) });
  });

  test('replicas above 16 and unknown backends are schema errors', async () => {
    for (const [extra, field] of [
      [{ replicas: 17 }, 'replicas'],
      [{ backend: 'slurm' }, 'backend'],
      [{ autoscaling: { minReplicas: 1, maxReplicas: 2, metric: 'cpu', targetCpuPercent: 95 } }, 'autoscaling.targetCpuPercent'],
      [{ autoscaling: { minReplicas: 1, maxReplicas: 2, metric: 'memory' } }, 'autoscaling.metric']
    ] as const) {
      const res = await t.call('POST', '/api/v1/deployments', { name: 'd', model: { name: 'm' }, ...extra });
      expect([res.status, res.body.error.field]).toEqual([400, field]);
    }
  });
});
