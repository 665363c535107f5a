import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3ArtifactStore, type S3StoreOptions } from '../../src/artifacts/s3.js';

const SERVER_SH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tools', 's3', 'server.sh');

/** A real S3-compatible server (versitygw) on loopback, started by tools/s3/server.sh. */
export interface S3Server {
  endpoint: string;
  options: S3StoreOptions;
  /** A store on the server's bucket, with the root keys. */
  store(prefix?: string): S3ArtifactStore;
  stop(): void;
}

/** Builds (cached) and starts the server; call `stop` in afterAll. */
export function startS3Server(): S3Server {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-s3-'));
  execFileSync(SERVER_SH, ['start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = Object.fromEntries(
    fs
      .readFileSync(path.join(dir, 'env'), 'utf8')
      .trim()
      .split('\n')
      .map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
  );
  const options: S3StoreOptions = {
    endpoint: env.LAKETAHOE_S3_ENDPOINT,
    bucket: env.LAKETAHOE_S3_BUCKET,
    region: env.LAKETAHOE_S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: env.LAKETAHOE_S3_ACCESS_KEY_ID, secretAccessKey: env.LAKETAHOE_S3_SECRET_ACCESS_KEY }
  };
  const stores: S3ArtifactStore[] = [];
  return {
    endpoint: env.LAKETAHOE_S3_ENDPOINT,
    options,
    store(prefix?: string) {
      const s = new S3ArtifactStore({ ...options, prefix });
      stores.push(s);
      return s;
    },
    stop() {
      for (const s of stores) {
        s.destroy();
      }
      execFileSync(SERVER_SH, ['stop', dir], { stdio: 'ignore' });
    }
  };
}
