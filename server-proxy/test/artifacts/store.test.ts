import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LocalArtifactStore } from '../../src/artifacts/local.js';
import { S3ArtifactStore } from '../../src/artifacts/s3.js';
import { ArtifactNotFoundError, ArtifactStoreError, ArtifactTooLargeError, type ArtifactStore } from '../../src/artifacts/store.js';
import { startS3Server, type S3Server } from '../helpers/s3server.js';
import { tempRoot } from '../helpers/service.js';

// One contract, two implementations: the local folder and a real S3-compatible server (versitygw).
let server: S3Server;
let dir: string;

// Starting the server may first build it (tools/s3/build.sh, minutes on a cold machine).
beforeAll(() => {
  server = startS3Server();
  dir = tempRoot();
}, 600_000);

afterAll(() => {
  server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const implementations: [string, () => ArtifactStore][] = [
  ['local folder', () => new LocalArtifactStore(path.join(dir, 'store'))],
  ['S3 (versitygw)', () => server.store('svc/')]
];

describe.each(implementations)('artifact store contract: %s', (_name, make) => {
  let store: ArtifactStore;
  beforeAll(() => {
    store = make();
  });

  test('put, read, stat and replace an object', async () => {
    await store.put('a/b/one.txt', 'first');
    expect((await store.read('a/b/one.txt', 100)).toString()).toBe('first');
    expect(await store.stat('a/b/one.txt')).toEqual({ size: 5 });
    await store.put('a/b/one.txt', Buffer.from('second!'));
    expect((await store.read('a/b/one.txt', 100)).toString()).toBe('second!');
    expect(await store.stat('a/b/missing.txt')).toBeUndefined();
  });

  test('putFile and download stream bytes and report the SHA-256', async () => {
    const src = path.join(dir, `src-${store.kind}.bin`);
    const bytes = crypto.randomBytes(3 * 1024 * 1024 + 17);
    fs.writeFileSync(src, bytes);
    await store.putFile('big/blob.bin', src);
    const out = path.join(dir, `out-${store.kind}.bin`);
    const got = await store.download('big/blob.bin', out, bytes.length);
    expect(got).toEqual({ size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') });
    expect(fs.readFileSync(out).equals(bytes)).toBe(true);
  });

  test('a missing object is ArtifactNotFoundError, one past the limit ArtifactTooLargeError', async () => {
    await expect(store.read('nothing/here', 10)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.download('nothing/here', path.join(dir, 'x'), 10)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await store.put('limits/ten.txt', '0123456789');
    await expect(store.read('limits/ten.txt', 9)).rejects.toBeInstanceOf(ArtifactTooLargeError);
    const out = path.join(dir, `limit-${store.kind}`);
    await expect(store.download('limits/ten.txt', out, 9)).rejects.toBeInstanceOf(ArtifactTooLargeError);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('list and deletePrefix see only keys below the prefix', async () => {
    await store.put('runs/u/j1/x', '1');
    await store.put('runs/u/j1/sub/y', '2');
    await store.put('runs/u/j10/z', '3');
    expect(await store.list('runs/u/j1/')).toEqual(['runs/u/j1/sub/y', 'runs/u/j1/x']);
    await store.deletePrefix('runs/u/j1/');
    expect(await store.list('runs/u/j1/')).toEqual([]);
    expect(await store.list('runs/u/')).toEqual(['runs/u/j10/z']);
    await store.deletePrefix('runs/none/');
  });

  test('keys that could leave the store are refused', async () => {
    for (const bad of ['../x', 'a/../../x', '/abs', 'a//b', 'a/./b', 'sp ace', '']) {
      await expect(store.put(bad, 'x')).rejects.toThrow(/invalid artifact key/);
    }
    await expect(store.list('runs')).rejects.toThrow(/invalid artifact prefix/);
  });
});

test('the local store cannot presign; the S3 store can', () => {
  expect((new LocalArtifactStore(dir) as ArtifactStore).presign).toBeUndefined();
  expect(typeof server.store().presign).toBe('function');
});

test('an unreachable object store is an ArtifactStoreError naming the operation and key, without the keys', async () => {
  const store = new S3ArtifactStore({ ...server.options, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  try {
    const err = await store.put('runs/a/b', 'x').catch(e => e);
    expect(err).toBeInstanceOf(ArtifactStoreError);
    expect(err.message).toMatch(/^object store PUT runs\/a\/b failed: /);
    expect(err.message).not.toContain(server.options.credentials!.secretAccessKey);
  } finally {
    store.destroy();
  }
});

test('wrong credentials are refused by the server, and are no missing object', async () => {
  const { accessKeyId } = server.options.credentials!;
  const store = new S3ArtifactStore({ ...server.options, credentials: { accessKeyId, secretAccessKey: 'wrong-secret-0000' }, maxAttempts: 1 });
  const stranger = new S3ArtifactStore({ ...server.options, credentials: { accessKeyId: 'nobody', secretAccessKey: 'wrong-secret-0000' }, maxAttempts: 1 });
  try {
    await expect(store.put('runs/a/b', 'x')).rejects.toThrow(/HTTP 403/);
    // A GET names its error in the body; a HEAD has none, so only GETs can tell the two apart.
    await expect(stranger.read('runs/a/b', 10)).rejects.toBeInstanceOf(ArtifactStoreError);
  } finally {
    store.destroy();
    stranger.destroy();
  }
});

test('URLs are signed for the public endpoint when pods reach the store at another address', async () => {
  const port = new URL(server.endpoint).port;
  const store = new S3ArtifactStore({ ...server.options, publicEndpoint: `http://localhost:${port}` });
  try {
    await store.put('public/x.txt', 'via localhost');
    const url = await store.presign!('public/x.txt', 'GET', 60);
    expect(new URL(url).host).toBe(`localhost:${port}`);
    const res = await fetch(url);
    expect([res.status, await res.text()]).toEqual([200, 'via localhost']);
    // The same signature under the other host name is refused: it covers the host.
    const other = new URL(url);
    other.host = `127.0.0.1:${port}`;
    expect((await fetch(other)).status).toBe(403);
  } finally {
    store.destroy();
  }
});
