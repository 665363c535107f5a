// Inference on the Kubernetes backend, in one run: a deployment served by MLServer in a pod on the test
// cluster's real node, called
//   - directly (the pod's port: serving pods share the node's host network),
//   - through the API server's service proxy (the hop every caller outside the cluster pays),
//   - through a bare Node forwarder to that service proxy (the floor of any proxy in front of it),
//   - through the service's OIP proxy (auth, tenancy, routing, monitoring), and then again with a canary
//     challenger (50%) and a shadow challenger beside it.
// Sequential p50/p99 per path (interleaved blocks, so all see the same machine load), what the service
// and the bare forwarder add over the service proxy, and throughput with 16 requests in flight.
//
// Usage: node bench/serving/k8s-latency.mjs [--requests 1000] [--concurrency 16] [--seconds 5]
// Needs a cluster with its real node (tools/k8s/cluster.sh start), a built server-proxy/dist and .venv.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { adminConfig, arg, defaultServiceAccount, k8s, removeNamespace, repo, runDir, sleep, uniqueId } from '../k8s/common.mjs';
import { formatDifference, p50Difference, percentile } from './difference.mjs';

const requestCount = arg('requests', 1000);
const concurrency = arg('concurrency', 16);
const seconds = arg('seconds', 5);
const requireFromService = createRequire(path.join(repo, 'server-proxy', 'package.json'));
const { Pool } = requireFromService('undici');
const dist = path.join(repo, 'server-proxy', 'dist');
const imagesFile = path.join(runDir, 'images.env');
if (!fs.existsSync(imagesFile)) throw new Error(`${imagesFile} is missing: start the cluster with its real node`);
const images = Object.fromEntries(
  fs.readFileSync(imagesFile, 'utf8').split('\n').map(l => /^(\w+)=['"]?([^'"]*)['"]?$/.exec(l.trim())).filter(Boolean).map(m => [m[1], m[2]])
);
const [selKey, selValue] = images.LAKETAHOE_K8S_NODE_SELECTOR.split('=');
const podTemplate = {
  nodeSelector: { [selKey]: selValue },
  tolerations: [{ key: images.LAKETAHOE_K8S_NODE_TAINT.split('=')[0], operator: 'Exists', effect: 'NoSchedule' }],
  hostNetwork: true
};
const body = JSON.stringify({ inputs: [{ name: 'input-0', datatype: 'FP64', shape: [2, 4], data: [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3] }] });
const inferPath = '/v2/models/iris/infer';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-k8s-serving-'));
const cleanups = [];
const cleanup = async () => {
  for (const step of cleanups.reverse()) await step().catch(err => console.error('cleanup:', err.message));
  cleanups.length = 0;
};

/** A pool to `origin` (TLS options for the API server) calling `urlPath`; `call()` throws on a non-200. */
function target(origin, urlPath, headers = {}, connect = undefined) {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, ...(connect ? { connect } : {}) });
  cleanups.push(() => pool.close());
  return {
    async call() {
      const res = await pool.request({ method: 'POST', path: urlPath, headers: { 'content-type': 'application/json', ...headers }, body });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode} from ${origin}${urlPath}`);
    }
  };
}

/** The floor: a bare Node HTTP server in its own process relaying the body to UPSTREAM + the request's path. */
const BARE_FORWARDER = `
const http = require('node:http');
const { Pool } = require(process.env.UNDICI);
const tls = JSON.parse(process.env.TLS);
const pool = new Pool(process.env.UPSTREAM, { connections: 64, pipelining: 1, connect: tls });
const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const answer = await pool.request({ method: 'POST', path: process.env.PREFIX + req.url, headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
  const out = Buffer.from(await answer.body.arrayBuffer());
  res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'], 'content-length': out.length });
  res.end(out);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function sequential(targets) {
  const samples = Object.fromEntries(Object.keys(targets).map(k => [k, []]));
  const entries = Object.entries(targets);
  for (let block = 0; block < requestCount / 50; block++) {
    // The order turns by one each block: in a fixed order the slot after another target's costs its
    // holder more (see bench/serving/RESULTS.md), so every path takes every slot equally often.
    const turn = block % entries.length;
    for (const [name, t] of [...entries.slice(turn), ...entries.slice(0, turn)]) {
      for (let i = 0; i < 50; i++) {
        const start = performance.now();
        await t.call();
        samples[name].push(performance.now() - start);
      }
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([k, s]) => {
      const sorted = [...s].sort((a, b) => a - b);
      return [k, { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples: s }];
    })
  );
}

async function throughput(t) {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await t.call();
        done += 1;
      }
    })
  );
  return done / ((performance.now() - start) / 1000);
}

