import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runName } from '../../src/backends/kubernetes/plan.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { PROXY_DIR, tempRoot, waitFor } from '../helpers/service.js';
import { adminClients, adminKubeconfig, describeCluster, seedPodLog } from './cluster.js';

// The service as a real child process, killed with SIGKILL between storing a submitted job and creating
// its Kubernetes Job (the submit answers only after both): the next start must create it, once.
const TOKEN = 'crash-token';
const suffix = Date.now().toString(36);

describeCluster('Kubernetes submit crash window', () => {
  let root: string;
  const children: ChildProcess[] = [];

  async function start(failpoints = ''): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
    const runtimeFile = path.join(root, 'runtime.json');
    fs.rmSync(runtimeFile, { force: true });
    const child = spawn(
      process.execPath,
      [path.join(PROXY_DIR, 'dist', 'main.js'), 'serve', '--root-dir', root, '--runtime-file', runtimeFile, '--user', 'alice',
        '--backend', 'kubernetes', '--k8s-kubeconfig', adminKubeconfig(), '--log-level', 'warn'],
      { env: { ...process.env, LAKETAHOE_TOKEN: TOKEN, LAKETAHOE_FAILPOINTS: failpoints }, stdio: ['ignore', 'ignore', 'pipe'] }
    );
    children.push(child);
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await waitFor(async () => fs.existsSync(runtimeFile), 60_000, 'runtime file');
    return { url: JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).url, child, stderr: () => err };
  }

  const call = async (url: string, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined
    });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(() => {
    seedPodLog();
    root = tempRoot();
    writeNotebook(path.join(root, 'train.ipynb'), ['print("hello")']);
  });

  afterAll(() => {
    for (const child of children) {
      child.kill('SIGKILL');
    }
  });

  test('kill -9 after the record is stored and before the Job is created: the restart creates it once and it runs', async () => {
    const jobId = `stored_${suffix}`;
    const first = await start('after-store');
    const pending = call(first.url, 'POST', '/jobs', { jobId, labels: { 'laketahoe.test/run-seconds': '1' }, trainingInput: { notebook: { path: 'train.ipynb' } } }).catch(() => undefined);
    await waitFor(async () => first.stderr().includes('failpoint after-store reached'), 60_000, 'the failpoint');
    first.child.kill('SIGKILL');
    await pending;
    const jobs = () => adminClients().batch.listNamespacedJob({ namespace: 'laketahoe-alice', labelSelector: `laketahoe.io/job-id=${jobId}` });
    expect((await jobs()).items).toEqual([]);

    const second = await start();
    const done = (await waitFor(async () => {
      const job = (await call(second.url, 'GET', `/jobs/${jobId}`)).body as { state: string; errorMessage: string };
      return ['SUCCEEDED', 'FAILED'].includes(job.state) ? job : undefined;
    }, 90_000, 'the job to end')) as { state: string; errorMessage: string };
    expect([done.state, done.errorMessage]).toEqual(['SUCCEEDED', '']);
    expect((await jobs()).items.map(j => j.metadata!.name)).toEqual([runName(jobId)]);
    second.child.kill('SIGTERM');
  }, 240_000);
});
