import fs from 'node:fs';
import type { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { copyCounted } from './local.js';
import { ArtifactNotFoundError, ArtifactStoreError, ArtifactTooLargeError, checkKey, type ArtifactStore } from './store.js';

/** Settings of the S3-compatible store (see "Artifact store" in docs/contracts.md). */
export interface S3StoreOptions {
  /** `http(s)://host:port`; AWS's regional endpoint when absent. */
  endpoint?: string;
  /**
   * The endpoint written into presigned URLs, when pods reach the store at another address than the
   * service does (a cluster-internal name). The signature covers the host, so URLs are signed for it.
   */
  publicEndpoint?: string;
  bucket: string;
  region: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key` (most self-hosted servers need it). */
  forcePathStyle: boolean;
  /** Explicit keys; the SDK's default chain (AWS_* environment, profiles) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Key prefix under which everything of this service lives (ends with `/`, or empty). */
  prefix?: string;
  /** Attempts per call (the SDK retries throttling and 5xx with backoff). */
  maxAttempts?: number;
}

function clientConfig(opts: S3StoreOptions, endpoint: string | undefined): S3ClientConfig {
  return {
    region: opts.region,
    endpoint,
    forcePathStyle: opts.forcePathStyle,
    credentials: opts.credentials,
    maxAttempts: opts.maxAttempts ?? 3,
    // Checksums only where S3 requires them: presigned PUTs from pods carry no checksum header, and
    // self-hosted servers differ in which flexible checksums they support.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED'
  };
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isMissing(err: unknown): boolean {
  // By name only: some servers also answer 404 for an unknown access key, which is no missing object.
  const name = (err as { name?: string }).name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** A store error naming the operation and key, never credentials (the SDK's messages carry none). */
function storeError(op: string, key: string, err: unknown): Error {
  if (err instanceof ArtifactTooLargeError || err instanceof ArtifactNotFoundError) {
    return err;
  }
  const e = err as { name?: string; message?: string; code?: string };
  const code = status(err);
  const why = e.code ?? e.name ?? 'Error';
  return new ArtifactStoreError(`object store ${op} ${key} failed: ${why}${code ? ` (HTTP ${code})` : ''}: ${e.message ?? String(err)}`, { cause: err });
}

/** Artifacts in one bucket of S3-compatible object storage, through the AWS SDK for JavaScript v3. */
export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly signer: S3Client;
  private readonly prefix: string;

  constructor(private readonly opts: S3StoreOptions) {
    this.client = new S3Client(clientConfig(opts, opts.endpoint));
    this.signer = opts.publicEndpoint ? new S3Client(clientConfig(opts, opts.publicEndpoint)) : this.client;
    this.prefix = opts.prefix ?? '';
  }

  /** The bucket objects go to. */
  get bucket(): string {
    return this.opts.bucket;
  }

  private key(key: string): string {
    checkKey(key);
    return this.prefix + key;
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key), Body: body }));
    } catch (err) {
      throw storeError('PUT', key, err);
    }
  }

  async putFile(key: string, file: string): Promise<void> {
    const size = (await fs.promises.stat(file)).size;
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key), Body: fs.createReadStream(file), ContentLength: size })
      );
    } catch (err) {
      throw storeError('PUT', key, err);
    }
  }

  private async body(key: string, maxBytes: number): Promise<Readable> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }));
      if ((res.ContentLength ?? 0) > maxBytes) {
        (res.Body as Readable).destroy();
        throw new ArtifactTooLargeError(key, maxBytes);
      }
      return res.Body as Readable;
    } catch (err) {
      if (isMissing(err)) {
        throw new ArtifactNotFoundError(key);
      }
      throw storeError('GET', key, err);
    }
  }

  async read(key: string, maxBytes: number): Promise<Buffer> {
    const body = await this.body(key, maxBytes);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          body.destroy();
          throw new ArtifactTooLargeError(key, maxBytes);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      throw storeError('GET', key, err);
    }
    return Buffer.concat(chunks);
  }

  async download(key: string, file: string, maxBytes: number): Promise<{ size: number; sha256: string }> {
    const body = await this.body(key, maxBytes);
    try {
      return await copyCounted(key, body, file, maxBytes);
    } catch (err) {
      throw storeError('GET', key, err);
    }
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) }));
      return { size: res.ContentLength ?? 0 };
    } catch (err) {
      if (isMissing(err)) {
        return undefined;
      }
      throw storeError('HEAD', key, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    checkKey(prefix, true);
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const res = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: this.prefix + prefix, ContinuationToken: token })
        );
        for (const o of res.Contents ?? []) {
          if (o.Key) {
            keys.push(o.Key.slice(this.prefix.length));
          }
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw storeError('LIST', prefix, err);
    }
    return keys.sort();
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys = await this.list(prefix);
    try {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000).map(k => ({ Key: this.prefix + k }));
        await this.client.send(new DeleteObjectsCommand({ Bucket: this.opts.bucket, Delete: { Objects: batch, Quiet: true } }));
      }
    } catch (err) {
      throw storeError('DELETE', prefix, err);
    }
  }

  presign(key: string, method: 'GET' | 'PUT', expiresSeconds: number): Promise<string> {
    const command =
      method === 'GET'
        ? new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) })
        : new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.key(key) });
    // SigV4 presigned URLs live at most 7 days.
    return getSignedUrl(this.signer, command, { expiresIn: Math.min(Math.max(1, Math.round(expiresSeconds)), 7 * 24 * 3600) });
  }

  /** Closes the HTTP connections. */
  destroy(): void {
    this.client.destroy();
    if (this.signer !== this.client) {
      this.signer.destroy();
    }
  }
}
