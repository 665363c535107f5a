// The simulated platform's cluster: kwok GPU nodes of its three shapes, tenant namespaces with
// quotas of about a third of the cluster, and two service accounts (the service's and the peer's),
// each with a FlowSchema of its own so the apiserver counts their requests apart.
import { k8s, sleep, tokenConfig } from '../common.mjs';

export const SIM_LABEL = 'laketahoe.io/sim';
export const SYSTEM_NAMESPACE = 'laketahoe-sim-system';

/** The platform's node shapes: share of the 130 servers, GPUs and the labels the backend selects on. */
export const SHAPES = [
  { type: 'v100x4', share: 60 / 130, gpus: 4, cpu: 48, memoryGi: 384, accelerator: 'nvidia-tesla-v100', product: 'Tesla-V100-SXM2-32GB' },
  { type: 'v100x8', share: 30 / 130, gpus: 8, cpu: 96, memoryGi: 768, accelerator: 'nvidia-tesla-v100', product: 'Tesla-V100-SXM2-32GB' },
  { type: 'a100x4', share: 40 / 130, gpus: 4, cpu: 64, memoryGi: 512, accelerator: 'nvidia-tesla-a100', product: 'NVIDIA-A100-SXM4-40GB' }
];

/** `count` nodes split over the shapes by their share (at least one of each). */
export function nodePlan(count) {
  const counts = SHAPES.map(s => Math.max(1, Math.round(s.share * count)));
  counts[0] += count - counts.reduce((a, b) => a + b, 0);
  return SHAPES.flatMap((shape, i) => Array.from({ length: counts[i] }, (_, n) => ({ name: `sim-${shape.type}-${n}`, shape })));
}

/** Creates the kwok GPU nodes (tainted like the seeded ones) and cordons every other node. */
export async function createNodes(admin, plan) {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const all = (await core.listNode()).items;
  // Nodes an interrupted run left behind go first, so the names are free.
  await Promise.all(all.filter(n => n.metadata.labels?.[SIM_LABEL] === 'true').map(n => core.deleteNode({ name: n.metadata.name }).catch(() => undefined)));
  const others = all.filter(n => n.metadata.labels?.[SIM_LABEL] !== 'true');
  await Promise.all(others.map(n => core.patchNode({ name: n.metadata.name, body: { spec: { unschedulable: true } } }, mergePatch())));
  for (const { name, shape } of plan) {
    const capacity = { cpu: String(shape.cpu), memory: `${shape.memoryGi}Gi`, pods: '110', 'ephemeral-storage': '1Ti', 'nvidia.com/gpu': String(shape.gpus) };
    await core.createNode({
      body: {
        metadata: {
          name,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok', [SIM_LABEL]: 'true',
            'node.kubernetes.io/instance-type': shape.type, accelerator: shape.accelerator,
            'nvidia.com/gpu.product': shape.product, 'nvidia.com/gpu.count': String(shape.gpus)
          }
        },
        spec: { taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
        status: { capacity, allocatable: capacity }
      }
    });
  }
  return async () => {
    await Promise.all(plan.map(({ name }) => core.deleteNode({ name }).catch(() => undefined)));
    await Promise.all(others.map(n => core.patchNode({ name: n.metadata.name, body: { spec: { unschedulable: false } } }, mergePatch()).catch(() => undefined)));
  };
}

function mergePatch() {
  return k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
}

/** Quota of one tenant: about a third of the cluster's GPUs, CPUs and memory; objects bounded too. */
export function tenantQuota(plan) {
  const sum = f => plan.reduce((total, { shape }) => total + f(shape), 0);
  return {
    'requests.nvidia.com/gpu': String(Math.ceil(sum(s => s.gpus) / 3)),
    'requests.cpu': String(Math.ceil(sum(s => s.cpu) / 3)),
    'requests.memory': `${Math.ceil(sum(s => s.memoryGi) / 3)}Gi`,
    pods: '2000',
    'count/jobs.batch': '2000'
  };
}

/**
 * Namespaces `laketahoe-<user>` with the quota, and the two clients' service accounts bound to the
 * laketahoe-tenant ClusterRole in each. Returns the service's and the peer's kubeconfigs.
 */
export async function createTenants(admin, users, quota) {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  // What an interrupted run left behind goes first; its namespaces take a while to terminate.
  await removeTenants(admin, users);
  for (const name of [SYSTEM_NAMESPACE, ...users.map(u => `laketahoe-${u}`)]) {
    for (let i = 0; i < 600 && (await core.readNamespace({ name }).then(() => true, () => false)); i++) await sleep(500);
  }
  await core.createNamespace({ body: { metadata: { name: SYSTEM_NAMESPACE, labels: { [SIM_LABEL]: 'true' } } } });
  const accounts = ['laketahoe-service', 'laketahoe-peer'];
  for (const name of accounts) {
    await core.createNamespacedServiceAccount({ namespace: SYSTEM_NAMESPACE, body: { metadata: { name } } });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: `${name}-read`, labels: { [SIM_LABEL]: 'true' } },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'laketahoe-tenant-read' },
        subjects: [{ kind: 'ServiceAccount', name, namespace: SYSTEM_NAMESPACE }]
      }
    });
    await flowSchema(admin, name);
  }
  for (const user of users) {
    const namespace = `laketahoe-${user}`;
    await core.createNamespace({ body: { metadata: { name: namespace, labels: { 'laketahoe.io/tenant': user, [SIM_LABEL]: 'true' } } } });
    await core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: 'laketahoe-quota' }, spec: { hard: quota } } });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'laketahoe-sim-clients' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'laketahoe-tenant' },
        subjects: accounts.map(name => ({ kind: 'ServiceAccount', name, namespace: SYSTEM_NAMESPACE }))
      }
    });
  }
  for (const user of users) await defaultServiceAccount(core, `laketahoe-${user}`);
  const token = async name =>
    (await core.createNamespacedServiceAccountToken({ name, namespace: SYSTEM_NAMESPACE, body: { spec: { expirationSeconds: 86400, audiences: [] } } })).status.token;
  const service = tokenConfig(admin, 'default', await token('laketahoe-service'));
  const peer = tokenConfig(admin, 'default', await token('laketahoe-peer'));
  return { service, peer };
}

