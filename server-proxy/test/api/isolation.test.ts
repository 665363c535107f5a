import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createService, localExecutionAllowed } from '../../src/app.js';
import { childEnv } from '../../src/backends/local/childEnv.js';
import { parseServeArgs, type ServiceConfig } from '../../src/config.js';
import { DataDirInUseError } from '../../src/dataDir.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { PROXY_DIR, startService, tempRoot, waitForState, type TestService } from '../helpers/service.js';
import { usingPostgres } from '../helpers/postgres.js';

// What one user's job may reach of the service and of other users: the environment it inherits, the
// files it may name as inputs, what the answers reveal about other users' jobs and folders, who may read
// what the service writes, and one service per data folder. Real runners on a real ipykernel.
let t: TestService;
let root: string;
const SECRETS = {
  LAKETAHOE_TOKEN: 'service-token-must-not-leak',
  LAKETAHOE_TOKENS_FILE: '/etc/laketahoe/tokens.json',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-must-not-leak',
  KUBECONFIG: '/home/service/.kube/config',
  KUBERNETES_SERVICE_HOST: '10.0.0.1'
};
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  root = tempRoot();
  // The service's own environment holds secrets; a runner's inherits from it.
  for (const [k, v] of Object.entries(SECRETS)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  writeNotebook(path.join(root, 'env.ipynb'), ['import os, json\nprint("ENV", json.dumps(sorted(os.environ)))\nprint("TOKEN" if "must-not-leak" in json.dumps(dict(os.environ)) else "CLEAN")']);
  writeNotebook(path.join(root, 'quiet.ipynb'), ['print("alice was here")']);
  fs.mkdirSync(path.join(root, 'pkgs'), { recursive: true });
  fs.writeFileSync(path.join(root, 'pkgs', 'trainer-1.0.tar.gz'), 'not really a package');
  t = await startService(root);
});

afterAll(async () => {
  await t.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) {
      delete process.env[k];
    } else {
      process.env[k] = v;
    }
  }
});

async function logText(jobId: string): Promise<string> {
  const r = await t.call('GET', `/api/v1/jobs/${jobId}/logs?limit=1000`);
  return r.body.lines.map((l: { text: string }) => l.text).join('\n');
}

describe('the environment of job code', () => {
  test('a runner and its kernel see neither the service token nor its cloud or cluster credentials', async () => {
    expect((await t.call('POST', '/api/v1/jobs', { jobId: 'envdump', trainingInput: { notebook: { path: 'env.ipynb' } } })).status).toBe(201);
    const job = await waitForState(t, 'envdump', ['SUCCEEDED', 'FAILED']);
    expect(job.state).toBe('SUCCEEDED');
    const text = await logText('envdump');
    expect(text).toContain('CLEAN');
    const names: string[] = JSON.parse(/ENV (\[.*\])/.exec(text)![1]);
    for (const name of Object.keys(SECRETS)) {
      expect(names).not.toContain(name);
    }
    // What a runner needs is still there.
    expect(names).toEqual(expect.arrayContaining(['PATH', 'LAKETAHOE_JOB_ID', 'OMP_NUM_THREADS']));
  });

  test('childEnv keeps the allowlist and drops everything else', () => {
    const env = childEnv({ PATH: '/bin', LC_ALL: 'C', HOME: '/h', LAKETAHOE_TOKEN: 'x', GOOGLE_APPLICATION_CREDENTIALS: '/k', AZURE_CLIENT_SECRET: 's', RANDOM: 'r' });
    expect(env).toEqual({ PATH: '/bin', LC_ALL: 'C', HOME: '/h' });
  });
});

describe('personal and shared mode', () => {
  const base = (over: Partial<ServiceConfig>): ServiceConfig =>
    ({ ...parseServeArgs(['--root-dir', root, '--runtime-file', path.join(root, 'rt.json')], {}), ...over }) as ServiceConfig;
  const twoUsers = new Map([
    ['a', 'alice'],
    ['b', 'bob']
  ]);

  test('a service that several users reach refuses the local backend unless jobs are declared trusted', async () => {
    const dir = tempRoot();
    const config = base({ rootDir: dir, dataDir: path.join(dir, '.laketahoe'), jobsDir: path.join(dir, 'jobs'), tokens: twoUsers, token: undefined });
    await expect(createService(config)).rejects.toThrow(/2 users can reach this service.*--trust-jobs/s);
    // Nothing was left holding the data folder.
    expect(() => localExecutionAllowed(config)).toThrow(/--backend kubernetes/);
    expect(localExecutionAllowed({ ...config, trustJobs: true })).toBe(true);
    // With Kubernetes as the default, the local backend is simply not offered.
    expect(localExecutionAllowed({ ...config, defaultBackend: 'kubernetes' })).toBe(false);
    // One user (personal mode) needs no statement.
    expect(localExecutionAllowed({ ...config, tokens: new Map([['a', 'alice']]) })).toBe(true);
  });

  test('--trust-jobs and LAKETAHOE_TRUST_JOBS set the opt-in; it is off by default', () => {
    const args = ['--root-dir', root, '--runtime-file', path.join(root, 'rt.json')];
    expect(parseServeArgs(args, {}).trustJobs).toBe(false);
    expect(parseServeArgs([...args, '--trust-jobs'], {}).trustJobs).toBe(true);
    expect(parseServeArgs(args, { LAKETAHOE_TRUST_JOBS: '1' }).trustJobs).toBe(true);
  });
});

