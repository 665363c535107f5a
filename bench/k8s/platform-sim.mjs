// The platform's own cluster, simulated: kwok GPU nodes of its shapes (V100 x4, V100 x8, A100 x4),
// tenants with quotas of about a third of the cluster, PriorityClasses high/middle/low, and a mixed
// load through the service's API: training jobs at the three priorities and HPO jobs of up to 1,000
// trials. Then the peer: the same load created straight through client-node under the same rate limit.
// Prints, for both: trial turn -> Job created -> pod created -> pod bound, GPU utilization over the
// run, apiserver requests/s of the client (its own FlowSchema's count), the service's RSS and CPU,
// the scheduler's attempt times, quota and priority violations, and the Jobs/pods alive at the end.
//
// Usage: node bench/k8s/platform-sim.mjs [--nodes 130] [--tenants 30] [--trials 10000] [--trials-per-job 1000]
//   [--parallel 50] [--training 90] [--trial-seconds 30] [--training-seconds 90] [--training-every 3]
//   [--qps 50] [--burst 100] [--ttl 60] [--peer-trials N (default --trials; 0 skips the peer)] [--peer-only]
//   [--service-log FILE] keeps the service's log (its warnings: refused or retried creates) in FILE.
//   [--dump FILE] writes each phase's per-trial times (turn, Job stored/seen, pod seen/bound) to FILE.<phase>.json.
//   SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' profiles the service.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { adminConfig, arg, percentile, repo, runDir, sleep } from './common.mjs';
import {
  apiserverMetrics, counterBy, counterValue, createNodes, createTenants, histogramPercentile, nodePlan, removeTenants, schedulerMetrics, tenantQuota
} from './sim/cluster.mjs';
import { observe } from './sim/observer.mjs';
import { peerLoad } from './sim/peer.mjs';
import { processSampler } from './sim/process.mjs';

const opt = {
  nodes: arg('nodes', 130), tenants: arg('tenants', 30), trials: arg('trials', 10000), perJob: arg('trials-per-job', 1000),
  parallel: arg('parallel', 50), training: arg('training', 90), trialSeconds: arg('trial-seconds', 30),
  trainingSeconds: arg('training-seconds', 90), trainingEvery: arg('training-every', 3), qps: arg('qps', 50), burst: arg('burst', 100), ttl: arg('ttl', 60)
};
opt.peerTrials = arg('peer-trials', opt.trials);
/** `['a', 'b', 'a']` -> '2 a, 1 b'. */
function counts(values) {
  const by = new Map();
  for (const v of values) by.set(v, (by.get(v) ?? 0) + 1);
  return [...by].map(([v, n]) => `${n} ${v}`).join(', ');
}
const PRIORITY_BY_INDEX = ['high', 'middle', 'low'];
const ACCELERATORS = ['NVIDIA_TESLA_V100', 'NVIDIA_TESLA_A100'];

/** The load: HPO jobs over the first tenants, training jobs round the tenants at the three priorities. */
function load(users, trials, prefix) {
  const hpo = [];
  for (let i = 0, left = trials; left > 0; i++, left -= opt.perJob) {
    hpo.push({
      user: users[i % users.length], jobId: `${prefix}hpo_${i}`, trials: Math.min(opt.perJob, left), parallel: opt.parallel,
      priority: i % 3 === 2 ? 'middle' : 'low', acceleratorType: ACCELERATORS[i % 2], runSeconds: opt.trialSeconds + (i % 3) * 5
    });
  }
  const training = Array.from({ length: opt.training }, (_, i) => ({
    user: users[i % users.length], jobId: `${prefix}train_${i}`, priority: PRIORITY_BY_INDEX[Math.floor(i / users.length) % 3],
    gpu: i % 4 === 3 ? 8 : 4, acceleratorType: i % 4 === 3 ? ACCELERATORS[0] : ACCELERATORS[i % 2], runSeconds: opt.trainingSeconds,
    startAtMs: i * opt.trainingEvery * 1000
  }));
  return { hpo, training };
}

