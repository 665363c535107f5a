import crypto from 'node:crypto';
import type { V1Container, V1Deployment, V1PodSpec, V1Service } from '@kubernetes/client-node';
import { acceleratorValue, cpuQuantity, LABELS, MANAGED_BY, memoryQuantity } from '../../backends/kubernetes/manifests.js';
import { applyPodTemplate } from '../../backends/kubernetes/podTemplate.js';
import type { PodTemplate } from '../../schemas/podTemplate.js';
import type { KubeServingRuntime } from '../../store/store.js';

/** Label keys of model server objects (beside `app.kubernetes.io/managed-by`). */
export const SERVING_LABELS = {
  /** A hash of owner and deployment name: owner names may hold characters labels cannot. */
  deployment: 'laketahoe.io/serving',
  version: 'laketahoe.io/model-version'
} as const;
/** Annotations holding the exact owner and deployment name. */
export const SERVING_ANNOTATIONS = { owner: 'laketahoe.io/owner', deployment: 'laketahoe.io/deployment' } as const;

/** Where the init container puts the model repository; MLServer starts on it. */
export const MODEL_ROOT = '/mnt/models';
/** Name of the Service port; the API server's service proxy addresses it by name. */
export const HTTP_PORT_NAME = 'http';
/** Name of MLServer's metrics port (the CPU autoscaler reads its process CPU there through the pod proxy). */
export const METRICS_PORT_NAME = 'metrics';
/** MLServer's container. */
export const SERVER_CONTAINER = 'mlserver';
/** The container that fetches the model before the server starts. */
export const FETCH_CONTAINER = 'fetch-model';

/** The label value naming one deployment's objects. */
export function servingLabel(owner: string, name: string): string {
  return crypto.createHash('sha256').update(`${owner}\u0000${name}`).digest('hex').slice(0, 16);
}

/** Selector of every object of one deployment (all versions). */
export function servingSelector(owner: string, name: string): string {
  return `${LABELS.managedBy}=${MANAGED_BY},${SERVING_LABELS.deployment}=${servingLabel(owner, name)}`;
}

/** Name of one version's Deployment and Service: a DNS-1035 label of at most 63 characters. */
export function versionObjectName(owner: string, name: string, version: number): string {
  const suffix = `-v${version}-${servingLabel(owner, name).slice(0, 6)}`;
  return `lt-${name.slice(0, 63 - 3 - suffix.length)}${suffix}`.replace(/-+/g, '-');
}

/** The ports of one version's server: HTTP, gRPC (the next one) and metrics. */
export interface ServerPorts {
  http: number;
  metrics: number;
}

/**
 * Ports on a node's shared network: from 20000 to 29999, below the NodePort range (30000-32767) and
 * Linux's default ephemeral range (32768-60999). A port in the ephemeral range may be the local port of
 * any outgoing connection of the node (or its TIME_WAIT, which blocks a bind for a minute), and MLServer
 * exits when it cannot bind.
 */
const HOST_PORT_BASE = 20000;
/** Three ports each (HTTP, gRPC, metrics). */
const HOST_PORT_SLOTS = 3333;

/**
 * The ports of one version's server. Pods that share the node's network (a pod template with
 * hostNetwork) each need their own, so they come from a slot: the deployment's hash plus the version,
 * so that the versions of one deployment (the one serving, the one replacing it, challengers) get
 * different ones. Otherwise MLServer's usual 8080 (gRPC 8081) and 8082.
 */
export function serverPorts(owner: string, deployment: string, version: number, hostNetwork: boolean): ServerPorts {
  if (!hostNetwork) {
    return { http: 8080, metrics: 8082 };
  }
  const base = Number.parseInt(servingLabel(owner, deployment).slice(0, 8), 16);
  const port = HOST_PORT_BASE + 3 * ((base + version) % HOST_PORT_SLOTS);
  return { http: port, metrics: port + 2 };
}

/** What one version's objects are built from. */
export interface VersionSpec {
  owner: string;
  deployment: string;
  model: string;
  version: number;
  runtime: KubeServingRuntime;
  image: string;
  podTemplate?: PodTemplate;
  acceleratorLabel: string;
  /** Presigned GET of the model archive (grants reading that one object, nothing else). */
  archiveUrl: string;
  /** Its SHA-256, from the archive's manifest in the store. */
  archiveSha256: string;
  /** MLServer's model settings of the saved folder. */
  settings: Record<string, unknown>;
}

