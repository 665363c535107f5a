import path from 'node:path';
import { servingSelector } from '../../src/serving/kubernetes/manifests.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startS3Server, type S3Server } from '../helpers/s3server.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../helpers/service.js';
import { adminClients, describeCluster, K8S_RUN, k8sConfig, nodeImages, realNodeTemplate } from './cluster.js';

// Deployments on Kubernetes with MLServer really serving: the model a job trained in a pod on the real
// node is deployed as a Deployment + Service in the tenant's namespace, its pods fetch it from a real
// S3-compatible server and answer inference through the service and the API server's service proxy.
const suffix = Date.now().toString(36);
const NS = 'laketahoe-alice';
const MODEL = 'real-points';

const POINTS = [
  [0, 0],
  [3, 4]
];
const inferBody = () => ({ inputs: [{ name: 'input-0', datatype: 'FP64', shape: [2, 2], data: POINTS }] });

/** Every object of a deployment the service made, by kind (pods and ReplicaSets included). */
async function objectsOf(owner: string, name: string): Promise<Record<string, string[]>> {
  const kc = adminClients();
  const labelSelector = servingSelector(owner, name);
  const { AppsV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  config.loadFromFile(path.join(K8S_RUN!, 'kubeconfig'));
  const apps = config.makeApiClient(AppsV1Api);
  const names = (items: { metadata?: { name?: string } }[]) => items.map(i => i.metadata!.name!).sort();
  return {
    deployments: names((await apps.listNamespacedDeployment({ namespace: NS, labelSelector })).items),
    replicaSets: names((await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector })).items),
    services: names((await kc.core.listNamespacedService({ namespace: NS, labelSelector })).items),
    pods: names((await kc.core.listNamespacedPod({ namespace: NS, labelSelector })).items)
  };
}

