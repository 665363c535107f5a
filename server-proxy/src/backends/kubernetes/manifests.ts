import type { V1ConfigMap, V1Container, V1EnvVar, V1Job, V1PodSpec, V1Secret, V1Service, V1Volume } from '@kubernetes/client-node';
import { isDistributedPlan, labelValue, type KubePlan, type Role, type RolePlan } from './plan.js';
import { applyPodTemplate } from './podTemplate.js';
import { inputSource, type InputSource, type RunFiles } from './inputs.js';

/** Label keys every object of a run carries. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  run: 'laketahoe.io/run',
  jobId: 'laketahoe.io/job-id',
  owner: 'laketahoe.io/owner',
  trialId: 'laketahoe.io/trial-id',
  role: 'laketahoe.io/role'
} as const;
/** Value of `app.kubernetes.io/managed-by` on everything the service creates; the backend lists by it. */
export const MANAGED_BY = 'laketahoe-proxy';
/** Annotation holding the exact run id (label values cannot hold every job id). */
export const RUN_ID_ANNOTATION = 'laketahoe.io/run-id';
/** Name of the runner container. */
export const CONTAINER = 'trainer';
/** Port the roles of a distributed job talk on (TF_CONFIG hosts, MASTER_PORT). */
export const TRAINER_PORT = 2222;
/** Runner exit codes that mean the job itself is wrong: retrying cannot help (see the runner protocol). */
export const RUNNER_FAILURE_CODES = [1, 2, 3, 4, 5];
/** Runner exit code for a failed transfer to or from the artifact store: the pod is retried. */
export const RUNNER_ARTIFACTS_CODE = 6;

const INPUT_DIR = '/laketahoe/input';
/** The pod's working folder: outputs, saved models and files the run writes; the input snapshot is unpacked here. */
export const OUTPUT_DIR = '/laketahoe/output';
/** Where the run's artifact grant (a Secret of presigned URLs) is mounted. */
export const ARTIFACTS_DIR = '/laketahoe/artifacts';
/** Keys of the grant Secret: the master's (inputs and outputs) and the other roles' (inputs only). */
export const GRANT_KEYS = { master: 'grant.json', other: 'inputs.json' } as const;

/** Name of a run's grant Secret. */
export function grantSecretName(base: string): string {
  return `${base}-artifacts`;
}

/** Cluster-wide settings of the manifests. */
export interface ManifestOptions {
  /** PVC the outputs go to (sub-folder per run); an emptyDir when unset. */
  outputPvc?: string;
  ttlSecondsAfterFinished: number;
  backoffLimit: number;
  /** Node label that carries the GPU type (`accelerator=nvidia-tesla-v100`). */
  acceleratorLabel: string;
}

/**
 * The Secret holding a run's artifact grant: presigned URLs for its own keys only. Built when the run's
 * objects are created (URLs expire), never part of the pure {@link buildManifests}.
 */
export function grantSecret(plan: KubePlan, runId: string, base: string, grants: { master: string; other: string }): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: grantSecretName(base), namespace: plan.namespace, labels: runLabels(plan, base), annotations: { [RUN_ID_ANNOTATION]: runId } },
    stringData: { [GRANT_KEYS.master]: grants.master, [GRANT_KEYS.other]: grants.other }
  };
}

/** Every object of one run. */
export interface RunManifests {
  /** The input files, when they are too large or binary to travel in the Jobs (see inputSource). */
  configMap?: V1ConfigMap;
  /** One Job per role; the master's first. */
  jobs: V1Job[];
  /** Headless Service giving distributed roles stable host names; single-pod runs have none. */
  service?: V1Service;
}

/** Name of a role's Job: the run name itself for single-pod runs, `<run>-<role>` for distributed ones. */
export function roleJobName(base: string, role: Role, distributed: boolean): string {
  return distributed ? `${base}-${role}` : base;
}

/** `NVIDIA_TESLA_V100` -> `nvidia-tesla-v100`, the value GPU nodes are labelled with. */
export function acceleratorValue(type: string): string {
  return type.toLowerCase().replace(/_/g, '-');
}

