import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ArtifactNotFoundError, ArtifactTooLargeError, checkKey, type ArtifactStore } from './store.js';

/**
 * Artifacts as files under one folder, `key` = path below it: the embedded default. Writes go to a
 * temporary file renamed into place, so a reader never sees half an object.
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  private file(key: string): string {
    checkKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  private async replace(key: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const target = this.file(key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    try {
      await write(tmp);
      await fs.promises.rename(tmp, target);
    } finally {
      await fs.promises.rm(tmp, { force: true });
    }
  }

  put(key: string, body: Buffer | string): Promise<void> {
    return this.replace(key, tmp => fs.promises.writeFile(tmp, body));
  }

  putFile(key: string, file: string): Promise<void> {
    return this.replace(key, tmp => fs.promises.copyFile(file, tmp));
  }

  async read(key: string, maxBytes: number): Promise<Buffer> {
    const file = this.file(key);
    const size = (await this.stat(key))?.size;
    if (size === undefined) {
      throw new ArtifactNotFoundError(key);
    }
    if (size > maxBytes) {
      throw new ArtifactTooLargeError(key, maxBytes);
    }
    return fs.promises.readFile(file);
  }

  async download(key: string, file: string, maxBytes: number): Promise<{ size: number; sha256: string }> {
    const source = this.file(key);
    let input: fs.ReadStream;
    try {
      await fs.promises.access(source);
      input = fs.createReadStream(source);
    } catch {
      throw new ArtifactNotFoundError(key);
    }
    return copyCounted(key, input, file, maxBytes);
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      const st = await fs.promises.stat(this.file(key));
      return st.isFile() ? { size: st.size } : undefined;
    } catch {
      return undefined;
    }
  }

  async list(prefix: string): Promise<string[]> {
    checkKey(prefix, true);
    const dir = path.join(this.root, ...prefix.split('/').filter(Boolean));
    const keys: string[] = [];
    const walk = async (current: string, rel: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(current, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.isDirectory()) {
          await walk(path.join(current, e.name), `${rel}${e.name}/`);
        } else if (e.isFile() && !e.name.includes('.tmp-')) {
          keys.push(`${rel}${e.name}`);
        }
      }
    };
    await walk(dir, prefix);
    return keys.sort();
  }

  async deletePrefix(prefix: string): Promise<void> {
    checkKey(prefix, true);
    await fs.promises.rm(path.join(this.root, ...prefix.split('/').filter(Boolean)), { recursive: true, force: true });
  }
}

/**
 * Copies a stream into `file`, hashing and counting; past `maxBytes` the copy stops and the file is
 * removed. Shared by both stores so they limit and hash the same way.
 */
export async function copyCounted(key: string, input: NodeJS.ReadableStream, file: string, maxBytes: number): Promise<{ size: number; sha256: string }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new ArtifactTooLargeError(key, maxBytes));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    }
  });
  try {
    await pipeline(input, count, fs.createWriteStream(file));
  } catch (err) {
    await fs.promises.rm(file, { force: true });
    throw err;
  }
  return { size, sha256: hash.digest('hex') };
}
