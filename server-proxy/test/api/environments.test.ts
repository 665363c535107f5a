import fs from 'node:fs';
import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, waitForState, type TestService } from '../helpers/service.js';
import { openSse, type SseClient } from '../helpers/sse.js';

/*
 * trainingInput.env and kernel choice on the local backend, with a real runner and kernel: plain
 * variables and secrets from the user's secrets file reach the job, and no API answer, event, log line
 * or output file ever carries a secret's value.
 */

const SECRET = 's3cr3t-Pa55word!';
let root: string;
let t: TestService;
let secretsFile: string;

beforeAll(async () => {
  root = tempRoot();
  writeNotebook(path.join(root, 'env.ipynb'), [
    'import os, sys\nprint("mode", os.environ["MODE"])\nprint("pw", os.environ["DB_PASSWORD"])\nprint("file", os.environ.get("LAKETAHOE_SECRETS_FILE"))',
    // Written in two pieces: the mask must hold across a split.
    'v = os.environ["DB_PASSWORD"]\nsys.stdout.write("split " + v[:6]); sys.stdout.flush()\nsys.stdout.write(v[6:] + "\\n"); sys.stdout.flush()\nprint("stderr", v, file=sys.stderr)',
    'v'
  ]);
  writeNotebook(path.join(root, 'leak.ipynb'), ['import os\nraise ValueError("bad " + os.environ["DB_PASSWORD"])']);
  writeNotebook(path.join(root, 'hpo.ipynb'), ['import os, laketahoe\nprint("trial pw", os.environ["DB_PASSWORD"])\nlaketahoe.report(step=1, score=x)'], 'x = 0.1');
  const conda = JSON.parse(fs.readFileSync(path.join(root, 'env.ipynb'), 'utf8'));
  conda.metadata.kernelspec = { name: 'my-conda-env', display_name: 'Python (my-conda-env)', language: 'python' };
  conda.cells = conda.cells.slice(0, 1);
  conda.cells[0].source = 'print("ran")';
  fs.writeFileSync(path.join(root, 'conda.ipynb'), JSON.stringify(conda));
  fs.mkdirSync(path.join(root, 'pkg'));
  t = await startService(root);
  secretsFile = path.join(root, '.laketahoe', 'secrets', 'alice.json');
  fs.mkdirSync(path.dirname(secretsFile), { recursive: true, mode: 0o700 });
  fs.writeFileSync(secretsFile, JSON.stringify({ db: { password: SECRET, user: 'alice' } }), { mode: 0o600 });
});

afterAll(async () => {
  await t.close();
});

const submit = (body: unknown, token?: string) => t.call('POST', '/api/v1/jobs', body, token);
const withEnv = (env: unknown, extra: Record<string, unknown> = {}) => ({ trainingInput: { notebook: { path: 'env.ipynb' }, env, ...extra } });
const secretRef = (name = 'db', key = 'password') => ({ name: 'DB_PASSWORD', secretKeyRef: { name, key } });

test.each([
  ['a reserved LAKETAHOE_ name', [{ name: 'LAKETAHOE_TOKEN', value: 'x' }], 400, 'trainingInput.env.0.name'],
  ['a thread variable', [{ name: 'A', value: '1' }, { name: 'OMP_NUM_THREADS', value: '64' }], 400, 'trainingInput.env.1.name'],
  ['a name that is not a variable name', [{ name: '1X', value: '1' }], 400, 'trainingInput.env.0.name'],
  ['a name given twice', [{ name: 'A', value: '1' }, { name: 'A', value: '2' }], 400, 'trainingInput.env.1.name'],
  ['both a value and a secret', [{ name: 'A', value: '1', secretKeyRef: { name: 'db', key: 'password' } }], 400, 'trainingInput.env.0'],
  ['neither a value nor a secret', [{ name: 'A' }], 400, 'trainingInput.env.0'],
  ['an unknown field', [{ name: 'A', value: '1', valueFrom: {} }], 400, 'trainingInput.env.0.valueFrom'],
  ['a secret name Kubernetes would refuse', [{ name: 'A', secretKeyRef: { name: 'Bad_Name', key: 'k' } }], 400, 'trainingInput.env.0.secretKeyRef.name'],
  ['values past the total size', Array.from({ length: 5 }, (_, i) => ({ name: `V${i}`, value: 'x'.repeat(32_000) })), 413, 'trainingInput.env'],
  ['a secret missing from the file', [secretRef('nope')], 400, 'trainingInput.env.0.secretKeyRef.name'],
  ['a key missing from the secret', [secretRef('db', 'nope')], 400, 'trainingInput.env.0.secretKeyRef.key']
])('%s is refused naming the field', async (_what, env, status, field) => {
  const r = await submit(withEnv(env));
  expect(r.status).toBe(status);
  expect(r.body.error.field).toBe(field);
  expect(r.body.error.message.startsWith(field)).toBe(true);
});