/** A CPU count as a Kubernetes quantity. */
export function cpuQuantity(cpu: number): string {
  return Number.isInteger(cpu) ? String(cpu) : `${Math.round(cpu * 1000)}m`;
}

/** A byte count as a Kubernetes quantity in MiB, rounded up. */
export function memoryQuantity(bytes: number): string {
  return `${Math.ceil(bytes / 1024 ** 2)}Mi`;
}

/** Kubernetes expands `$(VAR)` in command arguments; user text must stay literal. */
function literal(arg: string): string {
  return arg.replace(/\$\(/g, '$$$$(');
}

/** Labels of a run's objects (and of its pods, with the role). */
export function runLabels(plan: KubePlan, base: string, role?: Role): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.run]: base,
    [LABELS.jobId]: labelValue(plan.jobId),
    [LABELS.owner]: labelValue(plan.owner),
    ...(plan.trialId ? { [LABELS.trialId]: labelValue(plan.trialId) } : {}),
    ...(role ? { [LABELS.role]: role } : {})
  };
}

/** The runner command line inside the container: the same subcommands and flags as a local run. */
export function runnerCommand(plan: KubePlan, role: Role = 'master'): string[] {
  const status = [
    '--status-file', `${OUTPUT_DIR}/exit.json`,
    // Only the master uploads outputs; every role fetches the input snapshot.
    ...(plan.artifacts ? ['--artifacts', `${ARTIFACTS_DIR}/${role === 'master' ? GRANT_KEYS.master : GRANT_KEYS.other}`] : [])
  ];
  if (plan.kind === 'notebook') {
    return [
      'python', '-m', 'laketahoe.runner', 'notebook',
      '--input', `${INPUT_DIR}/${plan.notebook}`,
      '--output', `${OUTPUT_DIR}/output.ipynb`,
      '--html', `${OUTPUT_DIR}/output.html`,
      // Expanded by Kubernetes from the ConfigMap, so the parameters live in one place.
      '--parameters-json', '$(LAKETAHOE_PARAMETERS)',
      '--cwd', OUTPUT_DIR,
      ...status,
      ...(plan.kernel ? ['--kernel', plan.kernel] : []),
      ...(plan.kernelFallback ? ['--kernel-fallback', plan.kernelFallback] : [])
    ];
  }
  return [
    'python', '-m', 'laketahoe.runner', 'module',
    '--module', plan.module!,
    ...(plan.packages ?? []).flatMap(p => ['--package', `${plan.inputsKey ? OUTPUT_DIR : INPUT_DIR}/${p}`]),
    '--cwd', OUTPUT_DIR,
    ...status,
    '--',
    ...(plan.moduleArgs ?? []).map(literal)
  ];
}

/** Host names of a role's pods behind the headless Service (Indexed Jobs name them `<job>-<index>`). */
function hosts(base: string, role: RolePlan): string[] {
  return Array.from({ length: role.replicas }, (_, i) => `${base}-${role.role}-${i}.${base}:${TRAINER_PORT}`);
}

/**
 * Environment of the distributed roles: TF_CONFIG (chief = master, worker, ps) and the PyTorch
 * variables (MASTER_ADDR/PORT, WORLD_SIZE = master + workers, RANK: master 0, worker i -> i + 1).
 * A pod's index comes from the Indexed Job's annotation, so it is defined first for `$(...)` to use.
 */
function distributedEnv(plan: KubePlan, base: string, role: RolePlan): V1EnvVar[] {
  const cluster: Record<string, string[]> = {};
  for (const r of plan.roles) {
    cluster[r.role === 'master' ? 'chief' : r.role] = hosts(base, r);
  }
  const workers = plan.roles.find(r => r.role === 'worker')?.replicas ?? 0;
  const type = role.role === 'master' ? 'chief' : role.role;
  const tfConfig = JSON.stringify({ cluster, task: { type, index: 0 }, environment: 'cloud' }).replace(
    '"index":0',
    '"index":$(JOB_COMPLETION_INDEX)'
  );
  const env: V1EnvVar[] = [
    {
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } }
    },
    { name: 'TF_CONFIG', value: tfConfig },
    { name: 'MASTER_ADDR', value: `${base}-master-0.${base}` },
    { name: 'MASTER_PORT', value: String(TRAINER_PORT) },
    { name: 'WORLD_SIZE', value: String(1 + workers) }
  ];
  if (role.role === 'master') {
    env.push({ name: 'RANK', value: '0' });
  }
  return env;
}

