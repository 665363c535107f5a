// Watches every Job and pod of the simulation (the service's and the peer's) across the tenant
// namespaces and keeps, per run (namespace/job/trial): when its Job and pod were first seen, when
// the pod was bound and when it ended. Samples GPU use once a second and checks each bind and each
// sample for quota and priority violations.
import { k8s, sleep } from '../common.mjs';

const SELECTOR = 'app.kubernetes.io/managed-by in (laketahoe-proxy,laketahoe-sim-peer)';
const ENDED = new Set(['Succeeded', 'Failed']);

/** The run a Job or pod belongs to: `namespace/job-id[/trial-id]`. */
export function runKey(namespace, labels = {}) {
  const job = labels['laketahoe.io/job-id'];
  const trial = labels['laketahoe.io/trial-id'];
  return trial ? `${namespace}/${job}/${trial}` : `${namespace}/${job}`;
}

function gpusOf(pod) {
  return pod.spec.containers.reduce((n, c) => n + Number(c.resources?.requests?.['nvidia.com/gpu'] ?? 0), 0);
}

/**
 * Starts the watches. `quotaGpus` is each namespace's GPU quota, `totalGpus` the cluster's;
 * `onRunEnded(key, namespace)` is called once per run whose pod ended (the peer's controller uses it).
 */
export async function observe(admin, { quotaGpus, totalGpus, onRunEnded = () => undefined }) {
  const runs = new Map();
  const pods = new Map(); // uid -> tracked pod
  const jobs = new Set(); // uid of Jobs alive
  const pending = new Set(); // tracked pods not yet bound
  const usedByNamespace = new Map(); // GPUs requested by non-terminal pods (what the quota counts)
  let gpusBound = 0;
  const violations = { quota: 0, priority: 0, examples: [] };
  const samples = [];
  const peaks = { pods: 0, jobs: 0 };
  const run = key => runs.get(key) ?? (runs.set(key, {}), runs.get(key));

  const podEvent = (type, pod) => {
    const uid = pod.metadata.uid;
    const now = Date.now();
    let p = pods.get(uid);
    if (!p) {
      if (type === 'DELETED') return;
      p = {
        key: runKey(pod.metadata.namespace, pod.metadata.labels), namespace: pod.metadata.namespace, gpu: gpusOf(pod),
        priority: pod.spec.priority ?? 0, accelerator: pod.spec.nodeSelector?.accelerator ?? '', created: now, bound: undefined, ended: false
      };
      pods.set(uid, p);
      pending.add(p);
      usedByNamespace.set(p.namespace, (usedByNamespace.get(p.namespace) ?? 0) + p.gpu);
      const r = run(p.key);
      r.podSeen ??= now;
      if ((usedByNamespace.get(p.namespace) ?? 0) > (quotaGpus ?? Infinity)) note('quota', `${p.namespace} requests ${usedByNamespace.get(p.namespace)} GPUs > quota ${quotaGpus}`);
    }
    if (!p.bound && pod.spec.nodeName && !p.ended) bind(p, now);
    if (!p.ended && (type === 'DELETED' || ENDED.has(pod.status?.phase))) end(p, now);
    if (type === 'DELETED') pods.delete(uid);
  };

  function bind(p, now) {
    p.bound = now;
    pending.delete(p);
    gpusBound += p.gpu;
    run(p.key).bound ??= now;
    // A priority inversion: this pod got a node while a pod of higher priority, for the same GPU type
    // and no larger, had waited longer (more than a second before this one came).
    for (const h of pending) {
      if (h.priority > p.priority && h.accelerator === p.accelerator && h.gpu <= p.gpu && h.created < p.created - 1000) {
        note('priority', `${p.key} (priority ${p.priority}) bound while ${h.key} (priority ${h.priority}) waited ${((now - h.created) / 1000).toFixed(1)} s`);
        break;
      }
    }
  }

  function end(p, now) {
    p.ended = true;
    pending.delete(p);
    if (p.bound) gpusBound -= p.gpu;
    usedByNamespace.set(p.namespace, usedByNamespace.get(p.namespace) - p.gpu);
    const r = run(p.key);
    if (r.ended === undefined) {
      r.ended = now;
      onRunEnded(p.key, p.namespace);
    }
  }

  function note(kind, example) {
    violations[kind] += 1;
    if (violations.examples.length < 5) violations.examples.push(`${kind}: ${example}`);
  }

  const jobEvent = (type, job) => {
    if (type === 'DELETED') return void jobs.delete(job.metadata.uid);
    jobs.add(job.metadata.uid);
    const r = run(runKey(job.metadata.namespace, job.metadata.labels));
    r.jobSeen ??= Date.now();
    // The apiserver's own time of the create (whole seconds): tells the client's delay from the watch's.
    r.jobStored ??= Date.parse(job.metadata.creationTimestamp);
  };

  const stops = [await watchAll(admin, '/api/v1/pods', podEvent), await watchAll(admin, '/apis/batch/v1/jobs', jobEvent)];
  const timer = setInterval(() => {
    const alivePods = pods.size;
    peaks.pods = Math.max(peaks.pods, alivePods);
    peaks.jobs = Math.max(peaks.jobs, jobs.size);
    samples.push({ at: Date.now(), gpus: gpusBound, utilization: gpusBound / totalGpus, pending: pending.size, pods: alivePods, jobs: jobs.size });
  }, 1000);

  return {
    runs,
    samples,
    peaks,
    violations,
    alive: () => ({ pods: pods.size, jobs: jobs.size }),
    /** Forgets the samples, peaks and violations (between the service's phase and the peer's). */
    reset() {
      samples.length = 0;
      Object.assign(peaks, { pods: 0, jobs: 0 });
      Object.assign(violations, { quota: 0, priority: 0, examples: [] });
    },
    stop: () => (clearInterval(timer), stops.forEach(s => s()))
  };
}

