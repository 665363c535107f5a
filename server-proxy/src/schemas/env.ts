import { Type, type Static } from '@sinclair/typebox';

/**
 * `trainingInput.env`: variables a job's process gets, each a plain value or a reference to a secret.
 * A secret is named, never sent: on Kubernetes a Secret and key in the user's namespace (the pod gets
 * it through `secretKeyRef`, the service never reads it); locally a name and key in the user's secrets
 * file, which the runner reads itself right before the job starts.
 */

/** Most variables on one job. */
export const MAX_ENV_VARS = 100;
/** Longest plain value. */
export const MAX_ENV_VALUE_LENGTH = 32_768;
/** Most bytes of names and plain values together: the whole environment has to fit a process's limits. */
export const MAX_ENV_TOTAL_BYTES = 131_072;

const SecretName = Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' });
const SecretKey = Type.String({ minLength: 1, maxLength: 253, pattern: '^[-._A-Za-z0-9]+$' });

/** A secret by name and key: a Kubernetes Secret in the user's namespace, or an entry of the local secrets file. */
export const SecretKeyRef = Type.Object(
  { name: SecretName, key: SecretKey },
  { additionalProperties: false, description: 'a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent' }
);

/** One variable of `trainingInput.env`. */
export const JobEnvVar = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
    value: Type.Optional(Type.String({ maxLength: MAX_ENV_VALUE_LENGTH, description: 'a plain value (shown back as given)' })),
    secretKeyRef: Type.Optional(SecretKeyRef)
  },
  { additionalProperties: false, description: 'exactly one of value and secretKeyRef' }
);
/** One variable as validated. */
export type JobEnvVar = Static<typeof JobEnvVar>;

/** The `env` list of `trainingInput`. */
export const JobEnv = Type.Array(JobEnvVar, { maxItems: MAX_ENV_VARS, description: `at most ${MAX_ENV_VARS} variables` });