/**
 * The init container's program: downloads the archive, checks its digest against the manifest, unpacks
 * it refusing links and paths that leave the folder, checks the saved model's own manifest names a file
 * that is there, and writes MLServer's settings. Its last line is the reason when it fails
 * (terminationMessagePolicy FallbackToLogsOnError shows it on the pod).
 */
const FETCH_SCRIPT = String.raw`
import hashlib, json, os, sys, tarfile, urllib.request
def fail(msg):
    print(msg, flush=True); sys.exit(1)
root, name = os.environ['LT_MODEL_ROOT'], os.environ['LT_MODEL_NAME']
folder = os.path.join(root, name)
os.makedirs(folder, exist_ok=True)
archive = os.path.join(root, 'model.tar')
digest = hashlib.sha256()
try:
    with urllib.request.urlopen(os.environ['LT_MODEL_URL'], timeout=120) as r, open(archive, 'wb') as out:
        while True:
            chunk = r.read(1 << 20)
            if not chunk: break
            digest.update(chunk); out.write(chunk)
except Exception as e:
    fail('cannot download the model from the artifact store: %s' % e)
if digest.hexdigest() != os.environ['LT_MODEL_SHA256']:
    fail('the model archive does not match its manifest: sha256 %s, expected %s' % (digest.hexdigest(), os.environ['LT_MODEL_SHA256']))
with tarfile.open(archive) as t:
    for m in t.getmembers():
        p = os.path.normpath(m.name)
        if not (m.isfile() or m.isdir()) or p.startswith('..') or os.path.isabs(p):
            fail('the model archive holds an unsafe entry: %s' % m.name)
        t.extract(m, folder)
os.remove(archive)
try:
    manifest = json.load(open(os.path.join(folder, 'laketahoe-model.json')))
except Exception as e:
    fail('laketahoe-model.json: %s' % e)
artifact = os.path.realpath(os.path.join(folder, str(manifest.get('artifact', ''))))
if not artifact.startswith(os.path.realpath(folder) + os.sep) or not os.path.isfile(artifact):
    fail('laketahoe-model.json: artifact %s is not in the model archive' % manifest.get('artifact'))
settings = json.loads(os.environ['LT_MODEL_SETTINGS'])
settings.setdefault('parameters', {})['uri'] = artifact
with open(os.path.join(folder, 'model-settings.json'), 'w') as f: json.dump(settings, f)
port = int(os.environ['LT_HTTP_PORT'])
with open(os.path.join(root, 'settings.json'), 'w') as f:
    json.dump({'host': '0.0.0.0', 'http_port': port, 'grpc_port': port + 1, 'parallel_workers': 0,
               'metrics_endpoint': '/metrics', 'metrics_port': int(os.environ['LT_METRICS_PORT']),
               'load_models_at_startup': True, 'model_repository_root': root}, f)
print('model %s ready in %s (%s files)' % (name, folder, sum(len(f) for _, _, f in os.walk(folder))), flush=True)
`;

function labels(spec: VersionSpec, objectName: string): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [SERVING_LABELS.deployment]: servingLabel(spec.owner, spec.deployment),
    [SERVING_LABELS.version]: String(spec.version),
    app: objectName
  };
}

