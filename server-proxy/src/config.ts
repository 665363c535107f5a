import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readTokensFile, readTokensFileGroups } from './api/auth.js';
import { ARTIFACT_FLAGS, parseArtifactConfig, type ArtifactConfig } from './artifacts/config.js';
import { DEFAULT_K8S_BURST, DEFAULT_K8S_QPS } from './backends/kubernetes/rateLimit.js';
import { parseImageList, type ImagePolicy } from './backends/kubernetes/images.js';
import { POD_TEMPLATE_FIELDS, validatePodTemplate, type PodTemplate, type PodTemplateField } from './schemas/podTemplate.js';
import { isPostgresUrl, redactDatabaseUrl } from './store/postgres/database.js';
import { BUNDLED } from './version.js';

/** Everything the service needs to start; built from flags and environment by `parseServeArgs`. */
export interface ServiceConfig {
  host: string;
  port: number;
  socket?: string;
  /**
   * A listening socket inherited from the parent (its file descriptor): the launcher under Jupyter
   * keeps it open across restarts, so requests made while the service restarts wait instead of failing.
   */
  listenFd?: number;
  rootDir: string;
  dataDir: string;
  /**
   * PostgreSQL database of the shared mode (`postgres://...`); the SQLite file in the data folder when
   * absent. Holds the password: log it only through redactDatabaseUrl.
   */
  databaseUrl?: string;
  jobsDir: string;
  /** Folder of the users' local secrets files, `<user>.json` (`--secrets-dir`, default `<data-dir>/secrets`). */
  secretsDir?: string;
  python: string;
  /** Where the runtime file goes; undefined to write none (in-process tests). */
  runtimeFile?: string;
  maxNotebookBytes: number;
  maxFolderBytes: number;
  /** token -> user. */
  tokens: Map<string, string>;
  /** The embedded user's token (echoed into the runtime file); absent in shared mode. */
  token?: string;
  /** user -> groups of the tokens file's users (its `groups`). */
  tokenGroups?: Map<string, string[]>;
  /** Set when JupyterHub's tokens are accepted (`--jupyterhub-api-url`). */
  hub?: HubConfig;
  /** Members of this group may list and read every user's jobs, models and deployments. */
  adminGroup?: string;
  user: string;
  cpus?: number;
  memoryBytes?: number;
  gpus?: number;
  pollMs?: number;
  killGraceMs?: number;
  /** Fork local runners from a warm template (default); `LAKETAHOE_WARM_RUNNERS=0` starts each cold. */
  warmRunners?: boolean;
  /** Time between two resource usage samples of a running job or trial (`LAKETAHOE_USAGE_INTERVAL_MS`, 5 s). */
  usageIntervalMs?: number;
  heartbeatMs?: number;
  logLevel: string;
  /** The `mlserver` executable that serves deployments. */
  mlserver: string;
  /** Larger inference request bodies give 413. */
  maxInferBytes: number;
  /** A model server not ready within this time fails its deployment. */
  deployTimeoutMs: number;
  /** How often a ready model server's liveness is checked (tests lower it). */
  livenessMs?: number;
  /** First restart delay of a model server that died; doubles per crash up to 60 s (tests lower it). */
  restartDelayMs?: number;
  /** Backend of jobs that do not name one (local when absent). */
  defaultBackend?: 'local' | 'kubernetes';
  /** Set when the Kubernetes backend is configured. */
  k8s?: KubernetesConfig;
  /** Where artifacts go; the local folder when absent. Holds credentials: never log it. */
  artifacts?: ArtifactConfig;
  /**
   * The operator's statement that every user's job code is trusted with the service's OS account: only
   * then may a service that several users reach (a tokens file with more than one user) run jobs and
   * model servers on this machine (see "Personal and shared mode" in docs/contracts.md).
   */
  trustJobs?: boolean;
  /** Each user's retention of finished jobs (`--retention-keep-last`, `--retention-days`); none keeps all. */
  retention?: { keepLast?: number; maxAgeDays?: number };
  /** Time between retention sweeps (`--retention-interval`, seconds; an hour by default). */
  retentionIntervalMs?: number;
  /** Delay before a failed webhook delivery is tried again; doubles per failure (tests lower it). */
  webhookFirstRetryMs?: number;
  /** Webhooks may post to loopback, private and link-local addresses (`--webhook-allow-private-networks`). */
  webhookAllowPrivateNetworks?: boolean;
  /**
   * How replicas on one PostgreSQL database elect the one that runs the controllers
   * (`--leader-election`): `lease` (a Kubernetes Lease, `--leader-lease namespace/name`) or `advisory-lock`
   * (PostgreSQL's); `auto` picks the Lease inside a cluster. Ignored with SQLite (one process, always leader).
   */
  leaderElection?: 'auto' | 'advisory-lock' | 'lease';
  /** The Lease of `--leader-election lease`: namespace and name. */
  leaderLease?: { namespace: string; name: string };
}

