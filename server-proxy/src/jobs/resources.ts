import { ServiceError } from '../errors.js';
import type { ScaleTier, TrainingInput } from '../schemas/jobs.js';
import { machineType } from './machineTypes.js';

/** A resource request or a machine's capacity, in the units the local queue counts. */
export interface Resources {
  cpu: number;
  memoryBytes: number;
  gpu: number;
}

/** One GPU of the machine. */
export interface GpuInfo {
  index: number;
  name: string;
  memoryBytes: number;
}

/** What the local backend may hand out. */
export interface Capacity {
  cpus: number;
  memoryBytes: number;
  gpus: GpuInfo[];
}

const GIB = 1024 ** 3;

/** Resources of the single-machine scale tiers; the distributed ones have no local meaning. */
export const SCALE_TIER_RESOURCES: Record<'BASIC' | 'BASIC_GPU', Resources> = {
  BASIC: { cpu: 1, memoryBytes: 2 * GIB, gpu: 0 },
  BASIC_GPU: { cpu: 2, memoryBytes: 8 * GIB, gpu: 1 }
};

const DISTRIBUTED_TIERS: ReadonlySet<ScaleTier> = new Set(['STANDARD_1', 'PREMIUM_1']);

/** Whether the scale tier or the worker and parameter server counts ask for more than one machine. */
export function isDistributed(input: TrainingInput): boolean {
  return DISTRIBUTED_TIERS.has(input.scaleTier ?? 'BASIC') || (input.workerCount ?? 0) > 0 || (input.parameterServerCount ?? 0) > 0;
}

/**
 * Computes what a job's master asks for and, given the local machine's `capacity`, rejects what the
 * local backend cannot run: distributed tiers and requests larger than the whole machine (those would
 * wait forever in the queue). Without a capacity (a cluster backend) only the master's request is computed.
 */
export function requestedResources(input: TrainingInput, capacity: Capacity | undefined): Resources {
  const tier = input.scaleTier ?? 'BASIC';
  if (!capacity) {
    return masterRequest(input);
  }
  if (DISTRIBUTED_TIERS.has(tier)) {
    throw new ServiceError(
      'invalid_argument',
      `trainingInput.scaleTier: ${tier} is distributed; distributed tiers need the Kubernetes backend`,
      'trainingInput.scaleTier'
    );
  }
  for (const field of ['workerCount', 'parameterServerCount'] as const) {
    if ((input[field] ?? 0) > 0) {
      throw new ServiceError(
        'invalid_argument',
        `trainingInput.${field}: distributed training needs the Kubernetes backend`,
        `trainingInput.${field}`
      );
    }
  }
  const req = masterRequest(input);
  let cpuField = 'trainingInput.scaleTier';
  let memField = cpuField;
  let gpuField = cpuField;
  if (tier === 'CUSTOM') {
    // Name the field the number came from: the explicit resource, else the machine type.
    const typed = input.masterType ? 'trainingInput.masterType' : undefined;
    const res = input.masterConfig?.resources;
    cpuField = res?.cpu === undefined && typed ? typed : 'trainingInput.masterConfig.resources.cpu';
    memField = res?.memoryGb === undefined && typed ? typed : 'trainingInput.masterConfig.resources.memoryGb';
    gpuField = input.masterConfig?.acceleratorConfig?.count === undefined && typed ? typed : 'trainingInput.masterConfig.acceleratorConfig.count';
  }
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (req.gpu > capacity.gpus.length) {
    throw new ServiceError(
      'invalid_argument',
      `${gpuField}: requests ${plural(req.gpu, 'GPU')} but this machine has ${plural(capacity.gpus.length, 'GPU')}`,
      gpuField
    );
  }
  if (req.cpu > capacity.cpus) {
    throw new ServiceError(
      'invalid_argument',
      `${cpuField}: requests ${plural(req.cpu, 'CPU')} but this machine has ${plural(capacity.cpus, 'CPU')}`,
      cpuField
    );
  }
  if (req.memoryBytes > capacity.memoryBytes) {
    throw new ServiceError(
      'invalid_argument',
      `${memField}: requests ${(req.memoryBytes / GIB).toFixed(1)} GiB of memory but this machine has ${(capacity.memoryBytes / GIB).toFixed(1)} GiB`,
      memField
    );
  }
  return req;
}

/**
 * The master's request by tier: CUSTOM reads masterConfig, else masterType, else BASIC; the others the
 * tier table (BASIC for distributed ones). Under CUSTOM every machine type named is checked here, whatever
 * the backend, so an unknown one is a 400 at submit rather than a job that runs on some default shape.
 */
function masterRequest(input: TrainingInput): Resources {
  const tier = input.scaleTier ?? 'BASIC';
  if (tier === 'CUSTOM') {
    const master = input.masterType ? machineType(input.masterType, 'trainingInput.masterType') : undefined;
    if (input.workerType) {
      machineType(input.workerType, 'trainingInput.workerType');
    }
    if (input.parameterServerType) {
      machineType(input.parameterServerType, 'trainingInput.parameterServerType');
    }
    const res = input.masterConfig?.resources;
    return {
      cpu: res?.cpu ?? master?.cpu ?? 1,
      memoryBytes: res?.memoryGb !== undefined ? Math.round(res.memoryGb * GIB) : (master?.memoryBytes ?? 2 * GIB),
      gpu: input.masterConfig?.acceleratorConfig?.count ?? master?.gpu ?? 0
    };
  }
  return { ...(SCALE_TIER_RESOURCES[tier as 'BASIC' | 'BASIC_GPU'] ?? SCALE_TIER_RESOURCES.BASIC) };
}

/** Parses `"3600s"` into milliseconds; undefined when not set. */
export function parseDurationMs(value: string | undefined): number | undefined {
  if (!value) {
    return undefined;
  }
  return Math.round(parseFloat(value.slice(0, -1)) * 1000);
}
