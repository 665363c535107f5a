// Where the time of one Kubernetes submit goes: the service's own KubeClient (server-proxy/dist, or
// another build given with --dist) makes the calls of one BASIC notebook job one submit at a time,
// each step timed: the dry run at submit (ConfigMap + Job), then the real Job create and the owned
// ConfigMap create. Peer in the same run: the same steps through raw client-node with one keep-alive
// agent.
//
// This is the four-call sequence submits made before they became one Job create (bench/k8s/RESULTS.md
// keeps its numbers as the "before"); the one-call submit's own steps come from the service's
// Server-Timing header, printed by service-jobs.mjs.
//
// Usage: node bench/k8s/submit-steps.mjs [--runs 30] [--dist server-proxy/dist] [--qps 1000 --burst 1000]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { adminConfig, arg, benchTenant, k8s, keepAliveAgent, repo, reuseConnections, runDir, summary, trialJob, uniqueId } from './common.mjs';

const runs = arg('runs', 30);
const dist = path.resolve(arg('dist', path.join(repo, 'server-proxy', 'dist')));
const qps = arg('qps', 1000);
const burst = arg('burst', 1000);
const { KubeClient } = await import(pathToFileURL(path.join(dist, 'backends', 'kubernetes', 'client.js')).href);

const namespace = `bench-steps-${uniqueId()}`;
const admin = adminConfig();
const tenant = await benchTenant(admin, namespace);
const kubeconfig = path.join(runDir, `${namespace}.kubeconfig`);
(await import('node:fs')).writeFileSync(kubeconfig, tenant.kc.exportConfig());

const configMap = name => ({
  metadata: { name: `${name}-input`, namespace },
  data: { 'train.ipynb': JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }), 'parameters.json': '{}' }
});
const job = name => ({ ...trialJob(name), metadata: { ...trialJob(name).metadata, namespace } });

async function steps(label, calls) {
  const times = { dryRun: [], job: [], configMap: [], total: [] };
  for (let i = 0; i < runs; i++) {
    const name = `${label}-${i}`;
    const t0 = performance.now();
    await calls.dryRun(name);
    const t1 = performance.now();
    const created = await calls.job(name);
    const t2 = performance.now();
    await calls.configMap(name, created);
    const t3 = performance.now();
    times.dryRun.push(t1 - t0);
    times.job.push(t2 - t1);
    times.configMap.push(t3 - t2);
    times.total.push(t3 - t0);
  }
  console.log(label);
  for (const [step, values] of Object.entries(times)) console.log(`  ${step.padEnd(10)} ${summary(values)}`);
}

const owner = created => [{ apiVersion: 'batch/v1', kind: 'Job', name: created.metadata.name, uid: created.metadata.uid }];
const client = new KubeClient({ kubeconfig }, { qps, burst });
console.log(`${runs} submits one at a time in ${namespace}; KubeClient from ${path.relative(repo, dist) || dist}\n`);
await steps('svc', {
  dryRun: name => client.dryRunCreate({ configMap: configMap(name), jobs: [job(name)] }),
  job: name => client.createJob(job(name)),
  configMap: (name, created) => client.createConfigMap({ ...configMap(name), metadata: { ...configMap(name).metadata, ownerReferences: owner(created) } })
});
const batch = tenant.kc.makeApiClient(k8s.BatchV1Api);
const core = tenant.kc.makeApiClient(k8s.CoreV1Api);
const reuse = reuseConnections(await keepAliveAgent(tenant.kc));
await steps('raw', {
  dryRun: async name => {
    await core.createNamespacedConfigMap({ namespace, body: configMap(name), dryRun: 'All' }, reuse);
    await batch.createNamespacedJob({ namespace, body: job(name), dryRun: 'All' }, reuse);
  },
  job: name => batch.createNamespacedJob({ namespace, body: job(name) }, reuse),
  configMap: (name, created) =>
    core.createNamespacedConfigMap({ namespace, body: { ...configMap(name), metadata: { ...configMap(name).metadata, ownerReferences: owner(created) } } }, reuse)
});
(await import('node:fs')).rmSync(kubeconfig);
await tenant.remove();
process.exit(0);
