// (a) and (b) through the service: jobs submitted to the LakeTahoe API (POST /api/v1/jobs) with
// the Kubernetes backend, then timed to their pod Running (seen by a watch, as in pod-running.mjs)
// and to the service reporting RUNNING (the job's stateHistory), with the time of each step of a
// submit inside the service (its Server-Timing header). Peer in the same run and
// namespace: the same number of trial-like Jobs created straight through client-node.
//
// Then, with --trials N (0 skips it): one HPO job of N trials, all in parallel (maxParallelTrials N),
// held Running by kwok; trial Jobs created per second are counted from a watch on the namespace's
// Jobs. Peer: N trial-like Jobs and their ConfigMaps (what the service creates per trial) straight
// through client-node (keep-alive) under a token bucket of the same QPS and burst.
//
// Usage: node bench/k8s/service-jobs.mjs [--jobs 100] [--concurrency 8] [--trials 200] [--qps 50 --burst 100]
//   --qps/--burst are the service's --k8s-qps/--k8s-burst (its defaults when not given);
//   --dist DIR runs another build of the service (e.g. an older one, which then takes no --qps).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  addNodes, adminConfig, arg, defaultServiceAccount, k8s, keepAliveAgent, podTimeline, pool, rateLimiter, removeNamespace, repo, reuseConnections, runDir, sleep, summary, trialJob,
  uniqueId
} from './common.mjs';

const jobs = arg('jobs', 100);
const concurrency = arg('concurrency', 8);
const trials = arg('trials', 200);
// The service's --k8s-qps/--k8s-burst; its defaults (50, 100) unless given. The peer uses the same.
const limitFlags = process.argv.includes('--qps') ? ['--k8s-qps', String(arg('qps', 50)), '--k8s-burst', String(arg('burst', 100))] : [];
const qps = arg('qps', 50);
const burst = arg('burst', 100);
const user = `bench${uniqueId()}`;
const namespace = `laketahoe-${user}`;
const dist = path.resolve(arg('dist', path.join(repo, 'server-proxy', 'dist')));
const mainJs = path.join(dist, 'main.js');
if (!fs.existsSync(path.join(dist, 'backends', 'kubernetes', 'backend.js'))) {
  throw new Error('server-proxy/dist has no Kubernetes backend: run `cd server-proxy && npm run build`');
}

