// (c) Watch load with 1,000 Jobs: CPU time and memory of a process holding client-node informers
// on 1,000 trial-like Jobs and their Pods while they are created, run, finish and are deleted,
// beside peers measured in the same run: the same Node process without informers (the floor)
// and `kubectl get -w` on jobs and on pods (client-go watches that print each change but keep
// no cache).
//
// Usage: node bench/k8s/watch-load.mjs [--jobs 1000] [--qps 100]
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  addNodes, adminConfig, arg, benchTenant, k8s, kubectlPath, pool, rateLimiter, sleep,
  trialJob, uniqueId
} from './common.mjs';

const jobCount = arg('jobs', 1000);
const qps = arg('qps', 100);
const namespace = `bench-watch-${uniqueId()}`;
const here = path.dirname(fileURLToPath(import.meta.url));
const ticksPerSecond = 100; // USER_HZ on Linux

const admin = adminConfig();
const tenant = await benchTenant(admin, namespace);
// 5 x 110 pod slots come with the cluster; these make room for all pods at once.
const removeNodes = await addNodes(admin, Math.ceil(jobCount / 110), `bench-${namespace.slice(-8)}-`);
const batch = tenant.kc.makeApiClient(k8s.BatchV1Api);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-k8s-'));
const kubeconfig = path.join(dir, 'kubeconfig');
fs.writeFileSync(kubeconfig, tenant.kc.exportConfig(), { mode: 0o600 });

/** CPU seconds (user + system) and RSS of a process, from /proc. */
function usage(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = name => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)[1]);
  return { cpu, rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

function nodeHolder(mode) {
  const child = fork(path.join(here, 'informer-holder.mjs'), [kubeconfig, namespace, mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise(resolve => child.once('message', resolve));
  return {
    child, ready,
    ask: () => new Promise(resolve => (child.once('message', resolve), child.send('sample'))),
    stop: () => child.send('stop')
  };
}

const holders = {
  'client-node informers (jobs + pods)': nodeHolder('--informers'),
  'same Node process, no informers (floor)': nodeHolder('--none')
};
const kubectlWatch = kind => {
  const child = spawn(kubectlPath, ['--kubeconfig', kubeconfig, '-n', namespace, 'get', kind, '-w', '-o', 'name'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { child, ready: sleep(1000), stop: () => child.kill() };
};
holders['kubectl get jobs -w (peer)'] = kubectlWatch('jobs');
holders['kubectl get pods -w (peer)'] = kubectlWatch('pods');
// The watchers must not outlive this script, also when a step below fails.
process.on('exit', () => Object.values(holders).forEach(h => h.child.kill()));
await Promise.all(Object.values(holders).map(h => h.ready));
const informers = holders['client-node informers (jobs + pods)'];

const samples = [];
function sample(phase) {
  const at = { phase, time: performance.now() };
  for (const [name, h] of Object.entries(holders)) at[name] = usage(h.child.pid);
  samples.push(at);
}

async function until(what, predicate, timeoutSeconds) {
  for (let waited = 0; waited < timeoutSeconds * 2; waited++) {
    if (predicate(await informers.ask())) return;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

console.log(`${jobCount} trial-like Jobs in ${namespace}, created at ${qps} QPS, pods running 5-30 s each\n`);
sample('start');
await sleep(5000);
sample('idle, empty namespace (5 s)');

const limit = rateLimiter(qps, 20);
await pool(jobCount, 8, async i => {
  await limit();
  const job = trialJob(`watch-${i}`, { runSeconds: 5 + (i % 26), trial: i });
  await batch.createNamespacedJob({ namespace, body: job });
});
await until('all Jobs to be seen', s => s.jobs === jobCount, 60);
sample(`${jobCount} Jobs created`);
await until('all Jobs to finish', s => s.pods === jobCount, 600);
const allFinished = async () => {
  const list = await batch.listNamespacedJob({ namespace });
  return list.items.filter(j => (j.status?.succeeded ?? 0) > 0).length === jobCount;
};
for (let i = 0; i < 600 && !(await allFinished()); i++) await sleep(1000);
sample('pods created, ran and finished');
await sleep(10_000);
sample(`holding ${jobCount} Jobs + ${jobCount} Pods, idle (10 s)`);
const held = await informers.ask();
await batch.deleteCollectionNamespacedJob({ namespace, propagationPolicy: 'Background' });
await until('Jobs and Pods to be deleted', s => s.jobs === 0 && s.pods === 0, 600);
sample('all deleted');
const final = await informers.ask();

// Report: CPU seconds per phase and memory at the end of each phase, per process.
const names = Object.keys(holders);
const phases = samples.slice(1).map((s, i) => ({ s, prev: samples[i] }));
console.log(`phase durations: ${phases.map(({ s, prev }) => `${s.phase} ${((s.time - prev.time) / 1000).toFixed(1)} s`).join('; ')}\n`);
for (const name of names) {
  console.log(name);
  for (const { s, prev } of phases) {
    console.log(`  ${s.phase.padEnd(40)} cpu ${(s[name].cpu - prev[name].cpu).toFixed(2).padStart(6)} s   rss ${s[name].rssMiB.toFixed(0).padStart(4)} MiB`);
  }
  const last = samples[samples.length - 1][name];
  console.log(`  total cpu ${(last.cpu - samples[0][name].cpu).toFixed(2)} s, peak rss ${last.peakMiB.toFixed(0)} MiB`);
}
console.log(`\ninformer cache while holding: ${held.jobs} Jobs, ${held.pods} Pods, JS heap used ${held.heapUsedMiB.toFixed(0)} MiB (${final.heapUsedMiB.toFixed(0)} MiB after all were deleted)`);
console.log(`informer events: ${JSON.stringify(final.events)}`);

for (const h of Object.values(holders)) h.stop();
await removeNodes();
await tenant.remove();
fs.rmSync(dir, { recursive: true, force: true });
