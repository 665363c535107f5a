// (b) Time from creating a trial-like Job to its pod Running under kwok, split into the Job
// controller (create -> pod exists), the scheduler (-> bound to a node) and kwok (-> Running),
// beside a peer measured in the same run: bare Pods with the same template, which skip the Job
// controller. Times are taken on this side: when the create call starts and when the watch
// delivers each change, so they include the watch's delivery.
//
// Usage: node bench/k8s/pod-running.mjs [--jobs 100] [--qps 50] [--single 20]
import {
  adminConfig, arg, benchTenant, k8s, keepAliveAgent, podTimeline, pool, rateLimiter, reuseConnections, summary, trialJob, uniqueId
} from './common.mjs';

const burstCount = arg('jobs', 100);
const qps = arg('qps', 50);
const singleCount = arg('single', 20);
const namespace = `bench-running-${uniqueId()}`;

const admin = adminConfig();
const tenant = await benchTenant(admin, namespace);
const batch = tenant.kc.makeApiClient(k8s.BatchV1Api);
const core = tenant.kc.makeApiClient(k8s.CoreV1Api);
const reuse = reuseConnections(await keepAliveAgent(tenant.kc));

const timeline = await podTimeline(tenant.kc, namespace);
const { seen, stamp, untilRunning } = timeline;

const createJob = name => batch.createNamespacedJob({ namespace, body: trialJob(name, { runSeconds: 30 }) }, reuse);
function createPod(name) {
  const template = trialJob(name, { runSeconds: 30 }).spec.template;
  // Bare pods without an outcome stay Running until deleted; that is all this measures.
  return core.createNamespacedPod({ namespace, body: { metadata: { name, ...template.metadata }, spec: template.spec } }, reuse);
}

async function run(label, names, create, { oneByOne = false, limit = async () => {} }) {
  const running = [];
  await pool(names.length, oneByOne ? 1 : 8, async i => {
    await limit();
    stamp(names[i], 'created');
    await create(names[i]);
    running.push(untilRunning(names[i]));
    if (oneByOne) await running[i];
  });
  await Promise.all(running);
  const rows = names.map(n => seen.get(n));
  console.log(`${label}`);
  console.log(`  create -> Running   ${summary(rows.map(r => r.running - r.created))}`);
  console.log(`  create -> pod seen  ${summary(rows.map(r => r.added - r.created))}`);
  console.log(`  pod seen -> bound   ${summary(rows.map(r => r.scheduled - r.added))}`);
  console.log(`  bound -> Running    ${summary(rows.map(r => r.running - r.scheduled))}`);
}

const names = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const oneAtATime = { oneByOne: true };
console.log(`kwok pod lifecycle; times from the create call to the watch event, in ${namespace}\n`);
await run(`Jobs one at a time (${singleCount})`, names('single-job', singleCount), createJob, oneAtATime);
await run(`bare Pods one at a time (${singleCount}, peer)`, names('single-pod', singleCount), createPod, oneAtATime);
const burst = () => ({ limit: rateLimiter(qps, 10) });
await run(`${burstCount} Jobs at ${qps} QPS`, names('burst-job', burstCount), createJob, burst());
await run(`${burstCount} bare Pods at ${qps} QPS (peer)`, names('burst-pod', burstCount), createPod, burst());

timeline.stop();
await tenant.remove();
