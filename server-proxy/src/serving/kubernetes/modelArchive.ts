import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keySegment } from '../../artifacts/runs.js';
import { ArtifactNotFoundError, type ArtifactStore } from '../../artifacts/store.js';
import { writeTar, type TarEntry } from '../../artifacts/tar.js';

/** What the store holds beside a model archive: the digest the init container checks it against. */
export interface ModelArchiveManifest {
  version: 1;
  sha256: string;
  size: number;
  files: string[];
}

/** `models/<owner>/<model>/<version>/`: a registered version's archive and its manifest. */
export function modelPrefix(owner: string, model: string, version: number): string {
  return `models/${keySegment(owner)}/${keySegment(model)}/${version}/`;
}

/** The regular files of a folder, `/`-separated and sorted; links are left out (they may lead elsewhere). */
function filesOf(dir: string, rel = ''): TarEntry[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap(e => {
      const name = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        return filesOf(dir, name);
      }
      return e.isFile() ? [{ name, file: path.join(dir, name) }] : [];
    });
}

/**
 * Puts a registered model folder into the store once (a version never changes after registration, so an
 * archive already there is reused) and answers a presigned GET of the archive with its digest. The pod
 * gets that URL only: it can read this one object until the URL expires, and nothing else.
 */
export async function publishModel(
  store: ArtifactStore,
  owner: string,
  model: { name: string; version: number; dir: string },
  expiresSeconds: number
): Promise<{ url: string; sha256: string }> {
  if (!store.presign) {
    throw new Error('serving on Kubernetes needs an object store for the model (--artifact-store s3)');
  }
  const prefix = modelPrefix(owner, model.name, model.version);
  let manifest: ModelArchiveManifest | undefined;
  try {
    manifest = JSON.parse((await store.read(`${prefix}manifest.json`, 1024 * 1024)).toString('utf8')) as ModelArchiveManifest;
  } catch (err) {
    if (!(err instanceof ArtifactNotFoundError)) {
      throw err;
    }
  }
  if (!manifest) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-model-'));
    try {
      const entries = filesOf(model.dir);
      const archive = path.join(tmp, 'model.tar');
      writeTar(entries, archive);
      const hash = crypto.createHash('sha256');
      for await (const chunk of fs.createReadStream(archive)) {
        hash.update(chunk as Buffer);
      }
      manifest = { version: 1, sha256: hash.digest('hex'), size: fs.statSync(archive).size, files: entries.map(e => e.name) };
      await store.putFile(`${prefix}model.tar`, archive);
      // The manifest goes last: its presence says the archive is complete.
      await store.put(`${prefix}manifest.json`, JSON.stringify(manifest));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { url: await store.presign(`${prefix}model.tar`, 'GET', expiresSeconds), sha256: manifest.sha256 };
}
