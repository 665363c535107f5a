import crypto from 'node:crypto';
import { ServiceError } from '../../errors.js';
import { machineType } from '../../jobs/machineTypes.js';
import type { EnvPlan } from '../../jobs/env.js';
import type { PodTemplate } from '../../schemas/podTemplate.js';

export type { KubeRuntime } from '../../schemas/runtime.js';
import type { Priority, ReplicaConfigBody, TrainingInput } from '../../schemas/jobs.js';

export { machineType };

/** Resources of one pod. */
export interface PodResources {
  cpu: number;
  memoryBytes: number;
  gpu: number;
}

/** Roles of a training job's pods: the master always, workers and parameter servers when distributed. */
export type Role = 'master' | 'worker' | 'ps';

/** One role of a run: how many pods, with what resources, image and GPU type. */
export interface RolePlan {
  role: Role;
  replicas: number;
  resources: PodResources;
  image: string;
  /** AI Platform accelerator type (`NVIDIA_TESLA_V100`), mapped to a node selector. */
  acceleratorType?: string;
}

/** What the Kubernetes backend keeps in a run's runtime record to create its objects again at any time. */
export interface KubePlan {
  kind: 'notebook' | 'module';
  namespace: string;
  owner: string;
  jobId: string;
  trialId?: string;
  roles: RolePlan[];
  priority: Priority;
  maxRunningSeconds?: number;
  /** Notebook form: file name of the notebook inside the input ConfigMap, and its parameters. */
  notebook?: string;
  parameters?: Record<string, unknown>;
  /** Module form. */
  module?: string;
  moduleArgs?: string[];
  /** File names of the packages: inside the input ConfigMap, or in the input snapshot when {@link inputsKey} is set. */
  packages?: string[];
  /**
   * Set when the run moves its files through the artifact store: the pod gets a Secret of presigned URLs
   * for its own keys, uploads its outputs there and the service takes them in when it ends.
   */
  artifacts?: boolean;
  /** Artifact-store key of the input snapshot (includeFolder files, packages); trials share their job's. */
  inputsKey?: string;
  /** Input files by name: text files as is, binaries base64-encoded. A derived run has none and reads its parent's. */
  files?: { text: Record<string, string>; binary: Record<string, string> };
  /** Run id whose files a derived run (trial) uses. */
  filesFrom?: string;
  /** Copied onto the pods as annotations (the job's labels). */
  annotations: Record<string, string>;
  env?: Record<string, string>;
  /** The job's `trainingInput.env`: values, and Secret keys the pods read through `secretKeyRef`. */
  jobEnv?: EnvPlan;
  /** Notebook form: the kernelspec to run on (`kernelName`) and the one to use when the image lacks it. */
  kernel?: string;
  kernelFallback?: string;
  /** Pod settings from the administrator's template and the job's, merged at submit. */
  podTemplate?: PodTemplate;
}


const GIB = 1024 ** 3;

/** Distributed tiers as AI Platform defines them: counts and machine types of each role. */
const DISTRIBUTED_TIERS: Record<'STANDARD_1' | 'PREMIUM_1', { workers: number; ps: number; master: string; worker: string; psType: string }> = {
  STANDARD_1: { workers: 4, ps: 3, master: 'standard', worker: 'standard', psType: 'standard' },
  PREMIUM_1: { workers: 19, ps: 11, master: 'complex_model_l', worker: 'complex_model_l', psType: 'standard' }
};

/** One role's resources from CUSTOM settings: explicit resources, else the machine type, else `fallback`. */
function customRole(
  config: ReplicaConfigBody | undefined,
  type: string | undefined,
  prefix: 'master' | 'worker' | 'parameterServer',
  fallback: PodResources & { accelerator?: string }
): PodResources & { accelerator?: string } {
  const base = type ? machineType(type, `trainingInput.${prefix}Type`) : { ...fallback };
  const res = config?.resources;
  return {
    cpu: res?.cpu ?? base.cpu,
    memoryBytes: res?.memoryGb !== undefined ? Math.round(res.memoryGb * GIB) : base.memoryBytes,
    gpu: config?.acceleratorConfig?.count ?? base.gpu,
    accelerator: config?.acceleratorConfig?.type ?? base.accelerator
  };
}

/**
 * The pods a job asks for, by role: BASIC/BASIC_GPU one master, STANDARD_1/PREMIUM_1 AI Platform's
 * fixed shapes, CUSTOM from masterType/workerType/parameterServerType, the replica configs' resources
 * and acceleratorConfig, and workerCount/parameterServerCount.
 */
