// The real node of the test cluster (containerd + runc + kubelet; see docs/k8s-test-cluster.md):
//
// (d) Submit -> first cell executed for a notebook job on the real node through the service
//     (server-proxy/dist as a process: Kubernetes backend, S3 artifact store, a pod template with the
//     node's selector, toleration and host network). "First cell executed" is the service's
//     trainingOutput.completedCells reaching 1, i.e. the runner's first progress record read from the
//     pod log and parsed. Peers in the same run: `kubectl run` of the same image with the same runner
//     command on the same notebook (embedded in the command), same node selector, toleration and host
//     network, timed to the first progress record in `kubectl logs -f`; and the same service's local
//     backend (the same notebook run by the runner as a child process).
// (e) Uploading a 100 MiB model folder from a pod: the runner's upload path (laketahoe/_artifacts.py
//     upload_outputs: tar, SHA-256, presigned PUTs, manifest) with a grant the service's own code signs,
//     in a real pod on the node. Peers: the same code on this machine outside a pod, and the AWS SDK's
//     multipart commands (CreateMultipartUpload / UploadPart / CompleteMultipartUpload, 8 MiB parts,
//     4 in flight; the service's @aws-sdk/client-s3) uploading the same folder's files to the same server.
//
// Usage: node bench/k8s/real-node.mjs [--runs 5] [--uploads 3] [--mib 100]
// Needs a cluster started with its real node (run/images.env) and a built server-proxy/dist.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { defaultServiceAccount, k8s, adminConfig, arg, removeNamespace, repo, runDir, sleep, summary, uniqueId } from './common.mjs';

const runs = arg('runs', 5);
const uploads = arg('uploads', 3);
const mib = arg('mib', 100);
const dist = path.join(repo, 'server-proxy', 'dist');
if (!fs.existsSync(path.join(dist, 'artifacts', 's3.js'))) {
  throw new Error('server-proxy/dist has no S3 artifact store: run `cd server-proxy && npm run build`');
}
// The kubectl of the cluster's own build (tools/k8s/bin is a link made by build.sh, in the checkout
// that started the cluster when this one has none).
const kubectl = [path.join(repo, 'tools', 'k8s', 'bin', 'kubectl'), path.join(runDir, '..', 'bin', 'kubectl')].find(p => fs.existsSync(p));
const kubeconfig = path.join(runDir, 'kubeconfig');
const imagesFile = path.join(runDir, 'images.env');
if (!fs.existsSync(imagesFile)) throw new Error(`${imagesFile} is missing: the cluster runs without its real node`);
const images = Object.fromEntries(
  fs.readFileSync(imagesFile, 'utf8').split('\n').map(l => /^(\w+)=['"]?([^'"]*)['"]?$/.exec(l.trim())).filter(Boolean).map(m => [m[1], m[2]])
);
const image = images.LAKETAHOE_K8S_IMAGE_RUNNER;
const [selKey, selValue] = images.LAKETAHOE_K8S_NODE_SELECTOR.split('=');
const taintKey = images.LAKETAHOE_K8S_NODE_TAINT.split('=')[0];
const podTemplate = {
  nodeSelector: { [selKey]: selValue },
  tolerations: [{ key: taintKey, operator: 'Exists', effect: 'NoSchedule' }],
  hostNetwork: true
};
const python = process.env.LAKETAHOE_PYTHON ?? path.join(repo, '.venv', 'bin', 'python');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-k8s-real-'));
const cleanups = [];
const cleanup = async () => {
  for (const step of cleanups.reverse()) await step().catch(err => console.error('cleanup:', err.message));
  cleanups.length = 0;
};
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