/** One served version: a Deployment running MLServer (model fetched by an init container) and its Service. */
export function versionManifests(spec: VersionSpec, namespace: string): { deployment: V1Deployment; service: V1Service; port: number } {
  const objectName = versionObjectName(spec.owner, spec.deployment, spec.version);
  const { http: port, metrics } = serverPorts(spec.owner, spec.deployment, spec.version, spec.podTemplate?.hostNetwork === true);
  const objectLabels = labels(spec, objectName);
  const metadata = {
    name: objectName,
    namespace,
    labels: objectLabels,
    annotations: { [SERVING_ANNOTATIONS.owner]: spec.owner, [SERVING_ANNOTATIONS.deployment]: spec.deployment }
  };
  const { runtime } = spec;
  const limits: Record<string, string> = { cpu: cpuQuantity(runtime.cpu), memory: memoryQuantity(runtime.memoryGb * 1024 ** 3) };
  if (runtime.gpu > 0) {
    limits['nvidia.com/gpu'] = String(runtime.gpu);
  }
  const models = { name: 'models', mountPath: MODEL_ROOT };
  const fetch: V1Container = {
    name: FETCH_CONTAINER,
    image: spec.image,
    command: ['python3', '-c', FETCH_SCRIPT],
    env: [
      { name: 'LT_MODEL_ROOT', value: MODEL_ROOT },
      { name: 'LT_MODEL_NAME', value: spec.model },
      { name: 'LT_MODEL_URL', value: spec.archiveUrl },
      { name: 'LT_MODEL_SHA256', value: spec.archiveSha256 },
      { name: 'LT_MODEL_SETTINGS', value: JSON.stringify({ ...spec.settings, name: spec.model, parameters: { ...(spec.settings.parameters as object), version: String(spec.version) } }) },
      { name: 'LT_HTTP_PORT', value: String(port) },
      { name: 'LT_METRICS_PORT', value: String(metrics) }
    ],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: cpuQuantity(Math.max(runtime.cpu, 0.5)), memory: '512Mi' } },
    volumeMounts: [models],
    terminationMessagePolicy: 'FallbackToLogsOnError'
  };
  // A replica busy with inference answers its probes late (its CPU limit throttles the whole process):
  // that is not a failure, so a probe has 5 s to answer and readiness drops only after 3 misses in a row.
  const probe = (path: string, failureThreshold: number) => ({
    httpGet: { path, port: HTTP_PORT_NAME },
    periodSeconds: 1,
    timeoutSeconds: 5,
    failureThreshold
  });
  const server: V1Container = {
    name: SERVER_CONTAINER,
    image: spec.image,
    command: ['mlserver', 'start', MODEL_ROOT],
    env: [
      { name: 'PYTHONUNBUFFERED', value: '1' },
      // Thread pools sized to the CPU request, not to the node's cores.
      ...['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'].map(n => ({ name: n, value: String(Math.max(1, Math.floor(runtime.cpu))) }))
    ],
    ports: [
      { name: HTTP_PORT_NAME, containerPort: port, protocol: 'TCP' },
      { name: METRICS_PORT_NAME, containerPort: metrics, protocol: 'TCP' }
    ],
    resources: { requests: limits, limits },
    volumeMounts: [models],
    // Ready once the model is loaded: the Service sends nothing to a replica before.
    readinessProbe: probe(`/v2/models/${spec.model}/ready`, 3),
    livenessProbe: { ...probe('/v2/health/live', 5), initialDelaySeconds: 0, periodSeconds: 3 },
    startupProbe: { ...probe('/v2/health/live', 120) },
    terminationMessagePolicy: 'FallbackToLogsOnError'
  };
  const pod: V1PodSpec = {
    priorityClassName: runtime.priority,
    initContainers: [fetch],
    containers: [server],
    volumes: [{ name: 'models', emptyDir: {} }],
    terminationGracePeriodSeconds: 10,
    automountServiceAccountToken: false,
    ...(runtime.gpu > 0 ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } : {}),
    ...(runtime.gpu > 0 && runtime.acceleratorType ? { nodeSelector: { [spec.acceleratorLabel]: acceleratorValue(runtime.acceleratorType) } } : {})
  };
  applyPodTemplate(pod, server, spec.podTemplate);
  if (spec.podTemplate?.env) {
    fetch.env = [...fetch.env!, ...spec.podTemplate.env];
  }
  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: runtime.replicas,
      selector: { matchLabels: { [SERVING_LABELS.deployment]: objectLabels[SERVING_LABELS.deployment], [SERVING_LABELS.version]: String(spec.version) } },
      // A replaced pod's successor starts before it goes; on a shared host network the ports would clash.
      strategy:
        spec.podTemplate?.hostNetwork === true
          ? { type: 'Recreate' }
          : { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      // A model that keeps failing is reported, not retried for ten minutes.
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 1,
      template: { metadata: { labels: objectLabels }, spec: pod }
    }
  };
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      selector: { [SERVING_LABELS.deployment]: objectLabels[SERVING_LABELS.deployment], [SERVING_LABELS.version]: String(spec.version) },
      ports: [{ name: HTTP_PORT_NAME, port, targetPort: HTTP_PORT_NAME, protocol: 'TCP' }]
    }
  };
  return { deployment, service, port };
}
