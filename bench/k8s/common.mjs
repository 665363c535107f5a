// Shared parts of the Kubernetes benchmarks: the cluster's kubeconfigs, a tenant-like namespace
// of the bench's own, trial-like Job manifests, a client-side rate limiter and statistics.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const runDir = process.env.LAKETAHOE_K8S_RUN ?? path.join(repo, 'tools', 'k8s', 'run');
export const kubectlPath = path.join(repo, 'tools', 'k8s', 'bin', 'kubectl');
const requireFromService = createRequire(path.join(repo, 'server-proxy', 'package.json'));
/** The service's own copy of @kubernetes/client-node (1.4.0), so the bench measures what it ships. */
export const k8s = await import(requireFromService.resolve('@kubernetes/client-node'));
// Middleware given per call must return the client's own Observable type (it has no exports map).
const { of } = await import(requireFromService.resolve('@kubernetes/client-node/dist/gen/rxjsStub.js'));
export const clientNodeVersion = JSON.parse(
  fs.readFileSync(path.join(path.dirname(requireFromService.resolve('@kubernetes/client-node/package.json')), 'package.json'), 'utf8')
).version;

export function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  return typeof fallback === 'number' ? Number(value) : value;
}

export function adminConfig() {
  const file = path.join(runDir, 'kubeconfig');
  if (!fs.existsSync(file)) {
    throw new Error(`no cluster in ${runDir}: run tools/k8s/cluster.sh start (or bench/k8s/run.sh)`);
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/** A kubeconfig for a service account token: what the service's backend uses for a tenant. */
export function tokenConfig(admin, namespace, token) {
  const cluster = admin.getCurrentCluster();
  const kc = new k8s.KubeConfig();
  const ca = cluster.caData ?? fs.readFileSync(cluster.caFile).toString('base64');
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: cluster.server, caData: ca }],
    users: [{ name: 'bench', token }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench', namespace }],
    currentContext: 'bench'
  });
  return kc;
}

/**
 * A namespace like a tenant's (service account bound to the laketahoe-tenant ClusterRole), but
 * without the tenant quota of 100 Jobs and 100 pods, which the larger runs would exceed.
 * Returns the tenant's kubeconfig and a function that deletes the namespace.
 */
export async function benchTenant(admin, namespace) {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'laketahoe.io/bench': 'true' } } } });
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'laketahoe' } } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'laketahoe-tenant' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'laketahoe-tenant' },
      subjects: [{ kind: 'ServiceAccount', name: 'laketahoe', namespace }]
    }
  });
  await defaultServiceAccount(core, namespace);
  const request = await core.createNamespacedServiceAccountToken({
    name: 'laketahoe',
    namespace,
    body: { spec: { expirationSeconds: 3600, audiences: [] } }
  });
  return {
    kc: tokenConfig(admin, namespace, request.status.token),
    token: request.status.token,
    remove: () => removeNamespace(core, namespace)
  };
}

/**
 * Deletes a namespace and waits until it is gone: the garbage collector and the Job controller
 * work through its objects for a while (a minute for 1,200 Jobs), which would slow the next
 * measurement down.
 */
export async function removeNamespace(core, namespace) {
  await core.deleteNamespace({ name: namespace, propagationPolicy: 'Background' }).catch(() => undefined);
  for (let i = 0; i < Number(process.env.BENCH_NS_WAIT ?? 600); i++) {
    const exists = await core.readNamespace({ name: namespace }).then(() => true, () => false);
    if (!exists) return;
    await sleep(500);
  }
  console.log(`  (namespace ${namespace} still terminating after 300 s)`);
}

/**
 * Waits for a new namespace's "default" service account. Pods are refused until the
 * controller-manager has made it, and a Job controller refused once backs off for about 10 s;
 * a tenant namespace made long before its first job has it.
 */
export async function defaultServiceAccount(core, namespace) {
  for (let i = 0; i < 100; i++) {
    const found = await core.readNamespacedServiceAccount({ namespace, name: 'default' }).then(() => true, () => false);
    if (found) return;
    await sleep(100);
  }
}

