import fs from 'node:fs';
import path from 'node:path';
import { LocalArtifactStore } from './local.js';
import type { S3StoreOptions } from './s3.js';
import type { ArtifactStore } from './store.js';

/** The artifact store the service uses (see "Artifact store" in docs/contracts.md). */
export type ArtifactConfig =
  | { kind: 'local'; dir: string; grantSeconds: number; maxOutputBytes: number; maxOutputFiles: number }
  | { kind: 's3'; s3: S3StoreOptions; grantSeconds: number; maxOutputBytes: number; maxOutputFiles: number };

/** The flags of the artifact store, for `parseArgs`. */
export const ARTIFACT_FLAGS = {
  'artifact-store': { type: 'string' },
  'artifact-dir': { type: 'string' },
  'artifact-grant-seconds': { type: 'string' },
  'artifact-max-output-bytes': { type: 'string' },
  'artifact-max-output-files': { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-public-endpoint': { type: 'string' },
  's3-bucket': { type: 'string' },
  's3-region': { type: 'string' },
  's3-path-style': { type: 'string' },
  's3-prefix': { type: 'string' },
  's3-credentials-file': { type: 'string' }
} as const;

/**
 * Credentials from a file: JSON `{"accessKeyId", "secretAccessKey", "sessionToken"?}` or lines of
 * `KEY=VALUE` with the `LAKETAHOE_S3_*`/`AWS_*` names. Error messages name the file, never its content.
 */
export function readCredentialsFile(file: string): { accessKeyId: string; secretAccessKey: string; sessionToken?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`s3-credentials-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let values: Record<string, string> = {};
  if (text.trim().startsWith('{')) {
    try {
      values = JSON.parse(text) as Record<string, string>;
    } catch {
      throw new Error(`s3-credentials-file: ${file} is not valid JSON`);
    }
  } else {
    for (const line of text.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0 && !line.trim().startsWith('#')) {
        values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
      }
    }
  }
  const pick = (...names: string[]) => names.map(n => values[n]).find(v => typeof v === 'string' && v !== '');
  const accessKeyId = pick('accessKeyId', 'LAKETAHOE_S3_ACCESS_KEY_ID', 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = pick('secretAccessKey', 'LAKETAHOE_S3_SECRET_ACCESS_KEY', 'AWS_SECRET_ACCESS_KEY');
  const sessionToken = pick('sessionToken', 'LAKETAHOE_S3_SESSION_TOKEN', 'AWS_SESSION_TOKEN');
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(`s3-credentials-file: ${file} needs an access key id and a secret access key`);
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

function count(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') {
    return fallback;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${name} must be a whole number of at least 1, got '${value}'`);
  }
  return n;
}

/** Parses the artifact-store flags (flags win over environment variables). */
export function parseArtifactConfig(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv, dataDir: string): ArtifactConfig {
  const v = (flag: keyof typeof ARTIFACT_FLAGS, envName: string) => (values[flag] as string | undefined) ?? (env[envName] || undefined);
  const kind = v('artifact-store', 'LAKETAHOE_ARTIFACT_STORE') ?? 'local';
  const common = {
    grantSeconds: count(v('artifact-grant-seconds', 'LAKETAHOE_ARTIFACT_GRANT_SECONDS'), 'artifact-grant-seconds', 7 * 24 * 3600),
    maxOutputBytes: count(v('artifact-max-output-bytes', 'LAKETAHOE_ARTIFACT_MAX_OUTPUT_BYTES'), 'artifact-max-output-bytes', 10 * 1024 ** 3),
    maxOutputFiles: count(v('artifact-max-output-files', 'LAKETAHOE_ARTIFACT_MAX_OUTPUT_FILES'), 'artifact-max-output-files', 100_000)
  };
  if (common.grantSeconds > 7 * 24 * 3600) {
    throw new Error('artifact-grant-seconds: presigned URLs live at most 7 days (604800 s)');
  }
  if (kind === 'local') {
    return { kind, dir: path.resolve(v('artifact-dir', 'LAKETAHOE_ARTIFACT_DIR') ?? path.join(dataDir, 'artifacts')), ...common };
  }
  if (kind !== 's3') {
    throw new Error(`artifact-store must be local or s3, got '${kind}'`);
  }
  const bucket = v('s3-bucket', 'LAKETAHOE_S3_BUCKET');
  if (!bucket) {
    throw new Error('artifact-store s3 needs --s3-bucket (or LAKETAHOE_S3_BUCKET)');
  }
  const endpoint = v('s3-endpoint', 'LAKETAHOE_S3_ENDPOINT');
  const publicEndpoint = v('s3-public-endpoint', 'LAKETAHOE_S3_PUBLIC_ENDPOINT');
  for (const [name, url] of [['s3-endpoint', endpoint], ['s3-public-endpoint', publicEndpoint]] as const) {
    if (url && !/^https?:\/\/[^/\s]+\/?$/.test(url)) {
      throw new Error(`${name} must be http(s)://host[:port], got '${url}'`);
    }
  }
  const pathStyle = v('s3-path-style', 'LAKETAHOE_S3_PATH_STYLE');
  if (pathStyle !== undefined && pathStyle !== 'true' && pathStyle !== 'false') {
    throw new Error(`s3-path-style must be true or false, got '${pathStyle}'`);
  }
  const prefix = v('s3-prefix', 'LAKETAHOE_S3_PREFIX') ?? '';
  if (prefix && !/^([A-Za-z0-9._@=+-]+\/)+$/.test(prefix)) {
    throw new Error(`s3-prefix must be segments ending with '/', got '${prefix}'`);
  }
  const file = v('s3-credentials-file', 'LAKETAHOE_S3_CREDENTIALS_FILE');
  const id = env.LAKETAHOE_S3_ACCESS_KEY_ID;
  const secret = env.LAKETAHOE_S3_SECRET_ACCESS_KEY;
  const credentials = file
    ? readCredentialsFile(path.resolve(file))
    : id && secret
      ? { accessKeyId: id, secretAccessKey: secret, ...(env.LAKETAHOE_S3_SESSION_TOKEN ? { sessionToken: env.LAKETAHOE_S3_SESSION_TOKEN } : {}) }
      : undefined;
  return {
    kind: 's3',
    s3: {
      endpoint,
      publicEndpoint,
      bucket,
      region: v('s3-region', 'LAKETAHOE_S3_REGION') ?? 'us-east-1',
      // Self-hosted servers rarely have wildcard DNS for bucket host names.
      forcePathStyle: pathStyle !== undefined ? pathStyle === 'true' : endpoint !== undefined,
      prefix,
      credentials
    },
    ...common
  };
}

/** The store a configuration names; the S3 SDK is loaded only when it is used. */
export async function createArtifactStore(config: ArtifactConfig): Promise<ArtifactStore> {
  if (config.kind === 'local') {
    return new LocalArtifactStore(config.dir);
  }
  const { S3ArtifactStore } = await import('./s3.js');
  return new S3ArtifactStore(config.s3);
}
