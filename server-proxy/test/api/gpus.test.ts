import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeNotebook } from '../helpers/notebooks.js';
import { PROXY_DIR, PYTHON, runnerEnv, tempRoot, waitFor } from '../helpers/service.js';
import { databaseEnv } from '../helpers/stores.js';

// The local backend's GPUs come from nvidia-smi; here a fake one on PATH reports two GPUs whose indexes
// (3 and 7) are not positions, so a job's CUDA_VISIBLE_DEVICES proves which GPU the queue handed out.
// The service is a child process (dist/main.js) so that it, not this test, looks nvidia-smi up on PATH.
const TOKEN = 'gpu-token';
let root: string;
let child: ChildProcess;
let url: string;

async function call(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + urlPath, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  });
  return { status: res.status, body: await res.json() };
}

const finished = (jobId: string) =>
  waitFor(async () => {
    const job = (await call('GET', `/api/v1/jobs/${jobId}`)).body;
    return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state) ? job : undefined;
  }, 90_000, `${jobId} finished`);

beforeAll(async () => {
  root = tempRoot();
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'nvidia-smi'),
    '#!/bin/sh\n' +
      // Usage readings: GPU 3 busy at 42 % with 2048 MiB used, GPU 7 idle.
      'if [ "$1" = "--query-gpu=index,utilization.gpu,memory.used" ]; then printf "3, 42, 2048\\n7, 0, 0\\n"; exit 0; fi\n' +
      '[ "$1" = "--query-gpu=index,name,memory.total" ] || exit 9\nprintf "3, Tesla V100-SXM2-16GB, 16160 MiB\\n7, Tesla V100-SXM2-16GB, 16160 MiB\\n"\n',
    { mode: 0o755 }
  );
  // Each job writes what it was given, then waits for its release file: the test decides when GPUs free up.
  writeNotebook(
    path.join(root, 'gpu.ipynb'),
    [
      "import os, time\nopen(os.path.join(where, f'{name}.cuda'), 'w').write(os.environ.get('CUDA_VISIBLE_DEVICES', '<unset>'))",
      "while not os.path.exists(os.path.join(where, f'{name}.release')):\n    time.sleep(0.1)"
    ],
    "name = 'x'\nwhere = '.'"
  );
  const runtimeFile = path.join(root, 'rt.json');
  // No --gpus: the capacity comes from the fake nvidia-smi.
  child = spawn(
    process.execPath,
    [path.join(PROXY_DIR, 'dist', 'main.js'), 'serve', '--root-dir', root, '--runtime-file', runtimeFile,
     '--python', PYTHON, '--cpus', '8', '--memory-bytes', String(64 * 1024 ** 3), '--log-level', 'warn'],
    { env: { ...runnerEnv(), ...(await databaseEnv(root)), PATH: `${bin}${path.delimiter}${process.env.PATH}`, LAKETAHOE_TOKEN: TOKEN, LAKETAHOE_USAGE_INTERVAL_MS: '300' }, stdio: ['ignore', 'ignore', 'inherit'] }
  );
  await waitFor(async () => fs.existsSync(runtimeFile), 30_000, 'runtime file');
  url = JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).url;
});

afterAll(async () => {
  for (const name of ['a', 'b', 'c']) {
    fs.writeFileSync(path.join(root, `${name}.release`), '');
  }
  if (child.exitCode === null) {
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

const cuda = (name: string) => {
  const file = path.join(root, `${name}.cuda`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
};

test('the queue hands each GPU job its own device from nvidia-smi, and a third waits for one to free', async () => {
  const info = await call('GET', '/api/v1/info');
  expect(info.body.capacity.gpus).toEqual([
    { index: 3, name: 'Tesla V100-SXM2-16GB', memoryBytes: 16160 * 1024 ** 2 },
    { index: 7, name: 'Tesla V100-SXM2-16GB', memoryBytes: 16160 * 1024 ** 2 }
  ]);
  for (const name of ['a', 'b', 'c']) {
    const submit = await call('POST', '/api/v1/jobs', {
      jobId: `gpu_${name}`,
      trainingInput: { scaleTier: 'BASIC_GPU', notebook: { path: 'gpu.ipynb', parameters: { name, where: root } } }
    });
    expect(submit.status).toBe(201);
  }
  await waitFor(async () => cuda('a') !== undefined && cuda('b') !== undefined, 90_000, 'both first jobs running');
  expect([cuda('a'), cuda('b')].sort()).toEqual(['3', '7']);
  const third = await call('GET', '/api/v1/jobs/gpu_c');
  expect(third.body.state).toBe('QUEUED');
  const aGot = cuda('a')!;
  // Let usage sampling see both running jobs on their GPUs before the first ends (checked below).
  for (const id of ['gpu_a', 'gpu_b']) {
    await waitFor(async () => (await call('GET', `/api/v1/jobs/${id}/usage`)).body.samples.length >= 2, 30_000, `${id} usage samples`);
  }
  fs.writeFileSync(path.join(root, 'a.release'), '');
  expect((await finished('gpu_a')).state).toBe('SUCCEEDED');
  // The freed device, and only it, goes to the waiting job.
  await waitFor(async () => cuda('c') !== undefined, 90_000, 'the third job running');
  expect(cuda('c')).toBe(aGot);
  const running = await call('GET', '/api/v1/jobs/gpu_c');
  expect(running.body.trainingOutput.resources.gpus).toEqual([Number(aGot)]);
  fs.writeFileSync(path.join(root, 'b.release'), '');
  fs.writeFileSync(path.join(root, 'c.release'), '');
  for (const id of ['gpu_b', 'gpu_c']) {
    expect((await finished(id)).state).toBe('SUCCEEDED');
  }
});

test('usage of a GPU job has the readings of its own GPU alone, and GPU-hours (GPUs faked by nvidia-smi above)', async () => {
  const byGpu = new Map<string, any>();
  for (const name of ['a', 'b']) {
    byGpu.set(cuda(name)!, (await call('GET', `/api/v1/jobs/gpu_${name}/usage`)).body);
  }
  const busy = byGpu.get('3');
  const idle = byGpu.get('7');
  expect(busy.samples[0]).toMatchObject({ gpuCount: 1, gpuUtilization: 42, gpuMemoryBytes: 2048 * 1024 ** 2 });
  expect(idle.samples[0]).toMatchObject({ gpuCount: 1, gpuUtilization: 0, gpuMemoryBytes: 0 });
  expect(busy.summary).toMatchObject({ meanGpuUtilization: 42, peakGpuMemoryBytes: 2048 * 1024 ** 2 });
  expect(busy.summary.gpuHours).toBeGreaterThan(0);
  // A job holding one GPU cannot have held it longer than it ran.
  const job = (await call('GET', '/api/v1/jobs/gpu_a')).body;
  expect(byGpu.get(cuda('a')!).summary.gpuHours).toBeLessThanOrEqual((Date.parse(job.endTime) - Date.parse(job.createTime)) / 3_600_000);
});