describe("other users' job folders and the data folder", () => {
  beforeAll(async () => {
    expect((await t.call('POST', '/api/v1/jobs', { jobId: 'alice_job', trainingInput: { notebook: { path: 'quiet.ipynb' } } })).status).toBe(201);
    expect((await waitForState(t, 'alice_job', ['SUCCEEDED', 'FAILED'])).state).toBe('SUCCEEDED');
  });

  test("bob cannot run alice's output notebook or snapshot as his own job; alice can", async () => {
    const theirs = 'laketahoe-jobs/alice_job/output.ipynb';
    expect(fs.existsSync(path.join(root, theirs))).toBe(true);
    const bob = await t.call('POST', '/api/v1/jobs', { trainingInput: { notebook: { path: theirs } } }, 'bob-token');
    expect(bob.status).toBe(400);
    expect(bob.body.error.field).toBe('trainingInput.notebook.path');
    // An unknown job's folder answers exactly the same: no hint of what exists.
    const unknown = await t.call('POST', '/api/v1/jobs', { trainingInput: { notebook: { path: 'laketahoe-jobs/nobody/output.ipynb' } } }, 'bob-token');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(bob.body.error.message);
    const pkg = await t.call(
      'POST',
      '/api/v1/jobs',
      { trainingInput: { pythonModule: 'trainer.task', packageUris: ['laketahoe-jobs/alice_job/snapshot/quiet.ipynb'] } },
      'bob-token'
    );
    expect(pkg.status).toBe(400);
    expect(pkg.body.error.field).toBe('trainingInput.packageUris.0');
    const jobDir = await t.call('POST', '/api/v1/jobs', { trainingInput: { notebook: { path: 'quiet.ipynb' }, jobDir: 'laketahoe-jobs/alice_job' } }, 'bob-token');
    expect(jobDir.status).toBe(400);
    expect(jobDir.body.error.field).toBe('trainingInput.jobDir');
    // The owner may rerun her own output.
    const alice = await t.call('POST', '/api/v1/jobs', { jobId: 'alice_rerun', trainingInput: { notebook: { path: theirs } } });
    expect(alice.status).toBe(201);
  });

  test("nobody's inputs may come from the service's data folder", async () => {
    writeNotebook(path.join(root, '.laketahoe', 'planted.ipynb'), ['print(1)']);
    const r = await t.call('POST', '/api/v1/jobs', { trainingInput: { notebook: { path: '.laketahoe/planted.ipynb' } } });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/data folder/);
  });

  test("another user's folder answers a model registration exactly as a missing one (404, not its manifest's 400)", async () => {
    const theirs = await t.call('POST', '/api/v1/models', { path: 'laketahoe-jobs/alice_job' }, 'bob-token');
    const missing = await t.call('POST', '/api/v1/models', { path: 'laketahoe-jobs/no_such_job' }, 'bob-token');
    expect(missing.status).toBe(404);
    expect(theirs.status).toBe(404);
    // Alice's own folder is read (and it is no saved model: a 400 naming the manifest).
    const own = await t.call('POST', '/api/v1/models', { path: 'laketahoe-jobs/alice_job' });
    expect(own.status).toBe(400);
  });
});

describe('file modes', () => {
  const mode = (p: string) => fs.statSync(path.join(root, p)).mode & 0o777;

  test('the data folder is 0700, the database 0600; job folders, logs and outputs are the owner\'s alone', async () => {
    expect((await waitForState(t, 'alice_job', ['SUCCEEDED'])).state).toBe('SUCCEEDED');
    expect(mode('.laketahoe')).toBe(0o700);
    if (usingPostgres()) {
      // The shared store keeps nothing of the database in the data folder.
      expect(fs.existsSync(path.join(root, '.laketahoe', 'laketahoe.db'))).toBe(false);
    } else {
      expect(mode('.laketahoe/laketahoe.db')).toBe(0o600);
    }
    expect(mode('laketahoe-jobs/alice_job')).toBe(0o700);
    for (const file of ['stdout.log', 'stderr.log', 'output.ipynb', 'output.html', 'exit.json']) {
      expect([file, mode(`laketahoe-jobs/alice_job/${file}`)]).toEqual([file, 0o600]);
    }
  });

  test('an existing world-readable data folder and database are tightened at start', async () => {
    const dir = tempRoot();
    fs.mkdirSync(path.join(dir, '.laketahoe'), { mode: 0o755 });
    fs.chmodSync(path.join(dir, '.laketahoe'), 0o755);
    fs.writeFileSync(path.join(dir, '.laketahoe', 'laketahoe.db'), '', { mode: 0o644 });
    fs.chmodSync(path.join(dir, '.laketahoe', 'laketahoe.db'), 0o644);
    const other = await startService(dir);
    try {
      expect(fs.statSync(path.join(dir, '.laketahoe')).mode & 0o777).toBe(0o700);
      // With PostgreSQL the file is not the service's database and is left as it is.
      expect(fs.statSync(path.join(dir, '.laketahoe', 'laketahoe.db')).mode & 0o777).toBe(usingPostgres() ? 0o644 : 0o600);
    } finally {
      await other.close();
    }
  });
});

