// The peer: the same load created straight through @kubernetes/client-node (keep-alive, the same
// token bucket as the service's --k8s-qps/--k8s-burst), by a minimal controller of its own that keeps
// each HPO job's maxParallelTrials trials active. Per trial, what the service creates: a Job and a
// ConfigMap owned by it. No dry runs, no store, no status handling: the least a client must do.
import { k8s, keepAliveAgent, rateLimiter, reuseConnections } from '../common.mjs';

const MANAGED_BY = 'laketahoe-sim-peer';

/** Resources of a trial (BASIC_GPU) and of a training job's master, as the backend asks for them. */
function podResources(gpu) {
  const cpu = gpu === 1 ? '2' : String(4 * gpu);
  const memory = gpu === 1 ? '8192Mi' : `${32 * gpu * 1024}Mi`;
  return { requests: { cpu, memory, 'nvidia.com/gpu': String(gpu) }, limits: { memory, 'nvidia.com/gpu': String(gpu) } };
}

/** A Job shaped like the backend's: labels, priority class, GPU node selector and toleration, TTL. */
export function peerJob(name, { jobId, trialId, gpu, accelerator, priority, runSeconds, ttl }) {
  const labels = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'laketahoe.io/job-id': jobId, ...(trialId ? { 'laketahoe.io/trial-id': trialId } : {}) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: ttl,
      template: {
        metadata: { labels, annotations: { 'laketahoe.test/run-seconds': String(runSeconds) } },
        spec: {
          restartPolicy: 'Never',
          priorityClassName: priority,
          nodeSelector: { accelerator },
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          containers: [{
            name: 'runner',
            image: 'example.invalid/laketahoe-runner:1.0',
            args: ['python', '-m', 'laketahoe.runner', 'notebook', '/laketahoe/input/train.ipynb'],
            resources: podResources(gpu),
            volumeMounts: [{ name: 'input', mountPath: '/laketahoe/input' }]
          }],
          volumes: [{ name: 'input', configMap: { name: `${name}-input` } }]
        }
      }
    }
  };
}

/**
 * Runs the load: `hpoJobs` ({namespace, jobId, trials, parallel, priority, accelerator, runSeconds})
 * keep `parallel` trials active each; `training` ({namespace, jobId, gpu, ...}) are started at
 * `startAtMs` after the beginning. `observer.onRunEnded` must be wired to the returned `runEnded`.
 * Stamps `turn` on the observer's run entries. Resolves when every run has ended.
 */
export function peerLoad(kc, observer, { hpoJobs, training, qps, burst, ttl }) {
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const limit = rateLimiter(qps, burst);
  const groups = new Map(hpoJobs.map(h => [`${h.namespace}/${h.jobId}`, { ...h, next: 1, active: 0, ended: 0 }]));
  let reuse;
  let outstanding = hpoJobs.reduce((n, h) => n + h.trials, 0) + training.length;
  let finished;
  const done = new Promise(resolve => (finished = resolve));
  const errors = [];

  async function create(namespace, name, spec, key) {
    const run = observer.runs.get(key) ?? (observer.runs.set(key, {}), observer.runs.get(key));
    run.turn = Date.now();
    try {
      await limit();
      const job = await batch.createNamespacedJob({ namespace, body: peerJob(name, spec) }, reuse);
      const ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name, uid: job.metadata.uid }];
      await limit();
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `${name}-input`, ownerReferences }, data: { 'train.ipynb': '{}' } } }, reuse);
    } catch (err) {
      errors.push(`${key}: ${err.body ?? err.message}`.slice(0, 300));
      runEnded(key);
    }
  }

  function startTrials(group) {
    while (group.active < group.parallel && group.next <= group.trials) {
      const trialId = String(group.next++);
      group.active += 1;
      const name = `peer-${group.jobId}-t${trialId}`.toLowerCase().replace(/_/g, '-');
      void create(group.namespace, name, { ...group, trialId, gpu: 1, ttl }, `${group.namespace}/${group.jobId}/${trialId}`);
    }
  }

  function runEnded(key) {
    const [namespace, jobId, trialId] = key.split('/');
    const group = groups.get(`${namespace}/${jobId}`);
    if (trialId && group) {
      group.active -= 1;
      startTrials(group);
    }
    if (--outstanding === 0) finished();
  }

  return {
    runEnded,
    errors,
    async start() {
      reuse = reuseConnections(await keepAliveAgent(kc));
      const began = Date.now();
      for (const group of groups.values()) startTrials(group);
      for (const t of training) {
        setTimeout(() => void create(t.namespace, `peer-${t.jobId}`.replace(/_/g, '-'), { ...t, ttl }, `${t.namespace}/${t.jobId}`), Math.max(0, began + t.startAtMs - Date.now()));
      }
      return done;
    }
  };
}