/**
 * List-then-watch of one resource across namespaces with the simulation's selector, watched again from
 * the last resourceVersion whenever the apiserver ends the watch (and listed again on 410 Gone).
 */
async function watchAll(admin, path, onEvent) {
  const watch = new k8s.Watch(admin);
  let stopped = false;
  let request;
  let resourceVersion = await list(admin, path, onEvent);
  const start = async () => {
    let gone = false;
    request = await watch.watch(
      path,
      { labelSelector: SELECTOR, resourceVersion, allowWatchBookmarks: true },
      (type, object) => {
        if (type === 'ERROR') return void (gone = object.code === 410);
        resourceVersion = object.metadata.resourceVersion;
        if (type !== 'BOOKMARK') onEvent(type, object);
      },
      async () => {
        if (stopped) return;
        await sleep(200);
        if (gone) resourceVersion = await list(admin, path, onEvent);
        start().catch(err => console.error(`watch ${path}: ${err.message}`));
      }
    );
  };
  await start();
  return () => ((stopped = true), request?.abort());
}

/** Lists a resource in pages and feeds every object in as ADDED; returns the list's resourceVersion. */
async function list(admin, path, onEvent) {
  const opts = {};
  await admin.applyToHTTPSOptions(opts);
  const server = admin.getCurrentCluster().server;
  let cont = '';
  let resourceVersion;
  do {
    const url = new URL(path, server);
    url.searchParams.set('labelSelector', SELECTOR);
    url.searchParams.set('limit', '500');
    if (cont) url.searchParams.set('continue', cont);
    const page = await getJson(url, opts);
    for (const item of page.items) onEvent('ADDED', item);
    cont = page.metadata.continue;
    resourceVersion = page.metadata.resourceVersion;
  } while (cont);
  return resourceVersion;
}

async function getJson(url, opts) {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    https.get(url, { ca: opts.ca, cert: opts.cert, key: opts.key }, res => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', chunk => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`GET ${url.pathname}: ${res.statusCode}`))));
    }).on('error', reject);
  });
}