const admin = adminConfig();
const plan = nodePlan(opt.nodes);
const totalGpus = plan.reduce((n, { shape }) => n + shape.gpus, 0);
const quota = tenantQuota(plan);
const users = Array.from({ length: opt.tenants }, (_, i) => `sim${String(i).padStart(2, '0')}`);
const shapes = counts(plan.map(p => p.shape.type));
console.log(`cluster: ${plan.length} kwok GPU nodes (${shapes}), ${totalGpus} GPUs; ${users.length} tenants, quota each ${quota['requests.nvidia.com/gpu']} GPUs, ${quota['requests.cpu']} CPUs, ${quota['requests.memory']}`);
console.log(`load: ${opt.trials} trials in HPO jobs of ${opt.perJob} (maxParallelTrials ${opt.parallel}, ${opt.trialSeconds}-${opt.trialSeconds + 10} s each), ${opt.training} training jobs (4 or 8 GPUs, ${opt.trainingSeconds} s, one every ${opt.trainingEvery} s); rate limit ${opt.qps} QPS burst ${opt.burst}; Job TTL ${opt.ttl} s`);
console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map(l => l.toFixed(1)).join(' ')}\n`);

const removeNodes = await createNodes(admin, plan);
const clients = await createTenants(admin, users, quota);
let peerLoadRef;
const observer = await observe(admin, { quotaGpus: Number(quota['requests.nvidia.com/gpu']), totalGpus, onRunEnded: key => peerLoadRef?.runEnded(key) });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-sim-'));
let service;
process.on('exit', () => service?.kill());
// A line a minute, so a long run shows how far it got.
const started = Date.now();
const progress = setInterval(() => {
  const last = observer.samples.at(-1);
  const ended = [...observer.runs.values()].filter(r => r.ended).length;
  if (last) console.log(`  [${((Date.now() - started) / 60000).toFixed(0)} min] runs ended ${ended}; GPUs in use ${last.gpus}/${totalGpus}; pods pending ${last.pending}; alive ${last.jobs} Jobs / ${last.pods} pods`);
}, 60_000);
try {
  if (!process.argv.includes('--peer-only')) report('through the service', await servicePhase());
  if (opt.peerTrials > 0) {
    observer.reset();
    report(`peer: client-node straight, ${opt.qps} QPS burst ${opt.burst}`, await peerPhase());
  }
} finally {
  clearInterval(progress);
  observer.stop();
  await removeTenants(admin, users);
  await removeNodes();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function servicePhase() {
  const rootDir = path.join(dir, 'root');
  fs.mkdirSync(rootDir);
  const notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'p', cell_type: 'code', metadata: { tags: ['parameters'] }, source: 'lr = 0.01', outputs: [], execution_count: null }] };
  fs.writeFileSync(path.join(rootDir, 'train.ipynb'), JSON.stringify(notebook));
  const tokens = Object.fromEntries(users.map(u => [`token-${u}-${Math.random().toString(36).slice(2)}`, u]));
  const tokenOf = Object.fromEntries(Object.entries(tokens).map(([t, u]) => [u, t]));
  fs.writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify({ tokens }));
  fs.writeFileSync(path.join(dir, 'kubeconfig'), clients.service.exportConfig());
  const runtimeFile = path.join(dir, 'runtime.json');
  // Extra node flags for the service, e.g. SERVICE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const nodeArgs = (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const serviceLog = arg('service-log', '');
  service = spawn(process.execPath, [
    ...nodeArgs, path.join(repo, 'server-proxy', 'dist', 'main.js'), 'serve', '--port', '0', '--root-dir', rootDir, '--data-dir', path.join(dir, 'data'),
    '--runtime-file', runtimeFile, '--tokens-file', path.join(dir, 'tokens.json'), '--backend', 'kubernetes',
    '--k8s-kubeconfig', path.join(dir, 'kubeconfig'), '--k8s-ttl-seconds', String(opt.ttl), '--k8s-qps', String(opt.qps), '--k8s-burst', String(opt.burst),
    '--log-level', 'warn'
  ], { stdio: ['ignore', serviceLog ? fs.openSync(serviceLog, 'w') : 'ignore', 'inherit'] });
  for (let i = 0; i < 300 && !fs.existsSync(runtimeFile); i++) await sleep(100);
  const { url } = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  const call = async (user, method, route, body) => {
    const res = await fetch(`${url}/api/v1${route}`, { method, headers: { authorization: `Bearer ${tokenOf[user]}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { hpo, training } = load(users, opt.trials, '');
  const proc = processSampler(service.pid);
  const before = await snapshot();
  const began = Date.now();
  for (const h of hpo) {
    await call(h.user, 'POST', '/jobs', {
      jobId: h.jobId, labels: { 'laketahoe.test/run-seconds': String(h.runSeconds) },
      trainingInput: {
        scaleTier: 'BASIC_GPU', priority: h.priority, notebook: { path: 'train.ipynb' }, masterConfig: { acceleratorConfig: { count: 1, type: h.acceleratorType } },
        hyperparameters: {
          goal: 'MAXIMIZE', hyperparameterMetricTag: 'accuracy', maxTrials: h.trials, maxParallelTrials: h.parallel, algorithm: 'RANDOM_SEARCH',
          params: [{ parameterName: 'lr', type: 'DOUBLE', minValue: 0.001, maxValue: 0.1 }]
        }
      }
    });
  }
  const submits = training.map(t => sleep(Math.max(0, began + t.startAtMs - Date.now())).then(() => call(t.user, 'POST', '/jobs', {
    jobId: t.jobId, labels: { 'laketahoe.test/run-seconds': String(t.runSeconds) },
    trainingInput: {
      scaleTier: 'CUSTOM', priority: t.priority, notebook: { path: 'train.ipynb' },
      masterConfig: { acceleratorConfig: { count: t.gpu, type: t.acceleratorType }, resources: { cpu: 4 * t.gpu, memoryGb: 32 * t.gpu } }
    }
  })));
  await Promise.all(submits);
  // Until every job has ended, as the service reports it.
  const owners = [...new Set([...hpo, ...training].map(j => j.user))];
  const states = new Map();
  for (;;) {
    for (const user of owners) for (const job of (await call(user, 'GET', '/jobs?pageSize=1000')).jobs) states.set(`${user}/${job.jobId}`, job.state);
    const active = [...states.values()].filter(s => !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(s)).length;
    if (states.size >= hpo.length + training.length && active === 0) break;
    await sleep(5000);
  }
  const seconds = (Date.now() - began) / 1000;
  const after = await snapshot();
  const processStats = proc.stop();
  // The controller's decision to start each trial: the trial's createTime (stored QUEUED before anything else).
  for (const h of hpo) {
    let pageToken = '';
    do {
      const page = await call(h.user, 'GET', `/jobs/${h.jobId}/trials?pageSize=1000${pageToken ? `&pageToken=${pageToken}` : ''}`);
      for (const t of page.trials) {
        const run = observer.runs.get(`laketahoe-${h.user}/${h.jobId}/${t.trialId}`);
        if (run) run.turn = Date.parse(t.createTime);
      }
      pageToken = page.nextPageToken ?? '';
    } while (pageToken);
  }
  for (const t of training) {
    const run = observer.runs.get(`laketahoe-${t.user}/${t.jobId}`);
    if (run) run.turn = began + t.startAtMs;
  }
  const jobStates = counts([...states.values()]);
  const result = await closing({ seconds, before, after, flow: 'laketahoe-service', hpo, training, prefix: '', processStats, note: `jobs: ${jobStates}` });
  service.kill('SIGTERM');
  await new Promise(resolve => service.once('exit', resolve));
  service = undefined;
  return result;
}