/**
 * The job's own variables: values as given, secrets by `secretKeyRef` (the kubelet reads them; the
 * service never does), and their names for the runner, which masks the values in what it writes.
 */
function jobEnv(plan: KubePlan): V1EnvVar[] {
  const env = plan.jobEnv;
  if (!env) {
    return [];
  }
  return [
    ...Object.entries(env.values).map(([name, value]) => ({ name, value })),
    ...env.secrets.map(s => ({ name: s.env, valueFrom: { secretKeyRef: { name: s.name, key: s.key } } })),
    ...(env.secrets.length ? [{ name: 'LAKETAHOE_SECRET_ENV', value: env.secrets.map(s => s.env).join(',') }] : [])
  ];
}

function container(plan: KubePlan, base: string, role: RolePlan, distributed: boolean, input: InputSource): V1Container {
  const threads = String(Math.max(1, Math.floor(role.resources.cpu)));
  const env: V1EnvVar[] = [
    ...(distributed ? distributedEnv(plan, base, role) : []),
    { name: 'LAKETAHOE_JOB_ID', value: plan.jobId },
    ...(plan.trialId ? [{ name: 'LAKETAHOE_TRIAL_ID', value: plan.trialId }] : []),
    ...Object.entries(plan.env ?? {})
      .filter(([k]) => k !== 'LAKETAHOE_JOB_ID' && k !== 'LAKETAHOE_TRIAL_ID')
      .map(([name, value]) => ({ name, value })),
    ...jobEnv(plan),
    // Thread pools follow the CPU request: without these, BLAS starts one thread per node core.
    ...['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'NUMEXPR_NUM_THREADS'].map(name => ({ name, value: threads })),
    { name: 'PYTHONUNBUFFERED', value: '1' },
    ...(plan.artifacts ? [{ name: 'LAKETAHOE_TERMINATION_LOG', value: '/dev/termination-log' }] : [])
  ];
  if (plan.kind === 'notebook') {
    env.push({ name: 'LAKETAHOE_PARAMETERS', valueFrom: input.parameters });
  }
  let command = runnerCommand(plan, role.role);
  if (role.role === 'worker') {
    // Worker i has rank i + 1 (the master is 0); env expansion cannot add, the shell can.
    command = ['sh', '-c', 'export RANK=$((JOB_COMPLETION_INDEX + 1)); exec "$@"', 'runner', ...command];
  }
  const { cpu, memoryBytes, gpu } = role.resources;
  return {
    name: CONTAINER,
    image: role.image,
    command,
    env,
    workingDir: OUTPUT_DIR,
    resources: {
      requests: { cpu: cpuQuantity(cpu), memory: memoryQuantity(memoryBytes), ...(gpu > 0 ? { 'nvidia.com/gpu': String(gpu) } : {}) },
      limits: { memory: memoryQuantity(memoryBytes), ...(gpu > 0 ? { 'nvidia.com/gpu': String(gpu) } : {}) }
    },
    ...(distributed ? { ports: [{ name: 'trainer', containerPort: TRAINER_PORT }] } : {}),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [
      { name: 'input', mountPath: INPUT_DIR, readOnly: true },
      { name: 'output', mountPath: OUTPUT_DIR },
      ...(plan.artifacts ? [{ name: 'artifacts', mountPath: ARTIFACTS_DIR, readOnly: true }] : [])
    ]
  };
}

function volumes(plan: KubePlan, base: string, opts: ManifestOptions, input: InputSource): V1Volume[] {
  return [
    input.volume,
    opts.outputPvc ? { name: 'output', persistentVolumeClaim: { claimName: opts.outputPvc } } : { name: 'output', emptyDir: {} },
    // Read-only, and readable by the image's own non-root user (the runner image runs as uid 1000; Secret
    // files belong to root). The URLs are the run's credentials and grant nothing beyond its own keys.
    ...(plan.artifacts ? [{ name: 'artifacts', secret: { secretName: grantSecretName(base), defaultMode: 0o444 } }] : [])
  ];
}

function podSpec(plan: KubePlan, runId: string, base: string, role: RolePlan, distributed: boolean, opts: ManifestOptions, input: InputSource): V1PodSpec {
  const c = container(plan, base, role, distributed, input);
  if (opts.outputPvc) {
    // Each run writes to its own folder of the shared volume.
    const output = c.volumeMounts!.find(m => m.name === 'output')!;
    output.subPath = role.role === 'master' ? `laketahoe-jobs/${runId}` : `laketahoe-jobs/${runId}/${role.role}`;
  }
  const gpu = role.resources.gpu > 0;
  const spec: V1PodSpec = {
    restartPolicy: 'Never',
    priorityClassName: plan.priority,
    containers: [c],
    volumes: volumes(plan, base, opts, input),
    ...(gpu ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } : {}),
    ...(gpu && role.acceleratorType ? { nodeSelector: { [opts.acceleratorLabel]: acceleratorValue(role.acceleratorType) } } : {}),
    ...(distributed
      ? {
          subdomain: base,
          // Spread a role's pods over nodes when the cluster allows; never block scheduling for it.
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: { [LABELS.run]: base, [LABELS.role]: role.role } }
            }
          ]
        }
      : {})
  };
  applyPodTemplate(spec, c, plan.podTemplate);
  return spec;
}

