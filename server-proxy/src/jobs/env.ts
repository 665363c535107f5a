import { ServiceError } from '../errors.js';
import { MAX_ENV_TOTAL_BYTES, type JobEnvVar } from '../schemas/env.js';

/** Checks and splits `trainingInput.env` (schema in schemas/env.ts). */

/** A secret reference of a job, by the variable it fills. */
export interface SecretEnvRef {
  env: string;
  /** Where the reference sits in the request (`trainingInput.env.3.secretKeyRef`), for error messages. */
  field: string;
  name: string;
  key: string;
}

/** What a job's environment asks for, split into values and secret references. */
export interface EnvPlan {
  values: Record<string, string>;
  secrets: SecretEnvRef[];
}

/**
 * Names the service sets itself (job ids, files, thread counts from the CPU request, GPUs, the
 * distributed roles' addresses) or that decide which code runs: a job may not replace them.
 */
const RESERVED = /^(LAKETAHOE_.*|OMP_NUM_THREADS|MKL_NUM_THREADS|OPENBLAS_NUM_THREADS|NUMEXPR_NUM_THREADS|VECLIB_MAXIMUM_THREADS|CUDA_VISIBLE_DEVICES|PYTHONUNBUFFERED|PYTHONPATH|PYTHONHOME|LD_PRELOAD|LD_LIBRARY_PATH|PATH|HOME|TF_CONFIG|MASTER_ADDR|MASTER_PORT|WORLD_SIZE|RANK|JOB_COMPLETION_INDEX)$/;

function invalid(field: string, message: string): ServiceError {
  return new ServiceError('invalid_argument', `${field}: ${message}`, field);
}

/** Checks what the schema cannot (reserved and repeated names, one of value and secretKeyRef, total size). */
export function planEnv(env: readonly JobEnvVar[] | undefined, prefix = 'trainingInput.env'): EnvPlan {
  const plan: EnvPlan = { values: {}, secrets: [] };
  const seen = new Set<string>();
  let bytes = 0;
  (env ?? []).forEach((v, i) => {
    const field = `${prefix}.${i}`;
    if (RESERVED.test(v.name)) {
      throw invalid(`${field}.name`, `${v.name} is set by the service and cannot be given`);
    }
    if (seen.has(v.name)) {
      throw invalid(`${field}.name`, `${v.name} appears twice`);
    }
    seen.add(v.name);
    if ((v.value === undefined) === (v.secretKeyRef === undefined)) {
      throw invalid(field, 'needs exactly one of value and secretKeyRef');
    }
    bytes += Buffer.byteLength(v.name) + Buffer.byteLength(v.value ?? '');
    if (bytes > MAX_ENV_TOTAL_BYTES) {
      throw new ServiceError('payload_too_large', `${prefix}: names and values exceed ${MAX_ENV_TOTAL_BYTES} bytes`, prefix);
    }
    if (v.secretKeyRef) {
      plan.secrets.push({ env: v.name, field: `${field}.secretKeyRef`, name: v.secretKeyRef.name, key: v.secretKeyRef.key });
    } else {
      plan.values[v.name] = v.value!;
    }
  });
  return plan;
}