// The S3-compatible server of the tests (versitygw on loopback, fresh keys).
const s3Dir = path.join(dir, 's3');
execFileSync(path.join(repo, 'tools', 's3', 'server.sh'), ['start', s3Dir], { stdio: ['ignore', 'ignore', 'inherit'] });
cleanups.push(async () => execFileSync(path.join(repo, 'tools', 's3', 'server.sh'), ['stop', s3Dir], { stdio: 'ignore' }));
const s3env = Object.fromEntries(fs.readFileSync(path.join(s3Dir, 'env'), 'utf8').trim().split('\n').map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

// A tenant namespace of the bench's own (laketahoe-{user}), removed at the end.
const user = `bench${uniqueId()}`;
const namespace = `laketahoe-${user}`;
const admin = adminConfig();
const core = admin.makeApiClient(k8s.CoreV1Api);
await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'laketahoe.io/tenant': user, 'laketahoe.io/bench': 'true' } } } });
cleanups.push(() => removeNamespace(core, namespace));
await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'laketahoe' } } });
await defaultServiceAccount(core, namespace);

try {
  console.log(`real node ${images.LAKETAHOE_K8S_NODE_NAME}, runner image ${image}, namespace ${namespace}, S3 ${s3env.LAKETAHOE_S3_ENDPOINT}\n`);
  await firstCell();
  console.log();
  await upload();
} finally {
  await cleanup();
}

/** Two cells: the parameters and one that prints. */
function notebook() {
  return {
    nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [
      { id: 'p', cell_type: 'code', metadata: { tags: ['parameters'] }, source: 'lr = 0.01', outputs: [], execution_count: null },
      { id: 't', cell_type: 'code', metadata: {}, source: 'print("lr", lr)', outputs: [], execution_count: null }
    ]
  };
}

