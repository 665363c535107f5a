import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROXY_DIR, REPO_ROOT, tempRoot } from '../helpers/service.js';

// The bundle the wheel and the service image carry: one folder that runs on Node alone, away from node_modules.
let dir: string;
let child: ChildProcess | undefined;

beforeAll(() => {
  dir = tempRoot();
  execFileSync(process.execPath, ['scripts/bundle.mjs', '--out', path.join(dir, 'service')], { cwd: PROXY_DIR, stdio: 'pipe' });
}, 120_000);

afterAll(() => {
  child?.kill('SIGTERM');
});

test('the bundle is one folder: the module, the SQLite addon with its Node ABI, the licences', () => {
  expect(fs.readdirSync(path.join(dir, 'service')).sort()).toEqual(['THIRD_PARTY_LICENSES.txt', 'better_sqlite3.node', 'main.mjs', 'native.json', 'serve_model.py']);
  const native = JSON.parse(fs.readFileSync(path.join(dir, 'service', 'native.json'), 'utf8'));
  expect(native).toMatchObject({ nodeModuleVersion: Number(process.versions.modules), nodeMajor: Number(process.versions.node.split('.')[0]) });
  expect(native['better-sqlite3']).toMatch(/^12\./);
  const licences = fs.readFileSync(path.join(dir, 'service', 'THIRD_PARTY_LICENSES.txt'), 'utf8');
  for (const pkg of ['fastify@', 'better-sqlite3@', '@kubernetes/client-node@']) {
    expect(licences).toContain(pkg);
  }
});

test('the bundle serves from a folder without node_modules, with its own addon and the root package.json version', async () => {
  // Copied away from server-proxy/, so nothing can be resolved from node_modules.
  const copy = path.join(dir, 'elsewhere');
  fs.cpSync(path.join(dir, 'service'), copy, { recursive: true });
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  const runtimeFile = path.join(dir, 'runtime.json');
  child = spawn(process.execPath, [path.join(copy, 'main.mjs'), 'serve', '--port', '0', '--root-dir', root, '--runtime-file', runtimeFile], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, LAKETAHOE_TOKEN: 'bundle-token', LAKETAHOE_SERVING_VENV: path.join(dir, 'no-serving') },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let log = '';
  child.stdout!.on('data', d => (log += d));
  child.stderr!.on('data', d => (log += d));
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(runtimeFile) && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100));
  }
  expect(fs.existsSync(runtimeFile)).toBe(true);
  const { url } = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  const info = await (await fetch(`${url}/api/v1/info`, { headers: { authorization: 'Bearer bundle-token' } })).json();
  const version = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;
  expect(info).toMatchObject({ version, rootDir: root, backend: 'local' });
  // The store is the addon's SQLite file.
  expect(fs.existsSync(path.join(root, '.laketahoe', 'laketahoe.db'))).toBe(true);
  // No serving environment: said at start, with the command that creates it.
  expect(log).toContain('laketahoe serving-env create');
  expect(log).toContain(path.join(dir, 'no-serving', 'bin', 'mlserver'));
}, 60_000);
