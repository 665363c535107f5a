/**
 * Where artifacts (input snapshots, output notebooks and HTML, saved models, files a job writes) are
 * kept: one interface, a local folder for the embedded mode and S3-compatible object storage for
 * clusters. Keys are `/`-separated relative paths; every implementation refuses the same bad keys.
 */
export interface ArtifactStore {
  /** `local` or `s3`: what the configuration chose. */
  readonly kind: 'local' | 's3';
  /** Stores `body` under `key`, replacing what was there; readers see the old or the new object, never a mix. */
  put(key: string, body: Buffer | string): Promise<void>;
  /** Stores a local file's bytes under `key` (streamed), replacing what was there. */
  putFile(key: string, file: string): Promise<void>;
  /** An object's bytes; {@link ArtifactNotFoundError} when absent, {@link ArtifactTooLargeError} past `maxBytes`. */
  read(key: string, maxBytes: number): Promise<Buffer>;
  /** Streams an object into `file`, hashing it on the way; the same errors as {@link read}. */
  download(key: string, file: string, maxBytes: number): Promise<{ size: number; sha256: string }>;
  /** An object's size, or undefined when it does not exist. */
  stat(key: string): Promise<{ size: number } | undefined>;
  /** Keys under `prefix` (which ends with `/`), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes every object under `prefix` (which ends with `/`); absent ones are no error. */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * A URL that lets its holder do exactly one thing, GET or PUT, on exactly one key until it expires, with
   * no other credentials. Undefined where the store cannot grant that (the local folder).
   */
  presign?(key: string, method: 'GET' | 'PUT', expiresSeconds: number): Promise<string>;
}

/** The object does not exist. */
export class ArtifactNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`artifact ${key} not found`);
    this.name = 'ArtifactNotFoundError';
  }
}

/** The object is larger than the caller accepts. */
export class ArtifactTooLargeError extends Error {
  constructor(
    readonly key: string,
    readonly maxBytes: number
  ) {
    super(`artifact ${key} is larger than ${maxBytes} bytes`);
    this.name = 'ArtifactTooLargeError';
  }
}

/** The store could not be reached or refused the request (not a missing object). */
export class ArtifactStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArtifactStoreError';
  }
}

const SEGMENT = /^[A-Za-z0-9._@=+-]+$/;

/**
 * Throws unless `key` is a plain relative path: segments of letters, digits and `._@=+-`, none empty,
 * `.` or `..`. Both implementations call it, so a key that works on one works on the other and none can
 * step outside the local root. `prefix` keys end with `/`.
 */
export function checkKey(key: string, prefix = false): void {
  const body = prefix ? key.replace(/\/$/, '') : key;
  if ((prefix && !key.endsWith('/')) || body.length === 0 || body.length > 900) {
    throw new Error(`invalid artifact ${prefix ? 'prefix' : 'key'} '${key}'`);
  }
  for (const segment of body.split('/')) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new Error(`invalid artifact ${prefix ? 'prefix' : 'key'} '${key}'`);
    }
  }
}