/** Extra kwok nodes so a thousand small pods fit at once (the seeded cluster has 5 x 110 pod slots). */
export async function addNodes(admin, count, prefix = 'bench-cpu-') {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const names = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${i}`;
    const resources = { cpu: '64', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' };
    await core.createNode({
      body: {
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok', 'laketahoe.io/bench': 'true' }
        },
        status: { capacity: resources, allocatable: resources }
      }
    });
    names.push(name);
  }
  return () => Promise.all(names.map(name => core.deleteNode({ name }).catch(() => undefined)));
}

/**
 * A Job shaped like one HPO trial of the backend: labels naming job and trial, priority class,
 * GPU toleration, TTL after finishing, no retries, and the kwok annotation that sets how long its
 * pod runs. It asks for 100m CPU and no GPU so pods are not queued behind the 20 simulated GPUs.
 */
export function trialJob(name, { runSeconds = 1, jobId = 'bench', trial = 0 } = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'laketahoe', 'laketahoe.io/job': jobId, 'laketahoe.io/trial': String(trial) },
      annotations: { 'laketahoe.io/hyperparameters': JSON.stringify({ learning_rate: 0.01 * (trial + 1), layers: 2 + (trial % 3) }) }
    },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: {
          labels: { 'laketahoe.io/job': jobId, 'laketahoe.io/trial': String(trial) },
          annotations: { 'laketahoe.test/run-seconds': String(runSeconds) }
        },
        spec: {
          restartPolicy: 'Never',
          priorityClassName: 'low',
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          containers: [
            {
              name: 'trainer',
              image: 'example.invalid/laketahoe-trainer:1.0',
              args: ['python', '-m', 'laketahoe.runner', '--notebook', 'train.ipynb', '--param', `trial=${trial}`],
              env: [
                { name: 'OMP_NUM_THREADS', value: '1' },
                { name: 'LAKETAHOE_TRIAL', value: String(trial) }
              ],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '128Mi' } }
            }
          ]
        }
      }
    }
  };
}

/**
 * Token bucket: at most `qps` starts per second on average, `burst` at once. @kubernetes/client-node
 * has no client-side rate limit of its own (client-go's QPS/Burst), so the callers set one here.
 */
export function rateLimiter(qps, burst) {
  let tokens = burst;
  let last = performance.now();
  let chain = Promise.resolve();
  const take = async () => {
    for (;;) {
      const now = performance.now();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * qps);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await new Promise(resolve => setTimeout(resolve, ((1 - tokens) / qps) * 1000));
    }
  };
  // Serialized so concurrent callers queue in order instead of racing for tokens.
  return () => (chain = chain.then(take));
}

/** Runs `task(i)` for i < count with at most `concurrency` in flight. */
export async function pool(count, concurrency, task) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await task(next++);
  });
  await Promise.all(workers);
}

/**
 * A keep-alive HTTPS agent with the kubeconfig's TLS settings (CA, and client certificate when the
 * user has one), for the raw-HTTP peer and the client-node variant that reuses connections.
 * No socket limit: the callers bound concurrency themselves, and requests queued on a keep-alive
 * agent trip node-fetch 2.x (client-node's HTTP library) into false "Premature close" errors
 * (node-fetch/node-fetch#1767).
 */
export async function keepAliveAgent(kc) {
  const tls = {};
  await kc.applyToHTTPSOptions(tls);
  return new https.Agent({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key });
}

/**
 * Per-call options that put one shared keep-alive agent on each request: client-node 1.4.0 makes
 * a new https.Agent, so a new TLS connection, for every request otherwise.
 */
export function reuseConnections(agent) {
  return {
    middleware: [{ pre: ctx => (ctx.setAgent(agent), of(ctx)), post: rsp => of(rsp) }],
    middlewareMergeStrategy: 'append'
  };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summary(valuesMs) {
  const missing = valuesMs.filter(v => !Number.isFinite(v)).length;
  const s = valuesMs.filter(v => Number.isFinite(v)).sort((a, b) => a - b);
  const f = v => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const note = missing ? `; ${missing} never seen Running by the watch` : '';
  return `p50 ${f(percentile(s, 50))} ms, p95 ${f(percentile(s, 95))} ms, max ${f(s[s.length - 1])} ms (n=${s.length}${note})`;
}

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
export const uniqueId = () => Date.now().toString(36).slice(-5) + Math.random().toString(36).slice(2, 5);

/**
 * Watches a namespace's pods and stamps, per key (the owning Job's name, or the pod's own name for
 * bare pods), when the pod was first seen, bound to a node and Running, in performance.now() ms.
 * Callers stamp 'created' themselves when they start the create call.
 */
export async function podTimeline(kc, namespace, keyOf = pod => pod.metadata.labels?.['job-name'] ?? pod.metadata.name) {
  const seen = new Map();
  const waiters = new Map();
  const stamp = (key, field) => {
    const entry = seen.get(key) ?? {};
    if (entry[field] === undefined) entry[field] = performance.now();
    seen.set(key, entry);
    if (field === 'running') waiters.get(key)?.();
  };
  const watching = await new k8s.Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    {},
    (type, pod) => {
      const key = keyOf(pod);
      stamp(key, 'added');
      if (pod.spec.nodeName) stamp(key, 'scheduled');
      if (pod.status?.phase === 'Running') stamp(key, 'running');
    },
    err => err && err.name !== 'AbortError' && console.error('watch ended:', err.message)
  );
  await sleep(300); // registered with the apiserver before the first create
  // Gives up on a key after two minutes and marks it `missed`: summaries leave it out and say so.
  const untilRunning = key =>
    seen.get(key)?.running !== undefined
      ? Promise.resolve()
      : new Promise(resolve => {
          const timer = setTimeout(() => ((seen.get(key).missed = true), resolve()), 120_000);
          waiters.set(key, () => (clearTimeout(timer), resolve()));
        });
  return { seen, stamp, untilRunning, stop: () => watching.abort() };
}