// The tenant namespace the service expects (laketahoe-{user}), without the tenant quota of 100 Jobs.
const admin = adminConfig();
const core = admin.makeApiClient(k8s.CoreV1Api);
await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'laketahoe.io/tenant': user, 'laketahoe.io/bench': 'true' } } } });
await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'laketahoe' } } });
await defaultServiceAccount(core, namespace);
// Scale tier BASIC asks for 1 CPU and 2 GiB, and only cpu-0 (32 CPUs) takes pods without a GPU
// toleration: room for every job at once, so the times measure the path and not a queue.
const removeNodes = await addNodes(admin, Math.ceil((jobs + trials) / 50), `bench-${user.slice(-8)}-`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-k8s-service-'));
const rootDir = path.join(dir, 'root');
fs.mkdirSync(rootDir);
fs.writeFileSync(
  path.join(rootDir, 'train.ipynb'),
  JSON.stringify({
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { id: 'p', cell_type: 'code', metadata: { tags: ['parameters'] }, source: 'lr = 0.01', outputs: [], execution_count: null },
      { id: 't', cell_type: 'code', metadata: {}, source: 'print(lr)', outputs: [], execution_count: null }
    ]
  })
);
const token = `bench-${uniqueId()}${uniqueId()}`;
const runtimeFile = path.join(dir, 'runtime.json');
// Extra node flags for the service, e.g. SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
const serviceNodeArgs = (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
const service = spawn(
  process.execPath,
  [...serviceNodeArgs, mainJs, 'serve', '--port', '0', '--root-dir', rootDir, '--data-dir', path.join(dir, 'data'), '--runtime-file', runtimeFile,
    '--user', user, '--backend', 'kubernetes', '--k8s-kubeconfig', path.join(runDir, 'kubeconfig'), '--k8s-ttl-seconds', '600',
    ...limitFlags, '--log-level', 'warn'],
  { env: { ...process.env, LAKETAHOE_TOKEN: token }, stdio: ['ignore', 'ignore', 'inherit'] }
);
process.on('exit', () => service.kill()); // also when a step below fails
// A loaded machine may take tens of seconds to start the service.
for (let i = 0; i < 1200 && !fs.existsSync(runtimeFile); i++) await sleep(100);
const { url } = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
// Per step of the submits (the service's Server-Timing header, builds that send one), in ms.
const steps = new Map();
const outside = [];
const call = async (method, route, body) => {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1${route}`, { method, headers, body: body && JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  let inside;
  for (const [, name, ms] of (res.headers.get('server-timing') ?? '').matchAll(/([\w-]+);dur=([\d.]+)/g)) {
    steps.set(name, [...(steps.get(name) ?? []), Number(ms)]);
    inside = (inside ?? 0) + Number(ms);
  }
  if (inside !== undefined) outside.push(performance.now() - t0 - inside);
  return json;
};

// Keys: the service's jobId (label laketahoe.io/job-id on its pods), or the Job name for the peer.
const timeline = await podTimeline(admin, namespace, pod => pod.metadata.labels?.['laketahoe.io/job-id'] ?? pod.metadata.labels?.['job-name']);
const { seen, stamp, untilRunning } = timeline;

async function measure(label, ids, create) {
  const latencies = [];
  const started = performance.now();
  await pool(ids.length, concurrency, async i => {
    stamp(ids[i], 'created');
    seen.get(ids[i]).createdAt = Date.now();
    await create(ids[i], i);
    latencies.push(performance.now() - seen.get(ids[i]).created);
  });
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(ids.map(untilRunning));
  const rows = ids.map(id => seen.get(id));
  console.log(`${label}`);
  console.log(`  created                           ${(ids.length / seconds).toFixed(1)} jobs/s (${ids.length} in ${seconds.toFixed(2)} s, ${concurrency} in flight; per call ${summary(latencies)})`);
  console.log(`  create -> pod Running             ${summary(rows.map(r => r.running - r.created))}`);
}

console.log(`${jobs} jobs each way in ${namespace}; service ${url} (${path.relative(repo, dist)}) with the Kubernetes backend ${limitFlags.join(' ')}\n`);
const serviceIds = Array.from({ length: jobs }, (_, i) => `svc_${i}`);
await measure('through the service: POST /api/v1/jobs', serviceIds, id =>
  call('POST', '/jobs', { jobId: id, labels: { 'laketahoe.test/run-seconds': '30' }, trainingInput: { scaleTier: 'BASIC', notebook: { path: 'train.ipynb' } } })
);
if (steps.size) {
  // Where one submit's time went inside the service; the rest of a call is HTTP, JSON and the event loop.
  for (const [name, values] of steps) console.log(`  step ${name.padEnd(28)} ${summary(values)}`);
  console.log(`  outside the steps (HTTP, waits)   ${summary(outside)}`);
}
// When the service itself says RUNNING: from its stateHistory (same machine, same clock).
let listed = [];
for (let i = 0; i < 600; i++) {
  listed = (await call('GET', '/jobs?pageSize=1000')).jobs.filter(j => j.stateHistory.some(s => s.state === 'RUNNING'));
  if (listed.length >= jobs) break;
  await sleep(500);
}
const runningAt = new Map(listed.map(j => [j.jobId, Date.parse(j.stateHistory.find(s => s.state === 'RUNNING').time)]));
const reported = serviceIds.filter(id => runningAt.has(id)).map(id => runningAt.get(id) - seen.get(id).createdAt);
console.log(`  create -> service reports RUNNING ${summary(reported)}`);
// Outliers with what the service recorded, to tell where the time went.
for (const job of listed.filter(j => runningAt.get(j.jobId) - seen.get(j.jobId).createdAt > 10_000).slice(0, 3)) {
  const t0 = seen.get(job.jobId).createdAt;
  console.log(`  slow: ${job.jobId} ${job.stateHistory.map(h => `${h.state} +${((Date.parse(h.time) - t0) / 1000).toFixed(1)}s (${h.reason})`).join(', ')}`);
}

const batch = admin.makeApiClient(k8s.BatchV1Api);
const reuse = reuseConnections(await keepAliveAgent(admin));
await measure('peer: client-node createNamespacedJob, keep-alive', Array.from({ length: jobs }, (_, i) => `direct-${i}`), name =>
  batch.createNamespacedJob({ namespace, body: trialJob(name, { runSeconds: 30 }) }, reuse)
);

timeline.stop();

/**
 * Resolves when `count` Jobs matching `match` have been added, to the this-side times they were seen;
 * or, should the watch miss some (client-node drops a line silently), 30 s after the last one seen.
 */
async function jobsAdded(match, count) {
  const seenAt = [];
  let done;
  const all = new Promise(resolve => (done = resolve));
  let quiet;
  const request = await new k8s.Watch(admin).watch(`/apis/batch/v1/namespaces/${namespace}/jobs`, {}, (type, job) => {
    if (type === 'ADDED' && match(job)) {
      seenAt.push(performance.now());
      clearTimeout(quiet);
      quiet = setTimeout(done, 30_000);
      if (seenAt.length === count) done();
    }
  }, () => undefined);
  await all;
  clearTimeout(quiet);
  request.abort();
  return seenAt;
}

function rate(label, started, seenAt) {
  const seconds = (seenAt[seenAt.length - 1] - started) / 1000;
  const firstMs = seenAt[0] - started;
  console.log(`${label}`);
  const missed = trials - seenAt.length;
  console.log(`  trial Jobs created                ${(seenAt.length / seconds).toFixed(1)} jobs/s (${seenAt.length} in ${seconds.toFixed(2)} s; first after ${firstMs.toFixed(0)} ms${missed ? `; ${missed} never seen by the watch` : ''})`);
}

if (trials > 0) {
  const hpoId = 'svc_hpo';
  const added = jobsAdded(job => job.metadata.labels?.['laketahoe.io/job-id'] === hpoId, trials);
  const started = performance.now();
  await call('POST', '/jobs', {
    jobId: hpoId,
    labels: { 'laketahoe.test/run-seconds': '120' },
    trainingInput: {
      scaleTier: 'BASIC',
      notebook: { path: 'train.ipynb' },
      hyperparameters: {
        goal: 'MAXIMIZE', hyperparameterMetricTag: 'accuracy', maxTrials: trials, maxParallelTrials: trials, algorithm: 'RANDOM_SEARCH',
        params: [{ parameterName: 'lr', type: 'DOUBLE', minValue: 0.001, maxValue: 0.1 }]
      }
    }
  });
  rate(`\nthrough the service: one HPO job, ${trials} trials, maxParallelTrials ${trials}`, started, await added);
  await call('POST', `/jobs/${hpoId}/cancel`);

  const core = admin.makeApiClient(k8s.CoreV1Api);
  const limit = rateLimiter(qps, burst);
  const peerAdded = jobsAdded(job => job.metadata.name.startsWith('peer-trial-'), trials);
  const peerStarted = performance.now();
  await Promise.all(Array.from({ length: trials }, async (_, i) => {
    const name = `peer-trial-${i}`;
    await limit();
    const created = await batch.createNamespacedJob({ namespace, body: trialJob(name, { runSeconds: 120, trial: i }) }, reuse);
    const ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: created.metadata.uid }];
    await limit();
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `${name}-input`, ownerReferences }, data: { 'parameters.json': '{}' } } }, reuse);
  }));
  rate(`peer: client-node Job + ConfigMap per trial, keep-alive, ${qps} QPS burst ${burst}`, peerStarted, await peerAdded);
}

service.kill('SIGTERM');
await new Promise(resolve => service.once('exit', resolve));
await removeNamespace(core, namespace);
await removeNodes();
fs.rmSync(dir, { recursive: true, force: true });
