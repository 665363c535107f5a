// (a) Trial-like batch/v1 Jobs created per second against the real apiserver, through
// @kubernetes/client-node with a client-side rate limit set on purpose, beside peers measured in
// the same run: the same client reusing connections, raw HTTPS with keep-alive, and
// `kubectl create -f` of the same manifests.
//
// The Jobs are created suspended, so no pods follow and each variant meets the same idle
// controllers (bench/k8s/pod-running.mjs measures the pod path). Each variant runs once under the
// configured limit (--qps, the rate the backend is meant to hold) and once without a limit
// (the ceiling of that path on this machine).
//
// Usage: node bench/k8s/create-rate.mjs [--jobs 300] [--qps 50] [--burst 10] [--concurrency 8]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {
  adminConfig, arg, benchTenant, clientNodeVersion, k8s, keepAliveAgent, kubectlPath, pool, rateLimiter, reuseConnections,
  summary, trialJob, uniqueId
} from './common.mjs';

const jobs = arg('jobs', 300);
const configuredQps = arg('qps', 50);
const burst = arg('burst', 10);
const concurrency = arg('concurrency', 8);
let qps = configuredQps;
const namespace = `bench-create-${uniqueId()}`;

const admin = adminConfig();
const tenant = await benchTenant(admin, namespace);
const batch = tenant.kc.makeApiClient(k8s.BatchV1Api);

/** Creates `jobs` Jobs through `create(manifest)` under the rate limit; returns the rate and latencies. */
async function measure(label, prefix, create) {
  const limit = qps > 0 ? rateLimiter(qps, burst) : async () => {};
  const latencies = [];
  const started = performance.now();
  await pool(jobs, concurrency, async i => {
    await limit();
    const t0 = performance.now();
    await create(suspended(trialJob(`${prefix}-${i}`, { jobId: prefix, trial: i })));
    latencies.push(performance.now() - t0);
  });
  const seconds = (performance.now() - started) / 1000;
  report(label, jobs / seconds, seconds, summary(latencies));
}

function suspended(job) {
  job.spec.suspend = true;
  return job;
}

function report(label, rate, seconds, detail) {
  console.log(`${label.padEnd(44)} ${rate.toFixed(1).padStart(6)} jobs/s  (${jobs} in ${seconds.toFixed(2)} s; ${detail})`);
}

console.log(`Creating ${jobs} trial-like Jobs (suspended) per variant in ${namespace} as a tenant service account;`);
console.log(`${concurrency} requests in flight; @kubernetes/client-node ${clientNodeVersion}; kubectl ${kubectlVersion()}`);

const sharedAgent = await keepAliveAgent(tenant.kc);
const reuse = reuseConnections(sharedAgent);
const server = new URL(tenant.kc.getCurrentCluster().server);
const rawAgent = await keepAliveAgent(tenant.kc);
/** Peer: a raw HTTPS POST on a keep-alive connection, no client library. */
function rawCreate(body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: server.hostname, port: server.port, method: 'POST', agent: rawAgent,
        path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
        headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
      },
      res => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      }
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-k8s-'));
const kubeconfig = path.join(dir, 'kubeconfig');
fs.writeFileSync(kubeconfig, tenant.kc.exportConfig(), { mode: 0o600 });
function kubectlVersion() {
  return JSON.parse(execFileSync(kubectlPath, ['version', '--client', '-o', 'json'])).clientVersion.gitVersion;
}

for (const setting of [configuredQps, 0]) {
  qps = setting;
  const tag = qps > 0 ? `q${qps}` : 'max';
  console.log(qps > 0 ? `\nclient-side limit ${qps} QPS, burst ${burst}:` : '\nno client-side limit:');
  // client-node as the backend would use it: one API object; it makes a new https.Agent, so a
  // new TLS connection, for every request.
  await measure('client-node createNamespacedJob', `${tag}-cn`, body => batch.createNamespacedJob({ namespace, body }));
  // The same calls with one keep-alive agent put on each request by a middleware.
  await measure('client-node + keep-alive agent middleware', `${tag}-cnka`, body => batch.createNamespacedJob({ namespace, body }, reuse));
  await measure('raw HTTPS POST, keep-alive (peer)', `${tag}-raw`, rawCreate);
}

// Peer: kubectl create -f with all manifests in one file; kubectl sends them one at a time,
// under its own client-side limit.
const manifests = path.join(dir, 'jobs.json');
fs.writeFileSync(manifests, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: Array.from({ length: jobs }, (_, i) => suspended(trialJob(`kc-${i}`, { jobId: 'kc', trial: i }))) }));
const started = performance.now();
execFileSync(kubectlPath, ['--kubeconfig', kubeconfig, '-n', namespace, 'create', '-f', manifests, '-o', 'name'], { stdio: ['ignore', 'ignore', 'inherit'] });
const seconds = (performance.now() - started) / 1000;
console.log('\npeer in another client:');
report('kubectl create -f (sequential)', jobs / seconds, seconds, 'one process, one request after another');

fs.rmSync(dir, { recursive: true, force: true });
sharedAgent.destroy();
rawAgent.destroy();
await tenant.remove();
