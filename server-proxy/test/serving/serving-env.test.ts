import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultMlserver, parseServeArgs, userServingVenv } from '../../src/config.js';
import { cannotStart } from '../../src/serving/supervisor.js';

// Where the service looks for MLServer: the checkout's .venv-serving, else the environment that
// `laketahoe serving-env create` builds for an installed package.
const base = { LAKETAHOE_RUNTIME_FILE: '/tmp/x.json' };

test('the user serving environment follows LAKETAHOE_SERVING_VENV, then XDG_DATA_HOME, then ~/.local/share', () => {
  expect(userServingVenv({ LAKETAHOE_SERVING_VENV: '/opt/serving' })).toBe('/opt/serving');
  expect(userServingVenv({ XDG_DATA_HOME: '/data' })).toBe('/data/laketahoe/serving-venv');
  expect(userServingVenv({})).toBe(path.join(os.homedir(), '.local', 'share', 'laketahoe', 'serving-venv'));
});

test("the checkout's .venv-serving wins when it exists; the user environment otherwise", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-mlserver-'));
  const checkout = path.join(dir, '.venv-serving', 'bin', 'mlserver');
  const env = { XDG_DATA_HOME: path.join(dir, 'data') };
  expect(defaultMlserver(env, checkout)).toBe(path.join(dir, 'data', 'laketahoe', 'serving-venv', 'bin', 'mlserver'));
  fs.mkdirSync(path.dirname(checkout), { recursive: true });
  fs.writeFileSync(checkout, '');
  expect(defaultMlserver(env, checkout)).toBe(checkout);
  // An explicit serving environment beats the checkout's.
  expect(defaultMlserver({ ...env, LAKETAHOE_SERVING_VENV: '/opt/sv' }, checkout)).toBe('/opt/sv/bin/mlserver');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('flags and LAKETAHOE_MLSERVER beat the serving environment', () => {
  expect(parseServeArgs(['--mlserver', '/x/mlserver'], { ...base, LAKETAHOE_SERVING_VENV: '/opt/sv' }).mlserver).toBe('/x/mlserver');
  expect(parseServeArgs([], { ...base, LAKETAHOE_MLSERVER: '/y/mlserver', LAKETAHOE_SERVING_VENV: '/opt/sv' }).mlserver).toBe('/y/mlserver');
  expect(parseServeArgs([], { ...base, LAKETAHOE_SERVING_VENV: '/opt/sv' }).mlserver).toBe('/opt/sv/bin/mlserver');
});

test('a missing mlserver names the command that creates the serving environment', () => {
  const missing = Object.assign(new Error('spawn /nowhere/mlserver ENOENT'), { code: 'ENOENT' });
  expect(cannotStart('/nowhere/mlserver', missing)).toMatch(/MLServer not found at \/nowhere\/mlserver: .*laketahoe serving-env create/);
  expect(cannotStart('/x/mlserver', Object.assign(new Error('EACCES'), { code: 'EACCES' }))).toBe('cannot start /x/mlserver: EACCES');
});
