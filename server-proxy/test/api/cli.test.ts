import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROXY_DIR, PYTHON, runnerEnv, tempRoot, waitFor } from '../helpers/service.js';
import { databaseEnv } from '../helpers/stores.js';

// `laketahoe-proxy serve` as a user runs it: the built dist/main.js in a child process.
const MAIN = path.join(PROXY_DIR, 'dist', 'main.js');

test('serve --help prints the usage and succeeds; an unknown flag fails naming it and the help', () => {
  for (const flag of ['--help', '-h']) {
    const help = spawnSync(process.execPath, [MAIN, 'serve', flag], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: laketahoe-proxy serve /);
    for (const documented of ['--port P', '--socket PATH', '--tokens-file FILE', '--backend local|kubernetes', '--deploy-timeout SECONDS']) {
      expect(help.stdout).toContain(documented);
    }
    expect(help.stderr).toBe('');
  }
  const bad = spawnSync(process.execPath, [MAIN, 'serve', '--no-such-flag'], { encoding: 'utf8' });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain("Unknown option '--no-such-flag'");
  expect(bad.stderr).toContain('serve --help');
  const none = spawnSync(process.execPath, [MAIN], { encoding: 'utf8' });
  expect(none.status).toBe(2);
  expect(none.stderr).toMatch(/^usage: /);
});

describe('--tokens-file (shared mode)', () => {
  let root: string;
  let child: ReturnType<typeof spawn> | undefined;

  beforeEach(() => {
    root = tempRoot();
  });
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise(resolve => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    child = undefined;
  });

  test('each token acts as its own user, the runtime file holds no token, others are refused', async () => {
    const tokensFile = path.join(root, 'tokens.json');
    fs.writeFileSync(tokensFile, JSON.stringify({ tokens: { 'alice-secret': 'alice', 'bob-secret': 'bob' } }), { mode: 0o600 });
    const runtimeFile = path.join(root, 'rt.json');
    const env = { ...runnerEnv() };
    delete env.LAKETAHOE_TOKEN;
    child = spawn(
      process.execPath,
      [MAIN, 'serve', '--port', '0', '--root-dir', root, '--runtime-file', runtimeFile, '--python', PYTHON,
       // Several users on one service: jobs run locally only because this test says they are trusted.
       '--tokens-file', tokensFile, '--trust-jobs', '--gpus', '0', '--log-level', 'warn'],
      { env: { ...env, ...(await databaseEnv(root)), LAKETAHOE_TOKEN: 'ignored-when-a-tokens-file-is-given' }, stdio: ['ignore', 'ignore', 'inherit'] }
    );
    await waitFor(async () => fs.existsSync(runtimeFile), 30_000, 'runtime file');
    const info = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
    // Shared mode: nobody's token is written for kernels to pick up.
    expect(info.token).toBeNull();
    const get = async (token: string) => {
      const res = await fetch(`${info.url}/api/v1/info`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect(await get('alice-secret')).toMatchObject({ status: 200, body: { user: 'alice' } });
    expect(await get('bob-secret')).toMatchObject({ status: 200, body: { user: 'bob' } });
    for (const refused of ['ignored-when-a-tokens-file-is-given', 'alice-secretx', 'nobody']) {
      expect(await get(refused)).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    }
  });

  test('a tokens file that is not {"tokens": {token: user}} stops the start with a clear message', () => {
    const tokensFile = path.join(root, 'tokens.json');
    fs.writeFileSync(tokensFile, JSON.stringify({ alice: 'alice-secret' }));
    const result = spawnSync(
      process.execPath,
      [MAIN, 'serve', '--port', '0', '--root-dir', root, '--runtime-file', path.join(root, 'rt.json'), '--tokens-file', tokensFile],
      { encoding: 'utf8', timeout: 30_000 }
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^laketahoe-proxy: .*tokens/);
    expect(fs.existsSync(path.join(root, 'rt.json'))).toBe(false);
  });
});