export function planRoles(input: TrainingInput, defaultImage: string): RolePlan[] {
  const tier = input.scaleTier ?? 'BASIC';
  const image = (config: ReplicaConfigBody | undefined) => config?.imageUri || input.masterConfig?.imageUri || defaultImage;
  const role = (r: Role, replicas: number, res: PodResources & { accelerator?: string }, config: ReplicaConfigBody | undefined): RolePlan => ({
    role: r,
    replicas,
    resources: { cpu: res.cpu, memoryBytes: res.memoryBytes, gpu: res.gpu },
    image: image(config),
    ...(res.accelerator ? { acceleratorType: res.accelerator } : {})
  });
  if (tier === 'BASIC' || tier === 'BASIC_GPU') {
    const res = tier === 'BASIC' ? { cpu: 1, memoryBytes: 2 * GIB, gpu: 0 } : { cpu: 2, memoryBytes: 8 * GIB, gpu: 1 };
    const accelerator = tier === 'BASIC_GPU' ? input.masterConfig?.acceleratorConfig?.type : undefined;
    return [role('master', 1, { ...res, accelerator }, input.masterConfig)];
  }
  if (tier === 'STANDARD_1' || tier === 'PREMIUM_1') {
    const t = DISTRIBUTED_TIERS[tier];
    return [
      role('master', 1, machineType(t.master, 'trainingInput.scaleTier'), input.masterConfig),
      role('worker', t.workers, machineType(t.worker, 'trainingInput.scaleTier'), input.workerConfig),
      role('ps', t.ps, machineType(t.psType, 'trainingInput.scaleTier'), input.parameterServerConfig)
    ];
  }
  const master = customRole(input.masterConfig, input.masterType, 'master', { cpu: 1, memoryBytes: 2 * GIB, gpu: 0 });
  const roles = [role('master', 1, master, input.masterConfig)];
  if ((input.workerCount ?? 0) > 0) {
    roles.push(role('worker', input.workerCount!, customRole(input.workerConfig, input.workerType, 'worker', master), input.workerConfig));
  }
  if ((input.parameterServerCount ?? 0) > 0) {
    const ps = customRole(input.parameterServerConfig, input.parameterServerType, 'parameterServer', master);
    roles.push(role('ps', input.parameterServerCount!, ps, input.parameterServerConfig));
  }
  return roles;
}

/** Whether a run has more than one pod (and so per-role Jobs behind a headless Service). */
export function isDistributedPlan(plan: Pick<KubePlan, 'roles'>): boolean {
  return plan.roles.length > 1 || plan.roles[0].replicas > 1;
}

/** A file headed for the input ConfigMap, with the request field it came from. */
export interface InputBlob {
  name: string;
  field: string;
  bytes: Buffer;
  binary: boolean;
}

/**
 * Packs input files for the ConfigMap, refusing more than `limit` bytes as stored (binaries count
 * base64-encoded): a 413 naming the file that went past the limit.
 */
export function packInputs(blobs: InputBlob[], limit: number): { text: Record<string, string>; binary: Record<string, string> } {
  const text: Record<string, string> = {};
  const binary: Record<string, string> = {};
  let total = 0;
  for (const blob of blobs) {
    const stored = blob.binary ? blob.bytes.toString('base64') : blob.bytes.toString('utf8');
    total += Buffer.byteLength(stored);
    if (total > limit) {
      throw new ServiceError(
        'payload_too_large',
        `${blob.field}: ${blob.name} takes the job's inputs to ${total} bytes; a Kubernetes job carries at most ${limit} bytes of inputs (one ConfigMap)`,
        blob.field
      );
    }
    (blob.binary ? binary : text)[blob.name] = stored;
  }
  return { text, binary };
}

function shortHash(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex').slice(0, 8);
}

/**
 * The base name of every object of a run: `lt-<job>` or `lt-<job>-t<trial>`, lowercased and DNS-1123
 * safe, at most 40 characters so role suffixes and pod names still fit in 63. When anything had to
 * change (case, underscores, length) a hash of the run id is appended, so two runs never share a name.
 */
export function runName(runId: string): string {
  const readable = `lt-${runId.replace('/trials/', '-t')}`;
  let name = readable.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/-$/, '');
  if (name === readable && name.length <= 40) {
    return name;
  }
  name = name.slice(0, 31).replace(/-$/, '');
  return `${name}-${shortHash(runId)}`;
}

/** A label value from any string: allowed characters kept, at most 63, hashed when it had to change. */
export function labelValue(value: string): string {
  const safe = value.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  if (safe === value && safe.length <= 63) {
    return safe;
  }
  return `${safe.slice(0, 54).replace(/[^A-Za-z0-9]+$/, '')}-${shortHash(value)}`.replace(/^-/, '');
}

/**
 * The namespace of a user: the map's entry for the user wins, then its first `group:<name>` entry (in
 * the map's order) for a group the user is in, then the template (`{user}` replaced).
 */
export function namespaceFor(user: string, template: string, map?: Record<string, string>, groups: readonly string[] = []): string {
  const mapped = map?.[user];
  if (mapped) {
    return mapped;
  }
  for (const [key, namespace] of Object.entries(map ?? {})) {
    if (key.startsWith('group:') && groups.includes(key.slice('group:'.length))) {
      return namespace;
    }
  }
  return template.replace(/\{user\}/g, user.toLowerCase().replace(/[^a-z0-9-]+/g, '-'));
}
