import { ITrainingInput } from '../wire';

/** `trainingInput.env`, as the request names it. */
export const ENV_FIELD = 'trainingInput.env';
/** `trainingInput.kernelName`. */
export const KERNEL_FIELD = 'trainingInput.kernelName';
/** `trainingInput.kernelFallback`. */
export const KERNEL_FALLBACK_FIELD = 'trainingInput.kernelFallback';

/** One request variable of the job. */
export type IJobEnvVar = NonNullable<ITrainingInput['env']>[number];

/** One row of the environment table: a plain value, or a secret by name and key. */
export interface IEnvRow {
  name: string;
  kind: 'value' | 'secret';
  value: string;
  secretName: string;
  secretKey: string;
}

/** An empty row. */
export function emptyEnvRow(): IEnvRow {
  return { name: '', kind: 'value', value: '', secretName: '', secretKey: '' };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const SECRET_KEY = /^[-._A-Za-z0-9]+$/;
// The service refuses these too; saying so here saves a round trip.
const RESERVED =
  /^(LAKETAHOE_.*|OMP_NUM_THREADS|MKL_NUM_THREADS|OPENBLAS_NUM_THREADS|NUMEXPR_NUM_THREADS|CUDA_VISIBLE_DEVICES|PYTHONPATH|PATH|HOME)$/;

/** Errors of the rows, by request field path (`trainingInput.env.0.name`). */
export function validateEnvRows(rows: readonly IEnvRow[]): {
  [field: string]: string;
} {
  const errors: { [field: string]: string } = {};
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const field = `${ENV_FIELD}.${i}`;
    const name = row.name.trim();
    if (!ENV_NAME.test(name)) {
      errors[`${field}.name`] =
        'Use letters, digits and underscores, not starting with a digit.';
    } else if (RESERVED.test(name)) {
      errors[`${field}.name`] = `${name} is set by the service.`;
    } else if (seen.has(name)) {
      errors[`${field}.name`] = `${name} appears twice.`;
    }
    seen.add(name);
    if (row.kind === 'secret') {
      if (!SECRET_NAME.test(row.secretName.trim())) {
        errors[`${field}.secretKeyRef.name`] =
          'Use lower-case letters, digits, "-" and ".".';
      }
      if (!SECRET_KEY.test(row.secretKey.trim())) {
        errors[`${field}.secretKeyRef.key`] =
          'Use letters, digits, "-", "_" and ".".';
      }
    }
  });
  return errors;
}

/** The request's `env` list; undefined when there are no rows. */
export function toJobEnv(rows: readonly IEnvRow[]): IJobEnvVar[] | undefined {
  if (rows.length === 0) {
    return undefined;
  }
  return rows.map(row =>
    row.kind === 'secret'
      ? {
          name: row.name.trim(),
          secretKeyRef: {
            name: row.secretName.trim(),
            key: row.secretKey.trim()
          }
        }
      : { name: row.name.trim(), value: row.value }
  );
}
