import { ServiceError } from '../errors.js';

/** The shape of one AI Platform machine type. */
export interface MachineShape {
  cpu: number;
  memoryBytes: number;
  gpu: number;
  /** AI Platform accelerator type the machine carries, if any. */
  accelerator?: string;
}

const GIB = 1024 ** 3;

/** AI Platform machine types with fixed shapes; `n1-standard-N`, `n1-highmem-N`, `n1-highcpu-N` are computed. */
const MACHINE_TYPES: Record<string, MachineShape> = {
  standard: { cpu: 4, memoryBytes: 15 * GIB, gpu: 0 },
  large_model: { cpu: 8, memoryBytes: 52 * GIB, gpu: 0 },
  complex_model_s: { cpu: 8, memoryBytes: 7.2 * GIB, gpu: 0 },
  complex_model_m: { cpu: 16, memoryBytes: 14.4 * GIB, gpu: 0 },
  complex_model_l: { cpu: 32, memoryBytes: 28.8 * GIB, gpu: 0 },
  standard_gpu: { cpu: 8, memoryBytes: 30 * GIB, gpu: 1 },
  complex_model_m_gpu: { cpu: 16, memoryBytes: 60 * GIB, gpu: 4 },
  complex_model_l_gpu: { cpu: 32, memoryBytes: 120 * GIB, gpu: 8 },
  standard_v100: { cpu: 8, memoryBytes: 30 * GIB, gpu: 1, accelerator: 'NVIDIA_TESLA_V100' },
  large_model_v100: { cpu: 8, memoryBytes: 52 * GIB, gpu: 1, accelerator: 'NVIDIA_TESLA_V100' },
  complex_model_m_v100: { cpu: 16, memoryBytes: 60 * GIB, gpu: 4, accelerator: 'NVIDIA_TESLA_V100' },
  complex_model_l_v100: { cpu: 32, memoryBytes: 120 * GIB, gpu: 8, accelerator: 'NVIDIA_TESLA_V100' }
};

const N1_MEMORY_PER_CPU: Record<string, number> = { standard: 3.75, highmem: 6.5, highcpu: 0.9 };

/** The machine type names a request may use, as listed in error messages. */
export const KNOWN_MACHINE_TYPES: readonly string[] = [...Object.keys(MACHINE_TYPES), 'n1-standard-N', 'n1-highmem-N', 'n1-highcpu-N'];

/** Resolves a machine type name, or throws a 400 naming `field` and listing the known types. */
export function machineType(name: string, field: string): MachineShape {
  const fixed = MACHINE_TYPES[name];
  if (fixed) {
    return { ...fixed };
  }
  const n1 = /^n1-(standard|highmem|highcpu)-(\d+)$/.exec(name);
  if (n1 && Number(n1[2]) > 0) {
    const cpu = Number(n1[2]);
    return { cpu, memoryBytes: Math.round(cpu * N1_MEMORY_PER_CPU[n1[1]] * GIB), gpu: 0 };
  }
  throw new ServiceError('invalid_argument', `${field}: unknown machine type '${name}' (known: ${KNOWN_MACHINE_TYPES.join(', ')})`, field);
}