async function peerPhase() {
  const { hpo, training } = load(users, opt.peerTrials, 'peer_');
  const toSpec = j => ({ ...j, namespace: `laketahoe-${j.user}`, accelerator: j.acceleratorType.toLowerCase().replace(/_/g, '-') });
  const peer = peerLoad(clients.peer, observer, { hpoJobs: hpo.map(toSpec), training: training.map(toSpec), qps: opt.qps, burst: opt.burst, ttl: opt.ttl });
  peerLoadRef = peer;
  const before = await snapshot();
  const began = Date.now();
  await peer.start();
  const seconds = (Date.now() - began) / 1000;
  const after = await snapshot();
  for (const e of peer.errors.slice(0, 3)) console.log(`  peer error: ${e}`);
  return closing({ seconds, before, after, flow: 'laketahoe-peer', hpo, training, prefix: 'peer_', note: `create errors: ${peer.errors.length}` });
}

async function snapshot() {
  return { at: Date.now(), apiserver: await apiserverMetrics(admin), scheduler: await schedulerMetrics(runDir) };
}

/** Figures of one phase; waits out the TTL to count the objects left. */
async function closing({ seconds, before, after, flow, hpo, training, prefix, processStats, note }) {
  const metric = 'apiserver_flowcontrol_dispatched_requests_total';
  const requests = (counterBy(after.apiserver, metric, 'flow_schema')[flow] ?? 0) - (counterBy(before.apiserver, metric, 'flow_schema')[flow] ?? 0);
  const keys = new Set(hpo.flatMap(h => Array.from({ length: h.trials }, (_, i) => `laketahoe-${h.user}/${h.jobId}/${i + 1}`)));
  const trials = [...keys].map(k => observer.runs.get(k)).filter(Boolean);
  const trainingRuns = training.map(t => observer.runs.get(`laketahoe-${t.user}/${t.jobId}`)).filter(Boolean);
  const dump = arg('dump', '');
  if (dump) fs.writeFileSync(`${dump}.${flow}.json`, JSON.stringify(trials));
  const aliveAtEnd = observer.alive();
  const ended = Date.now();
  const samples = observer.samples.filter(s => s.at <= ended);
  const violations = { ...observer.violations, examples: [...observer.violations.examples] };
  await sleep((opt.ttl + 20) * 1000);
  return {
    seconds, requests, note, processStats, trials, trainingRuns, expected: keys.size, aliveAtEnd, aliveAfterTtl: observer.alive(),
    peaks: { ...observer.peaks }, samples, violations, schedulerBefore: before.scheduler, schedulerAfter: after.scheduler, prefix
  };
}