/**
 * Builds every object of a run. Pure: the same plan always gives the same objects, so creating them
 * again after a restart finds them existing instead of making copies.
 */
export function buildManifests(
  plan: KubePlan,
  runId: string,
  base: string,
  files: RunFiles,
  opts: ManifestOptions
): RunManifests {
  const input = inputSource(plan, base, files);
  const distributed = isDistributedPlan(plan);
  const meta = (name: string, role?: Role) => ({
    name,
    namespace: plan.namespace,
    labels: runLabels(plan, base, role),
    annotations: { [RUN_ID_ANNOTATION]: runId }
  });
  const configMap: V1ConfigMap | undefined = input.configMap && { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${base}-input`), ...input.configMap };
  const jobs = plan.roles.map((role): V1Job => {
    const name = roleJobName(base, role.role, distributed);
    // Parameter servers never exit by themselves: the backend deletes them when the master ends.
    const indexed = distributed;
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta(name, role.role),
      spec: {
        completions: role.replicas,
        parallelism: role.replicas,
        ...(indexed ? { completionMode: 'Indexed' } : {}),
        backoffLimit: opts.backoffLimit,
        ttlSecondsAfterFinished: opts.ttlSecondsAfterFinished,
        ...(plan.maxRunningSeconds !== undefined ? { activeDeadlineSeconds: Math.max(1, Math.ceil(plan.maxRunningSeconds)) } : {}),
        podFailurePolicy: {
          rules: [
            { action: 'FailJob', onExitCodes: { containerName: CONTAINER, operator: 'In', values: RUNNER_FAILURE_CODES } },
            // Preemption, eviction and node drains are not the job's fault: they do not count as failures.
            { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }
          ]
        },
        template: {
          metadata: {
            labels: runLabels(plan, base, role.role),
            annotations: { ...plan.annotations, ...input.podAnnotations, [RUN_ID_ANNOTATION]: runId }
          },
          spec: podSpec(plan, runId, base, role, distributed, opts, input)
        }
      }
    };
  });
  const service: V1Service | undefined = distributed
    ? {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(base),
        spec: {
          clusterIP: 'None',
          // Peers must resolve each other before they are ready: they wait for one another to start.
          publishNotReadyAddresses: true,
          selector: { [LABELS.run]: base },
          ports: [{ name: 'trainer', port: TRAINER_PORT, targetPort: TRAINER_PORT }]
        }
      }
    : undefined;
  return { configMap, jobs, service };
}