async function firstCell() {
  const rootDir = path.join(dir, 'root');
  fs.mkdirSync(rootDir);
  fs.writeFileSync(path.join(rootDir, 'train.ipynb'), JSON.stringify(notebook()));
  const templateFile = path.join(dir, 'pod-template.json');
  fs.writeFileSync(templateFile, JSON.stringify(podTemplate));
  const token = `bench-${uniqueId()}${uniqueId()}`;
  const runtimeFile = path.join(dir, 'runtime.json');
  const service = spawn(
    process.execPath,
    [path.join(dist, 'main.js'), 'serve', '--port', '0', '--root-dir', rootDir, '--data-dir', path.join(dir, 'data'), '--runtime-file', runtimeFile,
      '--user', user, '--backend', 'kubernetes', '--k8s-kubeconfig', kubeconfig, '--k8s-default-image', image, '--k8s-pod-template', templateFile,
      '--k8s-ttl-seconds', '600', '--artifact-store', 's3', '--s3-endpoint', s3env.LAKETAHOE_S3_ENDPOINT, '--s3-bucket', s3env.LAKETAHOE_S3_BUCKET,
      '--s3-region', s3env.LAKETAHOE_S3_REGION, '--s3-path-style', 'true', '--s3-credentials-file', path.join(s3Dir, 'env'),
      '--python', python, '--log-level', 'warn'],
    { env: { ...process.env, LAKETAHOE_TOKEN: token, PYTHONPATH: repo }, stdio: ['ignore', 'ignore', 'inherit'] }
  );
  cleanups.push(async () => service.kill());
  for (let i = 0; i < 300 && !fs.existsSync(runtimeFile); i++) await sleep(100);
  const { url } = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const call = async (method, route, body) => {
    const res = await fetch(`${url}/api/v1${route}`, { method, headers, body: body && JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  // Half a CPU and 1 GiB, as the real-node suite asks, so a run never waits for the loaded node's CPU.
  const resources = { scaleTier: 'CUSTOM', masterConfig: { resources: { cpu: 0.5, memoryGb: 1 } } };

  const runningMs = { kubernetes: [], local: [] };
  /** Submit, then poll the job every 50 ms until its first cell has run; also returns the end state. */
  async function viaService(backend, i) {
    const jobId = `${backend === 'local' ? 'loc' : 'k8s'}_${i}_${uniqueId()}`;
    const t0 = performance.now();
    const submittedAt = Date.now();
    await call('POST', '/jobs', { jobId, trainingInput: { ...resources, backend, notebook: { path: 'train.ipynb' } } });
    for (;;) {
      const job = await call('GET', `/jobs/${jobId}`);
      if ((job.trainingOutput?.completedCells ?? 0) >= 1) {
        const firstCellMs = performance.now() - t0;
        // Then to its end, so the next run meets an idle node; the run must have succeeded.
        let end = job;
        for (let w = 0; w < 1200 && !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(end.state); w++) {
          await sleep(100);
          end = await call('GET', `/jobs/${jobId}`);
        }
        if (end.state !== 'SUCCEEDED') throw new Error(`${jobId} ended ${end.state}: ${end.errorMessage}`);
        // When the service said RUNNING (its own clock, the same machine's).
        runningMs[backend].push(Date.parse(end.stateHistory.find(h => h.state === 'RUNNING').time) - submittedAt);
        return firstCellMs;
      }
      if (['FAILED', 'CANCELLED'].includes(job.state)) throw new Error(`${jobId} ${job.state}: ${job.errorMessage}`);
      if (performance.now() - t0 > 300_000) throw new Error(`${jobId}: no cell ran within 300 s`);
      await sleep(50);
    }
  }

  // The service's runner command, with the notebook written by the command itself instead of
  // mounted from a ConfigMap, and no artifact grant (nothing to upload for the first cell).
  const nb64 = Buffer.from(JSON.stringify(notebook())).toString('base64');
  const script = [
    'mkdir -p /tmp/run/out',
    `echo ${nb64} | base64 -d > /tmp/run/train.ipynb`,
    "exec python -m laketahoe.runner notebook --input /tmp/run/train.ipynb --output /tmp/run/out/output.ipynb --html /tmp/run/out/output.html --parameters-json '{}' --cwd /tmp/run/out --status-file /tmp/run/out/exit.json"
  ].join(' && ');
  const overrides = {
    apiVersion: 'v1',
    spec: {
      ...podTemplate,
      containers: [{ name: 'runner', image, imagePullPolicy: 'Never', command: ['sh', '-c', script], resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '1Gi' } } }]
    }
  };
  const kube = (...args) => spawn(kubectl, ['--kubeconfig', kubeconfig, '-n', namespace, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = child => new Promise(resolve => child.on('close', code => resolve(code)));

  /** `kubectl run`, then `kubectl logs -f` (retried until the container has started) to the first progress record. */
  async function viaKubectl(i) {
    const name = `kubectl-run-${i}-${uniqueId()}`;
    const t0 = performance.now();
    const run = kube('run', name, '--image', image, '--restart', 'Never', '--image-pull-policy', 'Never', `--overrides=${JSON.stringify(overrides)}`);
    let err = '';
    run.stderr.on('data', d => (err += d));
    if ((await exited(run)) !== 0) throw new Error(`kubectl run: ${err}`);
    for (;;) {
      const logs = kube('logs', '-f', name);
      let out = '';
      const found = await new Promise(resolve => {
        logs.stdout.on('data', d => {
          out += d;
          if (/##laketahoe .*"progress"/.test(out)) resolve(true);
        });
        logs.on('close', () => resolve(/##laketahoe .*"progress"/.test(out)));
      });
      if (found) {
        const ms = performance.now() - t0;
        logs.kill();
        await exited(kube('delete', 'pod', name, '--wait=false'));
        return ms;
      }
      if (performance.now() - t0 > 300_000) throw new Error(`${name}: no progress record within 300 s: ${out.slice(-500)}`);
      await sleep(200);
    }
  }

  console.log(`(d) submit -> first cell executed, ${runs} runs each, one at a time, interleaved (notebook of 2 cells, 0.5 CPU)`);
  const results = { kubernetes: [], kubectl: [], local: [] };
  // Warm-up, not counted: the first kernel start after an image import reads the image from disk.
  await viaService('kubernetes', 'w');
  await viaKubectl('w');
  await viaService('local', 'w');
  runningMs.kubernetes.length = runningMs.local.length = 0;
  for (let i = 0; i < runs; i++) {
    results.kubernetes.push(await viaService('kubernetes', i));
    results.kubectl.push(await viaKubectl(i));
    results.local.push(await viaService('local', i));
  }
  const line = (label, values) => console.log(`  ${label.padEnd(58)} ${summary(values)}; all: ${values.map(v => (v / 1000).toFixed(2)).join(', ')} s`);
  line('service, Kubernetes backend, real node (S3 store)', results.kubernetes);
  line('  of which submit -> service says RUNNING (pod started)', runningMs.kubernetes);
  line('peer: kubectl run, same image/command/node, to 1st record', results.kubectl);
  line('peer: service, local backend', results.local);
  line('  of which submit -> service says RUNNING', runningMs.local);
  service.kill();
}

async function upload() {
  const requireFromService = createRequire(path.join(repo, 'server-proxy', 'package.json'));
  const S3 = await import(requireFromService.resolve('@aws-sdk/client-s3'));
  const { S3ArtifactStore } = await import(path.join(dist, 'artifacts', 's3.js'));
  const { runGrant } = await import(path.join(dist, 'artifacts', 'runs.js'));
  const options = {
    endpoint: s3env.LAKETAHOE_S3_ENDPOINT, bucket: s3env.LAKETAHOE_S3_BUCKET, region: s3env.LAKETAHOE_S3_REGION, forcePathStyle: true,
    credentials: { accessKeyId: s3env.LAKETAHOE_S3_ACCESS_KEY_ID, secretAccessKey: s3env.LAKETAHOE_S3_SECRET_ACCESS_KEY }
  };
  const store = new S3ArtifactStore(options);
  cleanups.push(async () => store.destroy());

  // The model folder: four weight shards of random bytes (nothing compresses) and the manifest
  // that makes it a saved model. The pod writes the same layout before it times the upload.
  const files = 4;
  const shard = Math.floor((mib * 1024 * 1024) / files);
  const writer = `
import json, os, sys
root = sys.argv[1]
d = os.path.join(root, 'models', 'big')
os.makedirs(d, exist_ok=True)
for i in range(${files}):
    with open(os.path.join(d, f'weights-{i}.bin'), 'wb') as fh:
        for _ in range(${shard} // (1 << 20)):
            fh.write(os.urandom(1 << 20))
        fh.write(os.urandom(${shard} % (1 << 20)))
json.dump({'name': 'big', 'flavor': 'bench'}, open(os.path.join(d, 'laketahoe-model.json'), 'w'))
`;
  const timed = `
import json, sys, time
from laketahoe import _artifacts
grant = json.loads(sys.argv[2])
t0 = time.perf_counter()
manifest = _artifacts.upload_outputs(grant, sys.argv[1], None, None)
print(json.dumps({'seconds': time.perf_counter() - t0, 'bytes': manifest['files']['outputs.tar']['size']}))
`;
  const grantFor = runId => runGrant(store, user, runId, undefined, 3600);

  /** The runner's upload in a real pod on the node: time inside the pod, and pod create -> Succeeded. */
  async function inPod(i) {
    const name = `upload-${i}-${uniqueId()}`;
    const grant = await grantFor(name);
    const script = `mkdir -p /tmp/up && python -c "$WRITER" /tmp/up && python -c "$TIMED" /tmp/up "$GRANT"`;
    const t0 = performance.now();
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name },
        spec: {
          ...podTemplate,
          restartPolicy: 'Never',
          containers: [{
            name: 'runner', image, imagePullPolicy: 'Never', command: ['sh', '-c', script],
            env: [{ name: 'WRITER', value: writer }, { name: 'TIMED', value: timed }, { name: 'GRANT', value: JSON.stringify(grant) }],
            resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } }
          }]
        }
      }
    });
    for (;;) {
      const pod = await core.readNamespacedPod({ namespace, name });
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
        const log = await core.readNamespacedPodLog({ namespace, name });
        if (pod.status.phase === 'Failed') throw new Error(`${name} failed: ${log.slice(-1000)}`);
        const result = JSON.parse(log.trim().split('\n').pop());
        await core.deleteNamespacedPod({ namespace, name });
        return { ms: result.seconds * 1000, bytes: result.bytes, podMs: performance.now() - t0 };
      }
      if (performance.now() - t0 > 600_000) throw new Error(`${name}: not finished in 600 s`);
      await sleep(250);
    }
  }

  const folder = path.join(dir, 'upload');
  execFileSync(python, ['-c', writer, folder]);
  /** The same runner code on this machine, outside any pod. */
  async function onHost(i) {
    const grant = await grantFor(`host-${i}-${uniqueId()}`);
    const out = execFileSync(python, ['-c', timed, folder, JSON.stringify(grant)], { env: { ...process.env, PYTHONPATH: repo } }).toString();
    const result = JSON.parse(out.trim().split('\n').pop());
    return { ms: result.seconds * 1000, bytes: result.bytes };
  }

  // The SDK's own multipart upload of each file of the folder.
  const client = new S3.S3Client({ region: options.region, endpoint: options.endpoint, forcePathStyle: true, credentials: options.credentials });
  cleanups.push(async () => client.destroy());
  const partSize = 8 * 1024 * 1024;
  const inFlight = 4;
  const names = fs.readdirSync(path.join(folder, 'models', 'big'));
  async function multipart(i) {
    const prefix = `bench/${user}/sdk-${i}-${uniqueId()}/`;
    const t0 = performance.now();
    let bytes = 0;
    for (const file of names) {
      const full = path.join(folder, 'models', 'big', file);
      const size = fs.statSync(full).size;
      bytes += size;
      const Key = `${prefix}models/big/${file}`;
      const { UploadId } = await client.send(new S3.CreateMultipartUploadCommand({ Bucket: options.bucket, Key }));
      const parts = [];
      const count = Math.max(1, Math.ceil(size / partSize));
      const fh = await fs.promises.open(full);
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(inFlight, count) }, async () => {
        while (next < count) {
          const n = next++;
          const length = Math.min(partSize, size - n * partSize);
          const body = Buffer.alloc(length);
          await fh.read(body, 0, length, n * partSize);
          const { ETag } = await client.send(new S3.UploadPartCommand({ Bucket: options.bucket, Key, UploadId, PartNumber: n + 1, Body: body, ContentLength: length }));
          parts[n] = { ETag, PartNumber: n + 1 };
        }
      }));
      await fh.close();
      await client.send(new S3.CompleteMultipartUploadCommand({ Bucket: options.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    }
    return { ms: performance.now() - t0, bytes };
  }

  console.log(`(e) uploading a ${mib} MiB model folder (${files} shards + manifest) to ${s3env.LAKETAHOE_S3_ENDPOINT}, ${uploads} runs each, one at a time`);
  const rows = { pod: [], host: [], sdk: [] };
  for (let i = 0; i < uploads; i++) {
    rows.pod.push(await inPod(i));
    rows.host.push(await onHost(i));
    rows.sdk.push(await multipart(i));
  }
  const rate = r => `${(r.bytes / 1024 / 1024 / (r.ms / 1000)).toFixed(0)}`;
  const line = (label, values) =>
    console.log(`  ${label.padEnd(58)} ${summary(values.map(r => r.ms))}; MiB/s: ${values.map(rate).join(', ')}`);
  line('runner upload_outputs in a pod on the real node', rows.pod);
  console.log(`  ${'  (pod create -> Succeeded, incl. writing the folder)'.padEnd(58)} ${summary(rows.pod.map(r => r.podMs))}`);
  line('same runner code on this machine, no pod', rows.host);
  line(`peer: AWS SDK multipart (${partSize >> 20} MiB parts, ${inFlight} in flight)`, rows.sdk);
  console.log(`  (runner: one tar of ${(rows.pod[0].bytes / 1024 / 1024).toFixed(1)} MiB, hashed, one presigned PUT, then manifest.json)`);
}