describeCluster('Deployments on Kubernetes, served by MLServer on the real node', () => {
  let t: TestService;
  let s3: S3Server;
  let root: string;
  let images: Record<string, string>;
  const name = `pts-${suffix}`;
  const start = () =>
    startService(root, {
      logLevel: (process.env.LAKETAHOE_TEST_LOG_LEVEL ?? 'silent') as 'silent',
      defaultBackend: 'kubernetes',
      k8s: k8sConfig({
        defaultImage: images.LAKETAHOE_K8S_IMAGE_RUNNER,
        servingImage: images.LAKETAHOE_K8S_IMAGE_SERVING,
        podTemplate: realNodeTemplate(images),
        backoffLimit: 0
      }),
      artifacts: { kind: 's3', s3: s3.options, grantSeconds: 3600, maxOutputBytes: 256 * 1024 * 1024, maxOutputFiles: 10_000 }
    });
  const infer = () => t.call('POST', `/api/v1/deployments/${name}/v2/models/${MODEL}/infer`, inferBody());
  const deployment = async () => (await t.call('GET', `/api/v1/deployments/${name}`)).body;

  beforeAll(async () => {
    images = nodeImages();
    s3 = startS3Server();
    root = tempRoot();
    writeNotebook(
      path.join(root, 'project', 'train.ipynb'),
      [
        [
          'import laketahoe, numpy as np',
          'from sklearn.linear_model import LogisticRegression',
          'X = np.array([[0, 0], [0, 1], [1, 0], [3, 3], [3, 4], [4, 3]], dtype=float); y = np.array([0, 0, 0, 1, 1, 1])',
          `laketahoe.save_model(LogisticRegression().fit(X, y), '${MODEL}', X, y)`
        ].join('\n')
      ]
    );
    t = await start();
    const jobId = `train_${suffix}`;
    const res = await t.call('POST', '/api/v1/jobs', {
      jobId,
      trainingInput: { scaleTier: 'CUSTOM', masterConfig: { resources: { cpu: 0.5, memoryGb: 1 } }, notebook: { path: 'project/train.ipynb' } }
    });
    expect(res.status).toBe(201);
    const done = await waitForState(t, jobId, ['SUCCEEDED', 'FAILED'], 300_000);
    expect([done.state, done.errorMessage]).toEqual(['SUCCEEDED', '']);
    await waitFor(async () => (await t.call('GET', `/api/v1/models/${MODEL}`)).body.versions?.length === 1, 30_000, 'the registered model');
    // More versions of the same folder: 2 to switch to, 3 as a second challenger.
    for (const version of [2, 3]) {
      const v = await t.call('POST', '/api/v1/models', { path: `laketahoe-jobs/${jobId}/models/${MODEL}`, name: MODEL });
      expect([v.status, v.body.version]).toEqual([201, version]);
    }
  }, 600_000);

  afterAll(async () => {
    await t?.close();
    s3?.stop();
  });

  test('a deployment becomes a Deployment + Service on the real node, READY once MLServer has loaded the model, answering through the service', async () => {
    const began = Date.now();
    const res = await t.call('POST', '/api/v1/deployments', { name, model: { name: MODEL, version: 1 }, replicas: 1, resources: { cpu: 0.5, memoryGb: 1 } });
    expect([res.status, res.body.backend, res.body.state]).toEqual([201, 'kubernetes', 'DEPLOYING']);
    const ready = await waitFor(async () => {
      const d = await deployment();
      if (d.state === 'FAILED') {
        throw new Error(`deployment failed: ${d.errorMessage}`);
      }
      return d.state === 'READY' ? d : undefined;
    }, 300_000, 'READY');
    process.stdout.write(`deploy -> READY on the real node: ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
    expect(ready.model).toEqual({ name: MODEL, version: 1 });

    const objects = await objectsOf('alice', name);
    expect(objects.deployments).toHaveLength(1);
    expect(objects.services).toEqual(objects.deployments);
    const { core } = adminClients();
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: servingSelector('alice', name) })).items;
    expect(pods.map(p => [p.spec!.nodeName, p.status!.phase])).toEqual([[images.LAKETAHOE_K8S_NODE_NAME, 'Running']]);
    const pod = pods[0].spec!;
    expect(pod.priorityClassName).toBe('middle');
    expect(pod.containers[0].image).toBe(images.LAKETAHOE_K8S_IMAGE_SERVING);
    expect(pod.containers[0].resources!.requests).toEqual({ cpu: '500m', memory: '1Gi' });
    expect(pod.containers[0].readinessProbe!.httpGet!.path).toBe(`/v2/models/${MODEL}/ready`);
    expect(pod.containers[0].livenessProbe!.httpGet!.path).toBe('/v2/health/live');
    // The init container holds a presigned GET of the model archive, never the store's keys.
    const env = Object.fromEntries(pod.initContainers![0].env!.map(e => [e.name, e.value]));
    expect(env.LT_MODEL_URL).toMatch(/X-Amz-Signature=/);
    expect(JSON.stringify(pod)).not.toContain(s3.options.credentials!.secretAccessKey);

    const answer = await infer();
    expect(answer.status).toBe(200);
    expect(answer.body.model_name).toBe(MODEL);
    expect(answer.body.outputs[0].data).toEqual([0, 1]);
  }, 400_000);

  test('a version switch under continuous requests moves traffic only once the new version is ready: no request fails', async () => {
    const before = await objectsOf('alice', name);
    let stop = false;
    const statuses: number[] = [];
    const versions = new Set<string>();
    const load = async () => {
      while (!stop) {
        const r = await infer();
        statuses.push(r.status);
        if (r.status === 200) {
          versions.add(r.body.model_version);
        }
      }
    };
    const loops = [load(), load(), load(), load()];
    const patched = await t.call('PATCH', `/api/v1/deployments/${name}`, { model: { name: MODEL, version: 2 } });
    expect([patched.status, patched.body.state]).toEqual([200, 'UPDATING']);
    const done = await waitFor(async () => {
      const d = await deployment();
      return d.state !== 'UPDATING' ? d : undefined;
    }, 300_000, 'the switch to settle');
    // Requests keep flowing to the new version for a moment after the switch.
    await new Promise(resolve => setTimeout(resolve, 2000));
    stop = true;
    await Promise.all(loops);
    expect([done.state, done.model.version, done.errorMessage]).toEqual(['READY', 2, '']);
    const failed = statuses.filter(s => s !== 200);
    process.stdout.write(`version switch: ${statuses.length} requests, ${failed.length} failed, versions answering: ${[...versions].join(',')}\n`);
    expect(failed).toEqual([]);
    expect(statuses.length).toBeGreaterThan(20);
    expect([...versions].sort()).toEqual(['1', '2']);
    // The old version's objects are gone; the new one's replaced them.
    const after = await waitFor(async () => {
      const o = await objectsOf('alice', name);
      return o.deployments.length === 1 && o.pods.length === 1 ? o : undefined;
    }, 120_000, 'the old version to go');
    expect(after!.deployments).not.toEqual(before.deployments);
  }, 400_000);

  /** Sends `n` requests, `concurrency` at a time; the model_version of each answer, or the failed status. */
  async function send(n: number, concurrency = 16): Promise<string[]> {
    const answers: string[] = [];
    let left = n;
    const worker = async () => {
      while (left-- > 0) {
        const r = await infer();
        answers.push(r.status === 200 ? r.body.model_version : `status ${r.status} ${JSON.stringify(r.body)}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return answers;
  }
  const count = (answers: string[], version: string) => answers.filter(a => a === version).length;
  const versions = async () => (await t.call('GET', `/api/v1/deployments/${name}/monitoring/versions`)).body;

  const patchChallengers = (list: unknown[]) => t.call('PATCH', `/api/v1/deployments/${name}`, { challengers: list });
  const ref = (version: number, more: object = {}) => ({ model: { name: MODEL, version }, ...more });

  test('two canary challengers, each its own Deployment + Service: over 1,000 requests each share is within 5 points of its weight, and weight changes fail no request', async () => {
    const added = await patchChallengers([ref(1, { weight: 30 }), ref(3, { weight: 20 })]);
    expect([added.status, added.body.challengers?.map((c: any) => c.state)]).toEqual([200, ['DEPLOYING', 'DEPLOYING']]);
    const began = Date.now();
    const d = await waitFor(async () => {
      const x = await deployment();
      const failed = x.challengers?.find((c: any) => c.state === 'FAILED');
      if (failed) {
        throw new Error(`challenger ${failed.model.version} failed: ${failed.errorMessage}`);
      }
      return x.challengers?.every((c: any) => c.state === 'READY') ? x : undefined;
    }, 300_000, 'both challengers READY');
    process.stdout.write(`2 challengers -> READY on the real node: ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
    expect([d.state, d.model.version, d.challengers.map((c: any) => c.model.version)]).toEqual(['READY', 2, [1, 3]]);
    const objects = await objectsOf('alice', name);
    expect(objects.deployments).toHaveLength(3);
    expect(objects.services).toEqual(objects.deployments);

    const answers = await send(1000);
    expect(answers.filter(a => !['1', '2', '3'].includes(a))).toEqual([]);
    const shares = { 1: count(answers, '1') / 10, 3: count(answers, '3') / 10 };
    process.stdout.write(`canary 30% + 20%: challengers answered ${shares[1]}% and ${shares[3]}% of 1,000 requests\n`);
    expect(Math.abs(shares[1] - 30)).toBeLessThanOrEqual(5);
    expect(Math.abs(shares[3] - 20)).toBeLessThanOrEqual(5);
    const byVersion = Object.fromEntries((await versions()).versions.map((v: any) => [v.version, v]));
    expect(byVersion[1]).toMatchObject({ role: 'challenger', requests: count(answers, '1'), returned: count(answers, '1'), errors: 0 });
    expect(byVersion[3]).toMatchObject({ role: 'challenger', requests: count(answers, '3'), returned: count(answers, '3'), errors: 0 });
    expect(byVersion[2]).toMatchObject({ role: 'champion', errors: 0 });

    // Weights moved back and forth under continuous requests: in memory, no pod restarts, no failure.
    let running = true;
    const during: string[] = [];
    const worker = async () => {
      while (running) {
        const r = await infer();
        during.push(r.status === 200 ? r.body.model_version : `status ${r.status}`);
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    for (const [w1, w3] of [[0, 0], [50, 50], [80, 10], [30, 20]]) {
      expect((await patchChallengers([ref(1, { weight: w1 }), ref(3, { weight: w3 })])).body.challengers.map((c: any) => c.weight)).toEqual([w1, w3]);
      await new Promise(resolve => setTimeout(resolve, 300));
    }
    running = false;
    await Promise.all(workers);
    expect(during.filter(a => !['1', '2', '3'].includes(a))).toEqual([]);
    for (const v of ['1', '2', '3']) {
      expect(count(during, v)).toBeGreaterThan(0);
    }
  }, 400_000);

  test('two shadow challengers on Kubernetes each get a copy of every request, or count it as dropped; their answers are recorded, never returned', async () => {
    const patched = await patchChallengers([ref(1, { mode: 'shadow' }), ref(3, { mode: 'shadow' })]);
    expect(patched.body.challengers).toMatchObject([{ mode: 'shadow', weight: 0, state: 'READY' }, { mode: 'shadow', weight: 0, state: 'READY' }]);
    const snapshot = async () => {
      const v = await versions();
      return { byVersion: Object.fromEntries(v.versions.map((x: any) => [x.version, x])) as Record<number, any>, dropped: v.shadowDropped as number };
    };
    const before = await snapshot();
    const answers = await send(300, 8);
    expect(new Set(answers)).toEqual(new Set(['2']));
    // Every copy is accounted for: answered by its shadow, or dropped and counted when a shadow had too many
    // in flight (the bound that keeps a slow challenger from piling up requests; this machine's other work
    // can make the pods that slow).
    let after = await snapshot();
    const copies = () => ({
      1: after.byVersion[1].requests - before.byVersion[1].requests,
      3: after.byVersion[3].requests - before.byVersion[3].requests,
      dropped: after.dropped - before.dropped
    });
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; after = await snapshot()) {
      const c = copies();
      if (c[1] + c[3] + c.dropped === 600) {
        break;
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    const c = copies();
    expect(c[1] + c[3] + c.dropped).toBe(600);
    for (const x of [1, 3] as const) {
      expect(c[x]).toBeGreaterThan(150);
      // Recorded as answered but not returned: none of them reached a caller.
      expect([x, after.byVersion[x].errors, after.byVersion[x].returned]).toEqual([x, 0, before.byVersion[x].returned]);
      // The same model in every version: each agrees with the champion on every copy it answered.
      expect(after.byVersion[x].agreement).toMatchObject({ compared: c[x], rate: 1 });
    }
    if (c.dropped > 0) {
      console.log(`shadow copies dropped under load: ${c.dropped} of 600`);
    }
  }, 200_000);

  test("promote one of two challengers on Kubernetes: it answers at once, the old champion's objects go, the other challenger's stay until removed", async () => {
    const before = await objectsOf('alice', name);
    expect((await t.call('POST', `/api/v1/deployments/${name}/promote`)).body.error.field).toBe('version');
    const promoted = await t.call('POST', `/api/v1/deployments/${name}/promote?version=1`);
    expect([promoted.status, promoted.body.model, promoted.body.challengers?.map((c: any) => c.model.version)]).toEqual([200, { name: MODEL, version: 1 }, [3]]);
    expect(new Set(await send(50, 4))).toEqual(new Set(['1']));
    const after = await waitFor(async () => {
      const o = await objectsOf('alice', name);
      return o.deployments.length === 2 && o.pods.length === 2 ? o : undefined;
    }, 120_000, 'the old champion to go');
    expect(after!.deployments.every(d => before.deployments.includes(d))).toBe(true);
    expect(after!.deployments.some(d => /-v1-/.test(d)) && after!.deployments.some(d => /-v3-/.test(d))).toBe(true);
    // The remaining challenger removed: only its objects go.
    expect((await t.call('PATCH', `/api/v1/deployments/${name}`, { challenger: null })).body.challengers).toBeUndefined();
    const alone = await waitFor(async () => {
      const o = await objectsOf('alice', name);
      return o.deployments.length === 1 && o.pods.length === 1 ? o : undefined;
    }, 120_000, "the challenger's objects to go");
    expect(alone!.deployments[0]).toMatch(/-v1-/);
    expect((await versions()).versions.filter((v: any) => v.role === 'challenger')).toEqual([]);
  }, 260_000);

  test('PATCH replicas scales the served version without a failed request, and back', async () => {
    let running = true;
    const statuses: number[] = [];
    const worker = async () => {
      while (running) {
        statuses.push((await infer()).status);
      }
    };
    const workers = [worker(), worker()];
    const scaled = await t.call('PATCH', `/api/v1/deployments/${name}`, { replicas: 2 });
    expect([scaled.status, scaled.body.replicas, scaled.body.stateHistory.at(-1).reason]).toEqual([200, 2, 'scaled from 1 to 2 replicas']);
    const { core } = adminClients();
    const { AppsV1Api, KubeConfig } = await import('@kubernetes/client-node');
    const config = new KubeConfig();
    config.loadFromFile(path.join(K8S_RUN!, 'kubeconfig'));
    const apps = config.makeApiClient(AppsV1Api);
    const [objectName] = (await objectsOf('alice', name)).deployments;
    expect((await apps.readNamespacedDeployment({ namespace: NS, name: objectName })).spec!.replicas).toBe(2);
    const pods = await waitFor(async () => {
      const items = (await core.listNamespacedPod({ namespace: NS, labelSelector: servingSelector('alice', name) })).items;
      return items.length === 2 ? items : undefined;
    }, 60_000, 'a second pod');
    // Serving pods on the real node share its host network, so a second replica of one version cannot
    // bind the same port there: the scheduler keeps it Pending and says why (on a pod network it runs).
    const second = await waitFor(async () => {
      const items = (await core.listNamespacedPod({ namespace: NS, labelSelector: servingSelector('alice', name) })).items;
      const pending = items.find(p => p.status?.conditions?.some(c => c.type === 'PodScheduled' && c.status === 'False'));
      const ready = items.filter(p => p.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True'));
      return pending || ready.length === 2 ? { pending, ready: ready.length } : undefined;
    }, 60_000, 'the second replica scheduled or refused');
    process.stdout.write(`replicas 2 on the real node: ${pods!.length} pods, ${second!.ready} ready${second!.pending ? `, one pending: ${second!.pending.status!.conditions!.find(c => c.type === 'PodScheduled')!.message}` : ''}\n`);
    const back = await t.call('PATCH', `/api/v1/deployments/${name}`, { replicas: 1 });
    expect([back.status, back.body.replicas]).toEqual([200, 1]);
    await waitFor(async () => ((await objectsOf('alice', name)).pods.length === 1 ? true : undefined), 60_000, 'one pod again');
    await new Promise(resolve => setTimeout(resolve, 1000));
    running = false;
    await Promise.all(workers);
    expect(statuses.filter(s => s !== 200)).toEqual([]);
    expect(statuses.length).toBeGreaterThan(10);
    expect((await deployment()).state).toBe('READY');
  }, 200_000);

  test('autoscaling by requests in flight: up to max under load, to zero without requests, and the next request waits for a replica', async () => {
    const spec = { minReplicas: 0, maxReplicas: 2, targetInflight: 2, scaleDownDelaySeconds: 4 };
    const set = await t.call('PATCH', `/api/v1/deployments/${name}`, { autoscaling: spec });
    expect([set.status, set.body.autoscaling]).toEqual([200, spec]);
    const refused = await t.call('PATCH', `/api/v1/deployments/${name}`, { replicas: 2 });
    expect([refused.status, refused.body.error.field?.replace(/^\//, '')]).toEqual([400, 'replicas']);

    // 8 requests in flight, 2 per replica aimed at: max (2) replicas at once.
    let running = true;
    const statuses: number[] = [];
    const worker = async () => {
      while (running) {
        statuses.push((await infer()).status);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    const up = await waitFor(async () => {
      const d = await deployment();
      return d.replicas === 2 ? d : undefined;
    }, 30_000, 'scaled up to 2');
    running = false;
    await Promise.all(workers);
    // The pending second replica may be noted after the decision.
    expect(up.stateHistory.findLast((h: any) => h.reason.startsWith('autoscaled')).reason).toMatch(/^autoscaled from 1 to 2 replicas \(peak [2-8] requests in flight, target 2 each\)$/);
    expect(statuses.filter(s => s !== 200)).toEqual([]);

    // No request for the delay: zero replicas, still READY.
    const zero = await waitFor(async () => {
      const d = await deployment();
      return d.replicas === 0 ? d : undefined;
    }, 30_000, 'scaled to zero');
    expect([zero.state, zero.stateHistory.at(-1).reason]).toEqual(['READY', 'scaled to zero: no request for 4 s']);
    await waitFor(async () => ((await objectsOf('alice', name)).pods.length === 0 ? true : undefined), 60_000, 'no pod left');

    // The next request waits for a ready replica instead of failing.
    const began = Date.now();
    const first = await infer();
    process.stdout.write(`scale from zero: the first request answered after ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
    expect([first.status, first.body.model_name]).toEqual([200, MODEL]);
    const woken = await deployment();
    expect([woken.state, woken.replicas]).toEqual(['READY', 1]);
    expect(woken.stateHistory.some((h: any) => h.reason === 'a request arrived: scaling from zero to 1 replica')).toBe(true);

    const off = await t.call('PATCH', `/api/v1/deployments/${name}`, { autoscaling: null });
    expect([off.status, off.body.autoscaling, off.body.replicas]).toEqual([200, undefined, 1]);
  }, 200_000);

  test("autoscaling by CPU: a busy replica adds one (Pending on the shared host network, with the scheduler's reason), idle ones go", async () => {
    const spec = { minReplicas: 1, maxReplicas: 2, metric: 'cpu', targetCpuPercent: 15, scaleDownDelaySeconds: 6 };
    // From one replica, whatever the test before left.
    expect((await t.call('PATCH', `/api/v1/deployments/${name}`, { autoscaling: null })).status).toBe(200);
    expect((await t.call('PATCH', `/api/v1/deployments/${name}`, { replicas: 1 })).status).toBe(200);
    const set = await t.call('PATCH', `/api/v1/deployments/${name}`, { autoscaling: spec });
    expect([set.status, set.body.autoscaling]).toEqual([200, spec]);
    // 2,000 rows a request keep MLServer's process busy (JSON decoding and predict), past 15% of its 0.5 CPU
    // even on a loaded machine (about 25% with 4 callers at a load average of 18); idle it uses a few percent.
    const rows = Array.from({ length: 2000 }, (_, i) => [i % 5, (i * 7) % 5]);
    const heavy = () => t.call('POST', `/api/v1/deployments/${name}/v2/models/${MODEL}/infer`, { inputs: [{ name: 'input-0', datatype: 'FP64', shape: [rows.length, 2], data: rows }] });
    let running = true;
    const statuses: number[] = [];
    // What a failed answer said, to tell a busy replica dropped from the Service from anything else.
    const failures: string[] = [];
    const workers = Array.from({ length: 4 }, async () => {
      while (running) {
        const r = await heavy();
        statuses.push(r.status);
        if (r.status !== 200) {
          failures.push(`${r.status} ${r.body?.error?.message}`);
        }
      }
    });
    const began = Date.now();
    const stop = async () => {
      running = false;
      await Promise.all(workers);
    };
    const decision = await waitFor(
      async () => (await deployment()).stateHistory.find((h: any) => h.reason.startsWith('cpu ')),
      45_000,
      'a CPU decision'
    ).catch(async err => {
      await stop();
      throw err;
    });
    const upAfter = (Date.now() - began) / 1000;
    expect(decision.reason).toMatch(/^cpu \d+% of 15% target over 1 measured replica: 1 -> 2$/);
    expect((await deployment()).replicas).toBe(2);
    const { AppsV1Api, KubeConfig } = await import('@kubernetes/client-node');
    const config = new KubeConfig();
    config.loadFromFile(path.join(K8S_RUN!, 'kubeconfig'));
    const [objectName] = (await objectsOf('alice', name)).deployments;
    expect((await config.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: objectName })).spec!.replicas).toBe(2);
    // The second replica cannot bind the first one's ports on the node: the view says so.
    const pending = await waitFor(
      async () =>
        (await deployment()).stateHistory.find(
          (h: any) => h.time >= decision.time && /^1 of 2 replicas pending: the scheduler cannot place the model server: .*free ports/.test(h.reason)
        ),
      30_000,
      "the pending replica's reason in the history"
    ).finally(stop);
    expect(failures).toEqual([]);

    // No load: back to one replica once the 6 s window has only low readings.
    const idle = Date.now();
    const down = await waitFor(async () => {
      const d = await deployment();
      return d.replicas === 1 ? d : undefined;
    }, 45_000, 'scaled down after the load');
    expect(down.stateHistory.findLast((h: any) => h.reason.startsWith('cpu ')).reason).toMatch(/^cpu \d+% of 15% target over 1 measured replica: 2 -> 1$/);
    process.stdout.write(
      `cpu autoscaling: ${decision.reason} after ${upAfter.toFixed(1)} s of load (${statuses.length} requests); ${pending.reason}; down ${((Date.now() - idle) / 1000).toFixed(1)} s after it stopped\n`
    );
    const off = await t.call('PATCH', `/api/v1/deployments/${name}`, { autoscaling: null });
    expect([off.status, off.body.autoscaling, off.body.replicas]).toEqual([200, undefined, 1]);
  }, 150_000);

  test('a killed serving pod is replaced by its Deployment; meanwhile the proxy answers 503 with the reason, then 200 again', async () => {
    const { core } = adminClients();
    // One replica, whatever the test before left.
    expect((await t.call('PATCH', `/api/v1/deployments/${name}`, { autoscaling: null })).status).toBe(200);
    expect((await t.call('PATCH', `/api/v1/deployments/${name}`, { replicas: 1 })).status).toBe(200);
    const pod = (await waitFor(async () => {
      const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: servingSelector('alice', name) })).items;
      return pods.length === 1 && pods[0].status?.phase === 'Running' ? pods[0] : undefined;
    }, 60_000, 'one running replica'))!;
    const killed = Date.now();
    await core.deleteNamespacedPod({ namespace: NS, name: pod.metadata!.name!, gracePeriodSeconds: 0 });
    const seen: { status: number; message?: string }[] = [];
    await waitFor(async () => {
      const r = await infer();
      seen.push({ status: r.status, message: r.body?.error?.message });
      return r.status === 503;
    }, 60_000, 'a 503 while no replica is ready');
    const unavailable = seen.filter(s => s.status === 503);
    expect(unavailable[0].message).toMatch(new RegExp(`deployment ${name} has no ready model server|did not answer`));
    // Nothing but 200 (before the deletion was seen) and 503 (while no replica is ready).
    expect(seen.filter(s => s.status !== 200 && s.status !== 503)).toEqual([]);
    const statuses: number[] = [];
    await waitFor(async () => {
      const r = await infer();
      statuses.push(r.status);
      if (r.status !== 200 && r.status !== 503) {
        throw new Error(`unexpected answer while the pod is replaced: ${r.status} ${JSON.stringify(r.body)}`);
      }
      return r.status === 200;
    }, 180_000, 'the replacement pod to answer');
    const unavailableCount = seen.filter(s => s.status === 503).length + statuses.filter(s => s === 503).length;
    process.stdout.write(`serving pod killed: 200 again after ${((Date.now() - killed) / 1000).toFixed(1)} s, ${unavailableCount} answers 503 meanwhile ("${unavailable[0].message}")\n`);
    const d = await waitFor(async () => {
      const x = await deployment();
      return x.state === 'READY' ? x : undefined;
    }, 30_000, 'READY again');
    expect(d.stateHistory.some((s: any) => s.state === 'DEPLOYING' && /no model server replica is ready/.test(s.reason))).toBe(true);
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: servingSelector('alice', name) })).items;
    expect(pods.map(p => p.metadata!.name)).not.toContain(pod.metadata!.name);
  }, 300_000);

  test('after a service restart the deployment is adopted by label: nothing is duplicated and inference answers', async () => {
    const before = await objectsOf('alice', name);
    await t.close();
    t = await start();
    const d = await waitFor(async () => {
      const x = await deployment();
      return x.state === 'READY' ? x : undefined;
    }, 120_000, 'READY after the restart');
    expect(d.stateHistory.at(-1).reason).toBe('adopted after a service restart');
    expect(await objectsOf('alice', name)).toEqual(before);
    expect((await infer()).status).toBe(200);
  }, 300_000);

  test('undeploy deletes every object it made, and only those', async () => {
    const { core } = adminClients();
    const others = (await core.listNamespacedService({ namespace: NS })).items.map(s => s.metadata!.name).filter(n => !n!.startsWith('lt-pts-'));
    const res = await t.call('DELETE', `/api/v1/deployments/${name}`);
    expect(res.status).toBe(200);
    expect((await t.call('GET', `/api/v1/deployments/${name}`)).status).toBe(404);
    await waitFor(async () => {
      const o = await objectsOf('alice', name);
      return Object.values(o).every(v => v.length === 0);
    }, 120_000, 'no objects left');
    expect((await core.listNamespacedService({ namespace: NS })).items.map(s => s.metadata!.name).filter(n => !n!.startsWith('lt-pts-'))).toEqual(others);
    expect((await infer()).status).toBe(404);
  }, 200_000);
});