const user = `bench${uniqueId()}`;
const namespace = `laketahoe-${user}`;
const admin = adminConfig();
const core = admin.makeApiClient(k8s.CoreV1Api);
try {
  // The S3-compatible server of the tests, a tenant namespace of the bench's own, the service.
  const s3Dir = path.join(dir, 's3');
  execFileSync(path.join(repo, 'tools', 's3', 'server.sh'), ['start', s3Dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  cleanups.push(async () => execFileSync(path.join(repo, 'tools', 's3', 'server.sh'), ['stop', s3Dir], { stdio: 'ignore' }));
  const s3 = Object.fromEntries(fs.readFileSync(path.join(s3Dir, 'env'), 'utf8').trim().split('\n').map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'laketahoe.io/tenant': user, 'laketahoe.io/bench': 'true' } } } });
  cleanups.push(() => removeNamespace(core, namespace));
  await defaultServiceAccount(core, namespace);

  const rootDir = path.join(dir, 'root');
  fs.mkdirSync(rootDir);
  execFileSync(path.join(repo, '.venv', 'bin', 'python'), [path.join(repo, 'server-proxy', 'test', 'serving', 'make_models.py'), path.join(rootDir, 'models')]);
  const templateFile = path.join(dir, 'pod-template.json');
  fs.writeFileSync(templateFile, JSON.stringify(podTemplate));
  const token = `bench-${uniqueId()}${uniqueId()}`;
  const runtimeFile = path.join(dir, 'runtime.json');
  const service = spawn(
    process.execPath,
    [path.join(dist, 'main.js'), 'serve', '--port', '0', '--root-dir', rootDir, '--data-dir', path.join(dir, 'data'), '--runtime-file', runtimeFile,
      '--user', user, '--backend', 'kubernetes', '--k8s-kubeconfig', path.join(runDir, 'kubeconfig'), '--k8s-serving-image', images.LAKETAHOE_K8S_IMAGE_SERVING,
      '--k8s-pod-template', templateFile, '--artifact-store', 's3', '--s3-endpoint', s3.LAKETAHOE_S3_ENDPOINT, '--s3-bucket', s3.LAKETAHOE_S3_BUCKET,
      '--s3-region', s3.LAKETAHOE_S3_REGION, '--s3-path-style', 'true', '--s3-credentials-file', path.join(s3Dir, 'env'), '--log-level', 'warn'],
    { env: { ...process.env, LAKETAHOE_TOKEN: token }, stdio: ['ignore', 'ignore', 'inherit'] }
  );
  cleanups.push(async () => {
    service.kill();
    await new Promise(resolve => (service.exitCode === null ? service.once('exit', resolve) : resolve()));
  });
  for (let i = 0; i < 300 && !fs.existsSync(runtimeFile); i++) await sleep(100);
  const { url } = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  const auth = { authorization: `Bearer ${token}` };
  const api = async (method, route, json) => {
    const res = await fetch(`${url}/api/v1${route}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: json && JSON.stringify(json) });
    const answer = await res.json();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const waitFor = async (what, ok) => {
    for (let i = 0; i < 600; i++) {
      const d = await api('GET', '/deployments/bench');
      if (d.state === 'FAILED' || d.challenger?.state === 'FAILED') throw new Error(`${what}: ${d.errorMessage || d.challenger.errorMessage}`);
      if (ok(d)) return d;
      await sleep(500);
    }
    throw new Error(`${what}: not within 300 s`);
  };

  await api('POST', '/models', { path: 'models/iris' });
  await api('POST', '/models', { path: 'models/iris' });
  await api('POST', '/deployments', { name: 'bench', model: { name: 'iris', version: 1 }, resources: { cpu: 0.5, memoryGb: 1 } });
  await waitFor('deploying', d => d.state === 'READY');

  // The pod's own port, and the API server's service proxy path to its Service.
  const [svc] = (await core.listNamespacedService({ namespace })).items;
  const port = svc.spec.ports[0].port;
  const cluster = admin.getCurrentCluster();
  const user0 = admin.getCurrentUser();
  const read = (data, file) => (data ? Buffer.from(data, 'base64') : file ? fs.readFileSync(file) : undefined);
  const tls = { ca: read(cluster.caData, cluster.caFile)?.toString(), cert: read(user0.certData, user0.certFile)?.toString(), key: read(user0.keyData, user0.keyFile)?.toString() };
  const prefix = `/api/v1/namespaces/${namespace}/services/${svc.metadata.name}:http/proxy`;
  const undici = requireFromService.resolve('undici');
  const bare = spawn(process.execPath, ['-e', BARE_FORWARDER], { env: { ...process.env, UPSTREAM: cluster.server, PREFIX: prefix, TLS: JSON.stringify(tls), UNDICI: undici }, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(async () => bare.kill());
  const barePort = await new Promise((resolve, reject) => {
    bare.stdout.once('data', d => resolve(Number(String(d).trim())));
    bare.once('exit', code => reject(new Error(`bare forwarder exited with ${code}`)));
  });

  const paths = {
    pod: target(`http://127.0.0.1:${port}`, inferPath),
    apiserver: target(cluster.server, prefix + inferPath, {}, tls),
    forwarder: target(`http://127.0.0.1:${barePort}`, inferPath),
    service: target(url, `/api/v1/deployments/bench${inferPath}`, auth)
  };
  for (let i = 0; i < 100; i++) for (const t of Object.values(paths)) await t.call();
  const lat = await sequential(paths);
  const rps = {};
  for (const [k, t] of Object.entries(paths)) rps[k] = await throughput(t);

  // Champion and challenger: the same model as version 2, first a 50% canary, then a shadow.
  await api('PATCH', '/deployments/bench', { challenger: { model: { name: 'iris', version: 2 }, mode: 'canary', weight: 50 } });
  await waitFor('the challenger', d => d.challenger?.state === 'READY');
  const viaService = { service: paths.service };
  for (let i = 0; i < 100; i++) await paths.service.call();
  const canary = (await sequential(viaService)).service;
  const rpsCanary = await throughput(paths.service);
  await api('PATCH', '/deployments/bench', { challenger: { mode: 'shadow' } });
  const shadow = (await sequential(viaService)).service;
  const rpsShadow = await throughput(paths.service);
  const versions = await api('GET', '/deployments/bench/monitoring/versions');

  const f = v => v.toFixed(2).padStart(8);
  const row = (label, s, r, base) =>
    console.log(`${label.padEnd(52)} ${f(s.p50)} ${f(s.p99)} ${base ? `${f(s.p50 - base.p50)} ${f(s.p99 - base.p99)}` : ' '.repeat(17)} ${r.toFixed(0).padStart(8)}`);
  console.log(`real node ${images.LAKETAHOE_K8S_NODE_NAME}; MLServer pod (0.5 CPU), scikit-learn LogisticRegression (iris, 2 rows); ${requestCount} sequential requests per path; throughput with ${concurrency} in flight for ${seconds} s`);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map(v => v.toFixed(2)).join(' ')}`);
  console.log(`${''.padEnd(52)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'+p50'.padStart(8)} ${'+p99'.padStart(8)} ${'req/s'.padStart(8)}`);
  row('peer: the pod called directly', lat.pod, rps.pod);
  row('peer: API server service proxy (vs the pod)', lat.apiserver, rps.apiserver, lat.pod);
  row('peer: bare Node forwarder -> service proxy (vs proxy)', lat.forwarder, rps.forwarder, lat.apiserver);
  row('ours: the service -> service proxy (vs proxy)', lat.service, rps.service, lat.apiserver);
  row('ours: canary 50% to a second pod (vs no challenger)', canary, rpsCanary, lat.service);
  row('ours: shadow copy to a second pod (vs no challenger)', shadow, rpsShadow, lat.service);
  // The target: the service adds no more than the forwarder. Both are measured against the same proxy, so
  // what one adds more than the other is their p50 difference, given with the interval of its paired blocks.
  console.log(`the service minus the bare forwarder at p50: ${formatDifference(p50Difference(lat.service.samples, lat.forwarder.samples, 50), 2)}`);
  console.log(`shadow copies dropped (over 64 in flight): ${versions.shadowDropped}; compared ${versions.agreement.compared}, agreement ${versions.agreement.rate}`);
  await api('DELETE', '/deployments/bench');
} finally {
  await cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
}