/** Accepting JupyterHub's tokens as one of its services (see "JupyterHub sign-in" in docs/contracts.md). */
export interface HubConfig {
  /** The hub's REST API, e.g. `http://127.0.0.1:8081/hub/api`. */
  apiUrl: string;
  /** This service's name in the hub: tokens need `access:services!service=<name>`. */
  serviceName: string;
  /** How long a token's owner is trusted before the hub is asked again (a revoked token works this long). */
  cacheMs: number;
  /** How long an unknown token is remembered as unknown. */
  negativeCacheMs: number;
  /** Most tokens remembered. */
  cacheEntries: number;
  /** A hub that has not answered by then counts as down (503). */
  timeoutMs: number;
}

/** Whether a flag-like environment value says yes. */
function truthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** Settings of the Kubernetes backend (see "Kubernetes backend" in docs/contracts.md). */
export interface KubernetesConfig {
  /** kubeconfig file; the pod's service account when absent. */
  kubeconfig?: string;
  /** Namespace of a user, `{user}` replaced. */
  namespaceTemplate: string;
  /** Explicit user -> namespace entries that win over the template. */
  namespaceMap?: Record<string, string>;
  /** Image of jobs without masterConfig.imageUri. */
  defaultImage: string;
  /** PVC that receives the outputs; an emptyDir per pod when unset. */
  outputPvc?: string;
  ttlSecondsAfterFinished: number;
  backoffLimit: number;
  /** Most bytes of inputs (notebook, packages) one job carries in its ConfigMap. */
  maxInputBytes: number;
  /** Node label holding the GPU type. */
  acceleratorLabel: string;
  /** Client-side rate limit of the calls to the API server: steady calls per second and burst. */
  qps: number;
  burst: number;
  /** Pod settings every run gets (`--k8s-pod-template`, a JSON file). */
  podTemplate?: PodTemplate;
  /** Image of model server pods: MLServer with the runtimes (`--k8s-serving-image`). */
  servingImage?: string;
  /** Fields of the pod template a job may set itself (`--k8s-job-pod-template-fields`); none by default. */
  jobPodTemplateFields?: PodTemplateField[];
  /**
   * Images jobs may choose by name (`--k8s-images name=ref,...`), and whether other references may be
   * typed in: always when no list is given, else only with `--k8s-allow-any-image`.
   */
  imagePolicy?: ImagePolicy;
}

/** The image choice of Kubernetes jobs: free entry when the administrator lists no images. */
function imagePolicy(list: string | undefined, allowAny: boolean): ImagePolicy {
  const images = parseImageList(list);
  return { images, allowAnyImage: images.length === 0 || allowAny };
}

/** Reads and checks the administrator's pod template; errors name the file and the field. */
function readPodTemplate(file: string | undefined): PodTemplate | undefined {
  if (!file) {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`k8s-pod-template: cannot read ${file} as JSON: ${(err as Error).message}`);
  }
  try {
    return validatePodTemplate(value, 'podTemplate');
  } catch (err) {
    throw new Error(`k8s-pod-template: ${file}: ${(err as Error).message}`);
  }
}

/** `tolerations,nodeSelector` -> the fields a job may set; unknown names are refused. */
function parsePodTemplateFields(value: string | undefined): PodTemplateField[] {
  const fields = (value ?? '').split(',').map(f => f.trim()).filter(Boolean);
  for (const f of fields) {
    if (!(POD_TEMPLATE_FIELDS as string[]).includes(f)) {
      throw new Error(`k8s-job-pod-template-fields: unknown field '${f}' (known: ${POD_TEMPLATE_FIELDS.join(', ')})`);
    }
  }
  return fields as PodTemplateField[];
}