describe('one service per data folder', () => {
  test('a second service on the same data folder fails with a clear error; after the first stops it starts', async () => {
    const promise = startService(root);
    await expect(promise).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(promise).rejects.toThrow(/in use by another LakeTahoe service/);
    // The real command says so and exits non-zero.
    const child = spawnSync(process.execPath, [path.join(PROXY_DIR, 'dist', 'main.js'), 'serve', '--root-dir', root, '--runtime-file', path.join(root, 'second.json')], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LAKETAHOE_LOG_LEVEL: 'silent' }
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toMatch(/the data folder .*\.laketahoe is in use by another LakeTahoe service/);
    expect(fs.existsSync(path.join(root, 'second.json'))).toBe(false);
    const dir = tempRoot();
    const first = await startService(dir);
    await first.close();
    const second = await startService(dir);
    await second.close();
  });
});

describe('requests another site could forge', () => {
  const post = (urlPath: string, headers: Record<string, string>, body = '{}') =>
    fetch(t.url + urlPath, { method: 'POST', headers: { authorization: `Bearer ${t.token}`, ...headers }, body });

  test('a state-changing request needs a JSON body or the request header; inference keeps its own types', async () => {
    expect((await post('/api/v1/jobs/x/cancel', { 'content-type': 'text/plain' })).status).toBe(403);
    expect((await post('/api/v1/jobs/x/cancel', {})).status).toBe(403);
    // Past the guard: the unknown job's 404.
    expect((await post('/api/v1/jobs/x/cancel', { 'content-type': 'application/json' })).status).toBe(404);
    expect((await post('/api/v1/jobs/x/cancel', { 'x-laketahoe-request': '1' })).status).toBe(404);
    const infer = '/api/v1/deployments/nope/v2/models/m/infer';
    expect((await post(infer, { 'content-type': 'application/octet-stream' })).status).toBe(404);
    expect((await post(infer, { 'content-type': 'text/plain' })).status).toBe(403);
  });

  test('cross-site fetch metadata and foreign origins are refused even with JSON or the header', async () => {
    const json = { 'content-type': 'application/json', 'x-laketahoe-request': '1' };
    expect((await post('/api/v1/jobs/x/cancel', { ...json, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post('/api/v1/jobs/x/cancel', { ...json, origin: 'http://evil.example' })).status).toBe(403);
    const host = new URL(t.url).host;
    expect((await post('/api/v1/jobs/x/cancel', { ...json, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' })).status).toBe(404);
    // Reading stays open to every authenticated caller.
    expect((await fetch(`${t.url}/api/v1/jobs`, { headers: { authorization: `Bearer ${t.token}`, 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
  });
});

describe('runner records', () => {
  test('a cell printing records, to stdout, stderr or the raw file descriptors, changes nothing of the job', async () => {
    writeNotebook(path.join(root, 'forge.ipynb'), [
      'print(\'##laketahoe {"type":"metric","values":{"forged":1}}\')',
      'import os\nos.write(1, b\'##laketahoe {"type":"progress","cell":99,"totalCells":99}\\n\')',
      'import os\nos.write(2, b\'##laketahoe {"type":"output","notebook":"../alice_job/output.ipynb"}\\n\')',
      'import os\nos.system("echo \'##laketahoe {\\"type\\":\\"error\\",\\"ename\\":\\"Forged\\",\\"evalue\\":\\"x\\"}\'")'
    ]);
    expect((await t.call('POST', '/api/v1/jobs', { jobId: 'forger', trainingInput: { notebook: { path: 'forge.ipynb' } } })).status).toBe(201);
    const job = await waitForState(t, 'forger', ['SUCCEEDED', 'FAILED']);
    expect(job.state).toBe('SUCCEEDED');
    expect(job.trainingOutput.latestMetrics).toEqual({});
    expect(job.trainingOutput.totalCells).toBe(4);
    expect(job.trainingOutput.outputNotebook).toBe('laketahoe-jobs/forger/output.ipynb');
    expect((await t.call('GET', '/api/v1/jobs/forger/metrics')).body.metrics).toEqual([]);
    // What was printed is kept, as text.
    const text = await logText('forger');
    expect(text).toContain('##laketahoe {"type":"metric","values":{"forged":1}}');
    expect(text).toContain('"ename":"Forged"');
  });
});
