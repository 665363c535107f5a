import fs from 'node:fs';
import path from 'node:path';
import { BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, Watch, type V1Job } from '@kubernetes/client-node';
import type { KubernetesConfig } from '../../src/config.js';
import type { PodTemplate } from '../../src/schemas/podTemplate.js';
import { inlineInputs } from '../../src/backends/kubernetes/inputs.js';

/**
 * The test control plane started by `tools/k8s/cluster.sh start` (see docs/k8s-test-cluster.md). The
 * suite runs only when LAKETAHOE_K8S_RUN points at its run folder.
 */
export const K8S_RUN = process.env.LAKETAHOE_K8S_RUN;

/** Whether this is CI's run (`CI` set and not empty/0/false), where every prerequisite is installed. */
export const UNDER_CI = !['', '0', 'false', 'no'].includes((process.env.CI ?? '').trim().toLowerCase());

/**
 * `describe` when the cluster is there. Without it: under CI one failing test (CI always has the
 * control plane, so a missing one is a broken set-up that a skip would hide); elsewhere
 * `describe.skip` with a loud note, for a developer's partial machine.
 */
export function describeCluster(name: string, fn: () => void): void {
  if (!K8S_RUN && UNDER_CI) {
    describe(name, () => {
      it('has the test control plane', () => {
        throw new Error('LAKETAHOE_K8S_RUN is not set under CI: tools/k8s/test.sh starts the cluster and sets it');
      });
    });
    return;
  }
  if (!K8S_RUN) {
    process.stderr.write(`\n*** SKIPPED ${name}: LAKETAHOE_K8S_RUN is not set (start the cluster with tools/k8s/cluster.sh start) ***\n\n`);
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

/** Admin kubeconfig path. */
export const adminKubeconfig = () => path.join(K8S_RUN!, 'kubeconfig');
/** A tenant's service-account kubeconfig path. */
export const tenantKubeconfig = (user: string) => path.join(K8S_RUN!, 'tenants', `${user}.kubeconfig`);

/** Kubernetes settings for a test service; short TTL is not needed, names are unique per run. */
export function k8sConfig(overrides: Partial<KubernetesConfig> = {}): KubernetesConfig {
  return {
    kubeconfig: adminKubeconfig(),
    namespaceTemplate: 'laketahoe-{user}',
    defaultImage: 'laketahoe-runner:test',
    ttlSecondsAfterFinished: 600,
    backoffLimit: 0,
    maxInputBytes: 900 * 1024,
    acceleratorLabel: 'accelerator',
    qps: 50,
    burst: 100,
    ...overrides
  };
}

/** Admin clients for checking what the service created. */
export function adminClients(): { batch: BatchV1Api; core: CoreV1Api; custom: CustomObjectsApi } {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig());
  return { batch: kc.makeApiClient(BatchV1Api), core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
}

/**
 * The largest number of a selection's Jobs that ran at once, counted from a watch's events (ordered by the
 * apiserver, so no overlap is missed the way a poll between two events would miss it). A Job counts from
 * its creation until it has a Complete or Failed condition, or is deleted. Start it before the Jobs exist.
 */
export async function watchJobConcurrency(namespace: string, labelSelector: string): Promise<{ most: () => number; names: () => string[]; stop: () => void }> {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig());
  const active = new Set<string>();
  const seen = new Set<string>();
  let most = 0;
  const finished = (job: V1Job) => (job.status?.conditions ?? []).some(c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const controller = await new Watch(kc).watch(
    `/apis/batch/v1/namespaces/${namespace}/jobs`,
    { labelSelector },
    (phase: string, job: V1Job) => {
      const name = job.metadata!.name!;
      seen.add(name);
      if (phase === 'DELETED' || finished(job)) {
        active.delete(name);
      } else {
        active.add(name);
        most = Math.max(most, active.size);
      }
    },
    () => undefined
  );
  return { most: () => most, names: () => [...seen].sort(), stop: () => controller.abort() };
}

/** Lines every pod's log returns (kwok serves one file to all pods): runner records the service parses. */
export const RUNNER_LINES = [
  '##laketahoe {"type":"started","totalCells":2}',
  '##laketahoe {"type":"progress","cell":0,"totalCells":2}',
  '##laketahoe {"type":"metric","step":1,"values":{"accuracy":0.75,"loss":0.5}}',
  '##laketahoe {"type":"progress","cell":1,"totalCells":2}',
  'k8s suite: runner finished'
];

/** Appends a line to the log file every pod of the cluster returns, in the CRI format kwok reads. */
export function appendPodLog(text: string): void {
  const line = `${new Date().toISOString().replace('Z', '000000Z')} stdout F ${text}\n`;
  fs.appendFileSync(path.join(K8S_RUN!, 'logs', 'default.log'), line);
}

/** Puts {@link RUNNER_LINES} into the shared pod log once per cluster. */
export function seedPodLog(): void {
  const file = path.join(K8S_RUN!, 'logs', 'default.log');
  if (!fs.readFileSync(file, 'utf8').includes(RUNNER_LINES[RUNNER_LINES.length - 1])) {
    for (const line of RUNNER_LINES) {
      appendPodLog(line);
    }
  }
}

/** What `tools/k8s/cluster.sh start` says the real node has (`run/images.env`: node name, selector, taint, images). */
export function nodeImages(): Record<string, string> {
  const file = path.join(K8S_RUN ?? '', 'images.env');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: the cluster was started without its real node`);
  }
  return Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map(l => /^(\w+)=['"]?([^'"]*)['"]?$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map(m => [m[1], m[2]])
  );
}

/** The administrator pod template that puts every run on the real node, sharing its network (the S3 server listens on loopback). */
export function realNodeTemplate(images: Record<string, string> = nodeImages()): PodTemplate {
  const [selKey, selValue] = images.LAKETAHOE_K8S_NODE_SELECTOR.split('=');
  const taintKey = images.LAKETAHOE_K8S_NODE_TAINT.split('=')[0];
  return {
    nodeSelector: { [selKey]: selValue },
    tolerations: [{ key: taintKey, operator: 'Exists', effect: 'NoSchedule' }],
    hostNetwork: true
  };
}

/** The input files a run's pods read, by name: from its Job's pod template, or its ConfigMap when it has one. */
export async function runInputs(namespace: string, name: string): Promise<Record<string, string>> {
  const { batch, core } = adminClients();
  const template = (await batch.readNamespacedJob({ namespace, name })).spec!.template;
  const inline = inlineInputs(template.metadata?.annotations, template.spec?.volumes);
  if (Object.keys(inline).length > 0) {
    return inline;
  }
  return (await core.readNamespacedConfigMap({ namespace, name: `${name}-input` })).data ?? {};
}