/** Default image of Kubernetes jobs: the runner image built from this repository. */
export const DEFAULT_K8S_IMAGE = 'laketahoe-runner:latest';

/** `alice=ns-a,bob=ns-b` -> {alice: 'ns-a', bob: 'ns-b'}. */
function parseNamespaceMap(value: string | undefined): Record<string, string> | undefined {
  if (!value) {
    return undefined;
  }
  const map: Record<string, string> = {};
  for (const entry of value.split(',').map(e => e.trim()).filter(Boolean)) {
    const [user, namespace] = entry.split('=');
    if (!user || !namespace || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
      throw new Error(`k8s-namespace-map: '${entry}' is not user=namespace`);
    }
    map[user] = namespace;
  }
  return map;
}

/** `.venv-serving/bin/mlserver` of the checkout this file belongs to (src/ and dist/ sit at the same depth). */
export const CHECKOUT_MLSERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '.venv-serving', 'bin', 'mlserver');

/**
 * The serving environment that `laketahoe serving-env create` builds for an installed package:
 * `LAKETAHOE_SERVING_VENV`, else `${XDG_DATA_HOME:-~/.local/share}/laketahoe/serving-venv`
 * (laketahoe/serving_env.py computes the same path).
 */
export function userServingVenv(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LAKETAHOE_SERVING_VENV) {
    return path.resolve(env.LAKETAHOE_SERVING_VENV);
  }
  const data = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(data, 'laketahoe', 'serving-venv');
}

/**
 * The `mlserver` used when neither `--mlserver` nor `LAKETAHOE_MLSERVER` names one: the checkout's
 * `.venv-serving` when it exists (development, `make setup`), else the user's serving environment, which
 * need not exist yet (a deployment then fails with a message that says how to create it).
 */
export function defaultMlserver(env: NodeJS.ProcessEnv = process.env, checkout: string | undefined = CHECKOUT_MLSERVER): string {
  if (!env.LAKETAHOE_SERVING_VENV && checkout && !BUNDLED && fs.existsSync(checkout)) {
    return checkout;
  }
  return path.join(userServingVenv(env), 'bin', 'mlserver');
}

const MIB = 1024 * 1024;

/** Default runtime file: `$(jupyter --runtime-dir)/laketahoe-proxy.json`, falling back to Jupyter's default. */
function defaultRuntimeFile(): string {
  let dir = process.env.JUPYTER_RUNTIME_DIR;
  if (!dir) {
    try {
      dir = execFileSync('jupyter', ['--runtime-dir'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      dir = path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'jupyter', 'runtime');
    }
  }
  return path.join(dir, 'laketahoe-proxy.json');
}

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`${name} must be a non-negative number, got '${value}'`);
  }
  return n;
}

/** A rate setting: a number above zero (a whole one when `whole`). */
function positive(value: string | undefined, name: string, whole: boolean): number | undefined {
  const n = num(value, name);
  if (n !== undefined && (n <= 0 || (whole && !Number.isInteger(n)))) {
    throw new Error(`${name} must be a ${whole ? 'whole number of at least 1' : 'number above 0'}, got '${value}'`);
  }
  return n;
}