function ms(values) {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  const f = v => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`);
  return s.length ? `p50 ${f(percentile(s, 50))}, p99 ${f(percentile(s, 99))}, max ${f(s.at(-1))} (n=${s.length})` : 'none';
}

function report(label, r) {
  const { trials } = r;
  console.log(`\n== ${label}: ${r.seconds.toFixed(0)} s; ${r.note}`);
  console.log(`  trials seen: ${trials.filter(t => t.podSeen).length} pods of ${r.expected}; bound ${trials.filter(t => t.bound).length}`);
  console.log(`  trial turn -> Job created        ${ms(trials.map(t => t.jobSeen - t.turn))}`);
  console.log(`    of which turn -> Job stored    ${ms(trials.map(t => t.jobStored - t.turn))} (creationTimestamp: whole seconds)`);
  console.log(`    Job stored -> seen by watch    ${ms(trials.map(t => t.jobSeen - t.jobStored))}`);
  console.log(`  trial turn -> pod created        ${ms(trials.map(t => t.podSeen - t.turn))}`);
  console.log(`  trial turn -> pod bound          ${ms(trials.map(t => t.bound - t.turn))}`);
  console.log(`  trial pod created -> bound       ${ms(trials.map(t => t.bound - t.podSeen))}`);
  console.log(`  training submit -> pod bound     ${ms(r.trainingRuns.map(t => t.bound - t.turn))}`);
  const busy = r.samples.filter(s => s.at >= (r.samples.find(x => x.gpus > 0)?.at ?? Infinity));
  const util = busy.map(s => s.utilization).sort((a, b) => a - b);
  const mean = util.reduce((a, b) => a + b, 0) / (util.length || 1);
  const pct = v => `${(100 * v).toFixed(0)}%`;
  console.log(`  GPU utilization                  mean ${pct(mean)}, p50 ${pct(percentile(util, 50))}, max ${pct(util.at(-1) ?? 0)} over ${busy.length} s`);
  const tenths = Array.from({ length: 10 }, (_, i) => busy.slice(Math.floor((i * busy.length) / 10), Math.floor(((i + 1) * busy.length) / 10)));
  console.log(`    by tenth of the run            ${tenths.map(t => pct(t.reduce((a, s) => a + s.utilization, 0) / (t.length || 1))).join(' ')}`);
  console.log(`    pods pending, by tenth         ${tenths.map(t => Math.round(t.reduce((a, s) => a + s.pending, 0) / (t.length || 1))).join(' ')}`);
  console.log(`  apiserver requests of the client ${(r.requests / r.seconds).toFixed(1)}/s average (${r.requests} in ${r.seconds.toFixed(0)} s; limit ${opt.qps}/s, burst ${opt.burst})`);
  if (r.processStats) {
    const p = r.processStats;
    console.log(`  service process                  RSS max ${p.rssMaxMiB.toFixed(0)} MiB, mean ${p.rssMeanMiB.toFixed(0)} MiB; CPU ${p.cpuSeconds.toFixed(0)} s = ${(100 * p.cpuSeconds / r.seconds).toFixed(0)}% of one core on average, busiest 10 s ${(100 * p.peakCore).toFixed(0)}%`);
  }
  const attempt = histogramPercentile(r.schedulerBefore, r.schedulerAfter, 'scheduler_scheduling_attempt_duration_seconds', 99);
  const preemptions = counterValue(r.schedulerAfter, 'scheduler_preemption_attempts_total') - counterValue(r.schedulerBefore, 'scheduler_preemption_attempts_total');
  console.log(`  kube-scheduler attempt p99       <= ${attempt.le * 1000} ms (${attempt.count} attempts; ${preemptions} preemption attempts)`);
  console.log(`  violations                       quota ${r.violations.quota}, priority ${r.violations.priority}`);
  for (const e of r.violations.examples) console.log(`    ${e}`);
  console.log(`  objects alive                    peak ${r.peaks.jobs} Jobs / ${r.peaks.pods} pods; at the end ${r.aliveAtEnd.jobs} Jobs / ${r.aliveAtEnd.pods} pods; TTL + 20 s later ${r.aliveAfterTtl.jobs} Jobs / ${r.aliveAfterTtl.pods} pods`);
}