/** Pods are refused until a namespace's "default" service account exists. */
async function defaultServiceAccount(core, namespace) {
  for (let i = 0; i < 300; i++) {
    if (await core.readNamespacedServiceAccount({ namespace, name: 'default' }).then(() => true, () => false)) return;
    await sleep(100);
  }
}

/**
 * A FlowSchema for one service account, so that the apiserver's
 * apiserver_flowcontrol_dispatched_requests_total{flow_schema=...} counts exactly that client's calls.
 */
async function flowSchema(admin, account) {
  const body = {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
    kind: 'FlowSchema',
    metadata: { name: account, labels: { [SIM_LABEL]: 'true' } },
    spec: {
      priorityLevelConfiguration: { name: 'workload-high' },
      matchingPrecedence: 500,
      distinguisherMethod: { type: 'ByUser' },
      rules: [{
        subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: account, namespace: SYSTEM_NAMESPACE } }],
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], clusterScope: true, namespaces: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }]
      }]
    }
  };
  await admin.makeApiClient(k8s.KubernetesObjectApi).create(body);
}

/** Deletes everything the simulation made (namespaces are waited for by the caller if it wants). */
export async function removeTenants(admin, users) {
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  const objects = admin.makeApiClient(k8s.KubernetesObjectApi);
  const ignore = () => undefined;
  for (const name of ['laketahoe-service', 'laketahoe-peer']) {
    await rbac.deleteClusterRoleBinding({ name: `${name}-read` }).catch(ignore);
    await objects.delete({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name } }).catch(ignore);
  }
  await Promise.all([SYSTEM_NAMESPACE, ...users.map(u => `laketahoe-${u}`)].map(name => core.deleteNamespace({ name }).catch(ignore)));
}

/** Counter values of one metric from a Prometheus text page, by one label's value. */
export function counterBy(text, metric, label) {
  const out = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const m = new RegExp(`[{,]${label}="([^"]*)"`).exec(line);
    if (m) out[m[1]] = (out[m[1]] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

/** The apiserver's /metrics page, as the admin. */
export async function apiserverMetrics(admin) {
  const opts = {};
  await admin.applyToHTTPSOptions(opts);
  const https = await import('node:https');
  const url = new URL('/metrics', admin.getCurrentCluster().server);
  return new Promise((resolve, reject) => {
    https.get(url, { ...opts, agent: undefined }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', chunk => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/**
 * The kube-scheduler's /metrics (its secure port allows /metrics without authorization in this
 * cluster): found from the scheduler process started for this run folder.
 */
export async function schedulerMetrics(runDir) {
  const fs = await import('node:fs');
  const https = await import('node:https');
  let port;
  for (const pid of fs.readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (args[0]?.endsWith('/kube-scheduler') && args[0].startsWith(runDir)) {
      port = args.find(a => a.startsWith('--secure-port='))?.split('=')[1];
      break;
    }
  }
  if (!port) return '';
  return new Promise(resolve => {
    https.get({ host: '127.0.0.1', port, path: '/metrics', rejectUnauthorized: false }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', chunk => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', () => resolve(''));
  });
}

/** Cumulative bucket counts of a Prometheus histogram, summed over its label sets: upper bound -> count. */
export function histogramBuckets(text, metric) {
  const buckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}_bucket{`)) continue;
    const le = /[{,]le="([^"]+)"/.exec(line)[1];
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return buckets;
}

/**
 * p-th percentile of the observations made between two scrapes of a histogram: the upper bound of the
 * first bucket that holds p% of them (so "at most").
 */
export function histogramPercentile(beforeText, afterText, metric, p) {
  const before = histogramBuckets(beforeText, metric);
  const after = [...histogramBuckets(afterText, metric)].map(([le, n]) => [le, n - (before.get(le) ?? 0)]).sort((a, b) => a[0] - b[0]);
  const total = after.at(-1)?.[1] ?? 0;
  if (!total) return { count: 0, le: NaN };
  return { count: total, le: after.find(([, n]) => n >= (p / 100) * total)[0] };
}

/** Value of an unlabelled counter or gauge. */
export function counterValue(text, metric) {
  const line = text.split('\n').find(l => l.startsWith(`${metric} `));
  return line ? Number(line.slice(metric.length + 1)) : 0;
}