/** `--jupyterhub-*` (and their LAKETAHOE_JUPYTERHUB_* variables) -> the hub settings; undefined without an API URL. */
function parseHubConfig(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): HubConfig | undefined {
  const apiUrl = (values['jupyterhub-api-url'] as string | undefined) ?? (env.LAKETAHOE_JUPYTERHUB_API_URL || undefined);
  if (!apiUrl) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new Error(`jupyterhub-api-url: '${apiUrl}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`jupyterhub-api-url: '${apiUrl}' must be http or https`);
  }
  const seconds = num((values['jupyterhub-cache-seconds'] as string | undefined) ?? env.LAKETAHOE_JUPYTERHUB_CACHE_SECONDS, 'jupyterhub-cache-seconds') ?? 30;
  return {
    apiUrl: url.toString().replace(/\/+$/, ''),
    serviceName: (values['jupyterhub-service-name'] as string | undefined) ?? (env.JUPYTERHUB_SERVICE_NAME || 'laketahoe'),
    cacheMs: seconds * 1000,
    // Unknown tokens are asked about again sooner: a freshly made token should not wait the full time.
    negativeCacheMs: Math.min(seconds, 5) * 1000,
    cacheEntries: 10_000,
    timeoutMs: 5000
  };
}

/** Parses `serve` flags (see docs/contracts.md); flags win over environment variables. */
/** The per-user retention rule from its two flags; undefined when neither is set. */
function retentionRule(keepLast: number | undefined, maxAgeDays: number | undefined): ServiceConfig['retention'] {
  if (keepLast !== undefined && !Number.isInteger(keepLast)) {
    throw new Error(`retention-keep-last must be a whole number, got '${keepLast}'`);
  }
  if (maxAgeDays === 0) {
    throw new Error('retention-days must be above 0');
  }
  return keepLast === undefined && maxAgeDays === undefined ? undefined : { keepLast, maxAgeDays };
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      socket: { type: 'string' },
      'listen-fd': { type: 'string' },
      'root-dir': { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      'jobs-dir': { type: 'string' },
      python: { type: 'string' },
      'runtime-file': { type: 'string' },
      'max-notebook-bytes': { type: 'string' },
      'max-folder-bytes': { type: 'string' },
      'tokens-file': { type: 'string' },
      user: { type: 'string' },
      cpus: { type: 'string' },
      'memory-bytes': { type: 'string' },
      gpus: { type: 'string' },
      'log-level': { type: 'string' },
      mlserver: { type: 'string' },
      'max-infer-bytes': { type: 'string' },
      'deploy-timeout': { type: 'string' },
      'retention-keep-last': { type: 'string' },
      'retention-days': { type: 'string' },
      'retention-interval': { type: 'string' },
      backend: { type: 'string' },
      'secrets-dir': { type: 'string' },
      'k8s-kubeconfig': { type: 'string' },
      'k8s-namespace-template': { type: 'string' },
      'k8s-namespace-map': { type: 'string' },
      'k8s-default-image': { type: 'string' },
      'k8s-output-pvc': { type: 'string' },
      'k8s-ttl-seconds': { type: 'string' },
      'k8s-max-input-bytes': { type: 'string' },
      'k8s-qps': { type: 'string' },
      'k8s-burst': { type: 'string' },
      'k8s-pod-template': { type: 'string' },
      'k8s-serving-image': { type: 'string' },
      'k8s-job-pod-template-fields': { type: 'string' },
      'k8s-images': { type: 'string' },
      'k8s-allow-any-image': { type: 'boolean' },
      ...ARTIFACT_FLAGS,
      'trust-jobs': { type: 'boolean' },
      'webhook-allow-private-networks': { type: 'boolean' },
      'jupyterhub-api-url': { type: 'string' },
      'jupyterhub-service-name': { type: 'string' },
      'jupyterhub-cache-seconds': { type: 'string' },
      'admin-group': { type: 'string' },
      'leader-election': { type: 'string' },
      'leader-lease': { type: 'string' }
    }
  });
  const backend = values.backend ?? env.LAKETAHOE_BACKEND ?? 'local';
  if (backend !== 'local' && backend !== 'kubernetes') {
    throw new Error(`backend must be local or kubernetes, got '${backend}'`);
  }
  const kubeconfig = values['k8s-kubeconfig'] ?? (env.LAKETAHOE_K8S_KUBECONFIG || undefined);
  if (backend === 'kubernetes' && !kubeconfig && !env.KUBERNETES_SERVICE_HOST) {
    throw new Error('backend kubernetes needs --k8s-kubeconfig outside a cluster');
  }
  const namespaceTemplate = values['k8s-namespace-template'] ?? env.LAKETAHOE_K8S_NAMESPACE_TEMPLATE ?? 'laketahoe-{user}';
  if (!namespaceTemplate.includes('{user}') && !parseNamespaceMap(values['k8s-namespace-map'] ?? env.LAKETAHOE_K8S_NAMESPACE_MAP)) {
    // One namespace for everybody would let users see each other's pods.
    throw new Error("k8s-namespace-template must contain {user} unless k8s-namespace-map names every user's namespace");
  }
  const k8s: KubernetesConfig | undefined =
    backend === 'kubernetes' || kubeconfig
      ? {
          kubeconfig: kubeconfig ? path.resolve(kubeconfig) : undefined,
          namespaceTemplate,
          namespaceMap: parseNamespaceMap(values['k8s-namespace-map'] ?? env.LAKETAHOE_K8S_NAMESPACE_MAP),
          defaultImage: values['k8s-default-image'] ?? env.LAKETAHOE_K8S_DEFAULT_IMAGE ?? DEFAULT_K8S_IMAGE,
          outputPvc: values['k8s-output-pvc'] ?? (env.LAKETAHOE_K8S_OUTPUT_PVC || undefined),
          ttlSecondsAfterFinished: num(values['k8s-ttl-seconds'] ?? env.LAKETAHOE_K8S_TTL_SECONDS, 'k8s-ttl-seconds') ?? 3600,
          backoffLimit: 3,
          maxInputBytes: num(values['k8s-max-input-bytes'], 'k8s-max-input-bytes') ?? 900 * 1024,
          acceleratorLabel: 'accelerator',
          qps: positive(values['k8s-qps'] ?? env.LAKETAHOE_K8S_QPS, 'k8s-qps', false) ?? DEFAULT_K8S_QPS,
          burst: positive(values['k8s-burst'] ?? env.LAKETAHOE_K8S_BURST, 'k8s-burst', true) ?? DEFAULT_K8S_BURST,
          servingImage: values['k8s-serving-image'] ?? (env.LAKETAHOE_K8S_SERVING_IMAGE || undefined),
          podTemplate: readPodTemplate(values['k8s-pod-template'] ?? (env.LAKETAHOE_K8S_POD_TEMPLATE || undefined)),
          jobPodTemplateFields: parsePodTemplateFields(values['k8s-job-pod-template-fields'] ?? env.LAKETAHOE_K8S_JOB_POD_TEMPLATE_FIELDS),
          imagePolicy: imagePolicy(values['k8s-images'] ?? env.LAKETAHOE_K8S_IMAGES, values['k8s-allow-any-image'] ?? env.LAKETAHOE_K8S_ALLOW_ANY_IMAGE === '1')
        }
      : undefined;
  const rootDir = path.resolve(values['root-dir'] ?? env.LAKETAHOE_ROOT_DIR ?? process.cwd());
  const dataDir = path.resolve(rootDir, values['data-dir'] ?? env.LAKETAHOE_DATA_DIR ?? '.laketahoe');
  const databaseUrl = values['database-url'] ?? (env.LAKETAHOE_DATABASE_URL || undefined);
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    throw new Error(`database-url must be a postgres:// or postgresql:// URL, got '${redactDatabaseUrl(databaseUrl)}' (SQLite, the default, needs none)`);
  }
  const user = values.user ?? env.LAKETAHOE_USER ?? os.userInfo().username;
  const tokensFile = values['tokens-file'] ?? env.LAKETAHOE_TOKENS_FILE;
  const hub = parseHubConfig(values, env);
  let tokens: Map<string, string>;
  let token: string | undefined;
  let tokenGroups: Map<string, string[]> | undefined;
  if (tokensFile) {
    tokens = readTokensFile(tokensFile, f => fs.readFileSync(f, 'utf8'));
    tokenGroups = readTokensFileGroups(tokensFile, f => fs.readFileSync(f, 'utf8'));
  } else if (hub) {
    // Signed in through the hub alone: no embedded user, no token of the service's own to hand out.
    tokens = new Map();
  } else {
    token = env.LAKETAHOE_TOKEN || crypto.randomBytes(32).toString('hex');
    tokens = new Map([[token, user]]);
  }
  return {
    host: values.host ?? env.LAKETAHOE_HOST ?? '127.0.0.1',
    port: num(values.port ?? env.LAKETAHOE_PORT, 'port') ?? 0,
    socket: values.socket ?? (env.LAKETAHOE_SOCKET || undefined),
    listenFd: num(values['listen-fd'], 'listen-fd'),
    rootDir,
    dataDir,
    databaseUrl,
    jobsDir: path.resolve(rootDir, values['jobs-dir'] ?? env.LAKETAHOE_JOBS_DIR ?? 'laketahoe-jobs'),
    secretsDir: path.resolve(rootDir, values['secrets-dir'] ?? env.LAKETAHOE_SECRETS_DIR ?? path.join(dataDir, 'secrets')),
    python: values.python ?? env.LAKETAHOE_PYTHON ?? 'python3',
    runtimeFile: path.resolve(values['runtime-file'] ?? env.LAKETAHOE_RUNTIME_FILE ?? defaultRuntimeFile()),
    maxNotebookBytes: num(values['max-notebook-bytes'] ?? env.LAKETAHOE_MAX_NOTEBOOK_BYTES, 'max-notebook-bytes') ?? 20 * MIB,
    maxFolderBytes: num(values['max-folder-bytes'] ?? env.LAKETAHOE_MAX_FOLDER_BYTES, 'max-folder-bytes') ?? 200 * MIB,
    tokens,
    token,
    tokenGroups,
    hub,
    adminGroup: values['admin-group'] ?? (env.LAKETAHOE_ADMIN_GROUP || undefined),
    user,
    cpus: num(values.cpus, 'cpus'),
    memoryBytes: num(values['memory-bytes'], 'memory-bytes'),
    gpus: num(values.gpus, 'gpus'),
    warmRunners: env.LAKETAHOE_WARM_RUNNERS !== '0',
    usageIntervalMs: positive(env.LAKETAHOE_USAGE_INTERVAL_MS, 'LAKETAHOE_USAGE_INTERVAL_MS', true),
    logLevel: values['log-level'] ?? env.LAKETAHOE_LOG_LEVEL ?? 'info',
    mlserver: path.resolve(values.mlserver ?? (env.LAKETAHOE_MLSERVER || defaultMlserver(env))),
    maxInferBytes: num(values['max-infer-bytes'] ?? env.LAKETAHOE_MAX_INFER_BYTES, 'max-infer-bytes') ?? 8 * MIB,
    deployTimeoutMs: (num(values['deploy-timeout'] ?? env.LAKETAHOE_DEPLOY_TIMEOUT, 'deploy-timeout') ?? 120) * 1000,
    retention: retentionRule(
      num(values['retention-keep-last'] ?? env.LAKETAHOE_RETENTION_KEEP_LAST, 'retention-keep-last'),
      num(values['retention-days'] ?? env.LAKETAHOE_RETENTION_DAYS, 'retention-days')
    ),
    retentionIntervalMs: (num(values['retention-interval'] ?? env.LAKETAHOE_RETENTION_INTERVAL, 'retention-interval') ?? 3600) * 1000,
    defaultBackend: backend,
    k8s,
    artifacts: parseArtifactConfig(values, env, dataDir),
    trustJobs: values['trust-jobs'] ?? truthy(env.LAKETAHOE_TRUST_JOBS),
    webhookAllowPrivateNetworks:
      values['webhook-allow-private-networks'] ?? truthy(env.LAKETAHOE_WEBHOOK_ALLOW_PRIVATE_NETWORKS),
    leaderElection: parseLeaderElection(values['leader-election'] ?? (env.LAKETAHOE_LEADER_ELECTION || undefined)),
    leaderLease: parseLeaderLease(values['leader-lease'] ?? (env.LAKETAHOE_LEADER_LEASE || undefined), env)
  };
}

/** `--leader-election`: auto (the default), advisory-lock or lease. */
function parseLeaderElection(value: string | undefined): ServiceConfig['leaderElection'] {
  if (value === undefined || value === 'auto' || value === 'advisory-lock' || value === 'lease') {
    return value ?? 'auto';
  }
  throw new Error(`leader-election must be auto, advisory-lock or lease, got '${value}'`);
}

/** `--leader-lease namespace/name`; by default `laketahoe-leader` in the pod's own namespace. */
function parseLeaderLease(value: string | undefined, env: NodeJS.ProcessEnv): { namespace: string; name: string } {
  if (value !== undefined) {
    const match = /^([a-z0-9-]{1,63})\/([a-z0-9.-]{1,253})$/.exec(value);
    if (!match) {
      throw new Error(`leader-lease must be namespace/name, got '${value}'`);
    }
    return { namespace: match[1], name: match[2] };
  }
  let namespace = env.POD_NAMESPACE || 'default';
  try {
    namespace = fs.readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim() || namespace;
  } catch {
    // Outside a cluster: the environment or `default`.
  }
  return { namespace, name: 'laketahoe-leader' };
}