test('a user without a secrets file, or with one others can read, cannot reference secrets', async () => {
  const bob = await submit(withEnv([secretRef()]), 'bob-token');
  expect(bob.status).toBe(400);
  expect(bob.body.error.field).toBe('trainingInput.env.0.secretKeyRef');
  expect(bob.body.error.message).toMatch(/no secrets file at .*bob\.json/);
  fs.chmodSync(secretsFile, 0o644);
  try {
    const open = await submit(withEnv([secretRef()]));
    expect(open.status).toBe(400);
    expect(open.body.error.message).toMatch(/can be read or written by others \(mode 644\); run chmod 600/);
    expect(JSON.stringify(open.body)).not.toContain(SECRET);
  } finally {
    fs.chmodSync(secretsFile, 0o600);
  }
});

test("a job gets its variables and secrets; the secret's value is in no answer, event, log or output", async () => {
  const events: SseClient = await openSse(`${t.url}/api/v1/events`, t.token);
  const env = [{ name: 'MODE', value: 'fast' }, secretRef()];
  const r = await submit({ jobId: 'env_ok', ...withEnv(env) });
  expect(r.status).toBe(201);
  expect(r.body.trainingInput.env).toEqual(env);
  const job = await waitForState(t, 'env_ok', ['SUCCEEDED', 'FAILED']);
  expect(job.state).toBe('SUCCEEDED');
  expect(job.trainingOutput.kernel).toEqual({ name: 'python3' });

  const logs = (await t.call('GET', '/api/v1/jobs/env_ok/logs')).body;
  const texts: string[] = logs.lines.map((l: { text: string }) => l.text);
  expect(texts).toContain('mode fast');
  expect(texts).toContain('pw ********');
  expect(texts).toContain('split ********');
  expect(texts).toContain('stderr ********');
  // The job's code is not told where the file is.
  expect(texts).toContain('file None');

  const notebook = await t.call('GET', '/api/v1/jobs/env_ok/outputs/output.ipynb');
  const html = await fetch(`${t.url}/api/v1/jobs/env_ok/outputs/output.html`, { headers: { authorization: `Bearer ${t.token}` } });
  const htmlText = await html.text();
  expect(JSON.stringify(notebook.body)).toContain('********');
  const stream = await openSse(`${t.url}/api/v1/jobs/env_ok/logs/stream`, t.token);
  await stream.ended;
  events.close();
  const answers = [
    r.body,
    job,
    (await t.call('GET', '/api/v1/jobs')).body,
    (await t.call('GET', '/api/v1/jobs/env_ok')).body,
    logs,
    notebook.body,
    htmlText,
    stream.events,
    events.events
  ];
  for (const answer of answers) {
    expect(JSON.stringify(answer)).not.toContain(SECRET);
    expect(JSON.stringify(answer)).not.toContain(SECRET.slice(0, 10));
  }
  for (const file of ['stdout.log', 'stderr.log', 'output.ipynb', 'output.html', 'exit.json']) {
    expect(fs.readFileSync(path.join(root, 'laketahoe-jobs', 'env_ok', file), 'utf8')).not.toContain(SECRET);
  }
});

test("a failing cell's message is masked in the job's error", async () => {
  await submit({ jobId: 'env_leak', trainingInput: { notebook: { path: 'leak.ipynb' }, env: [secretRef()] } });
  const job = await waitForState(t, 'env_leak', ['SUCCEEDED', 'FAILED']);
  expect(job.state).toBe('FAILED');
  expect(job.errorMessage).toContain('ValueError: bad ********');
  expect(JSON.stringify(job)).not.toContain(SECRET);
});

test('HPO trials get the secret too, masked in their logs and answers', async () => {
  const r = await submit({
    jobId: 'env_hpo',
    trainingInput: {
      notebook: { path: 'hpo.ipynb' },
      env: [secretRef()],
      hyperparameters: { goal: 'MAXIMIZE', hyperparameterMetricTag: 'score', maxTrials: 1, maxParallelTrials: 1, params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }] }
    }
  });
  expect(r.status).toBe(201);
  const job = await waitForState(t, 'env_hpo', ['SUCCEEDED', 'FAILED'], 120_000);
  expect(job.state).toBe('SUCCEEDED');
  const trialLogs = (await t.call('GET', '/api/v1/jobs/env_hpo/trials/1/logs')).body;
  expect(trialLogs.lines.map((l: { text: string }) => l.text)).toContain('trial pw ********');
  const trials = (await t.call('GET', '/api/v1/jobs/env_hpo/trials')).body;
  expect(JSON.stringify([job, trials, trialLogs])).not.toContain(SECRET);
});

test('module jobs get variables; kernel choice applies to notebooks only', async () => {
  const module = await submit({ trainingInput: { pythonModule: 'json.tool', kernelName: 'python3' } });
  expect(module.status).toBe(400);
  expect(module.body.error.field).toBe('trainingInput.kernelName');
  const reserved = await submit({ trainingInput: { pythonModule: 'json.tool', env: [{ name: 'PYTHONPATH', value: '/x' }] } });
  expect(reserved.body.error.field).toBe('trainingInput.env.0.name');
});

test('installed kernels are listed; an unknown kernel is a 400 unless a fallback is named, which the job records', async () => {
  expect((await t.call('GET', '/api/v1/kernels', undefined, null)).status).toBe(401);
  const kernels = await t.call('GET', '/api/v1/kernels');
  expect(kernels.status).toBe(200);
  expect(kernels.body.kernels.map((k: { name: string }) => k.name)).toContain('python3');

  const unknown = await submit({ trainingInput: { notebook: { path: 'env.ipynb' }, kernelName: 'no-such-kernel' } });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.field).toBe('trainingInput.kernelName');
  expect(unknown.body.error.message).toMatch(/kernel 'no-such-kernel' is not installed here \(installed: .*python3/);

  const fromNotebook = await submit({ trainingInput: { notebook: { path: 'conda.ipynb' } } });
  expect(fromNotebook.status).toBe(400);
  expect(fromNotebook.body.error.field).toBe('trainingInput.kernelName');
  expect(fromNotebook.body.error.message).toContain("the notebook's kernel 'my-conda-env'");

  const badFallback = await submit({ trainingInput: { notebook: { path: 'conda.ipynb' }, kernelFallback: 'nope' } });
  expect(badFallback.body.error.field).toBe('trainingInput.kernelFallback');

  const r = await submit({ jobId: 'fallback', trainingInput: { notebook: { path: 'conda.ipynb' }, kernelFallback: 'python3' } });
  expect(r.status).toBe(201);
  const job = await waitForState(t, 'fallback', ['SUCCEEDED', 'FAILED']);
  expect(job.state).toBe('SUCCEEDED');
  expect(job.trainingOutput.kernel).toEqual({ name: 'python3', requested: 'my-conda-env' });
  expect(job.trainingInput.kernelFallback).toBe('python3');
});
