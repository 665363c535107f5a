/**
 * A real PostgreSQL for the tests, from Debian's packages: a fresh cluster in a temporary folder, reached
 * only through a Unix socket in that folder (no TCP listener, no system service). A watchdog stops it and
 * removes the folder when the test run ends, however it ends. Plain JavaScript: jest loads global set-up
 * modules without transforming them.
 */
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The environment variable that carries the server's admin URL from the global set-up to the tests. */
const ADMIN_URL_ENV = 'LAKETAHOE_TEST_PG_URL';
/** Where the global set-up keeps the server's folder for the teardown. */
const DIR_ENV = 'LAKETAHOE_TEST_PG_DIR';
/** The unprivileged account that runs the server when the tests run as root (initdb refuses root). */
const SERVER_USER = 'nobody';

/** The newest `/usr/lib/postgresql/<major>/bin`, installing Debian's `postgresql` package when none is there. */
export function postgresBin() {
  const find = () => {
    const root = '/usr/lib/postgresql';
    const majors = fs.existsSync(root) ? fs.readdirSync(root).filter(v => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
    majors.sort((a, b) => Number(b) - Number(a));
    return majors.length ? path.join(root, majors[0], 'bin') : undefined;
  };
  let bin = find();
  if (!bin) {
    if (process.getuid?.() !== 0) {
      throw new Error('PostgreSQL is not installed: apt-get install postgresql (the store tests run against it)');
    }
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'postgresql'], { stdio: 'ignore', env });
    bin = find();
    if (!bin) {
      throw new Error('installing the postgresql package gave no /usr/lib/postgresql/*/bin/initdb');
    }
  }
  return bin;
}

/** Runs a PostgreSQL program as the server's account (itself when not root). */
function asServerUser(program, args) {
  return process.getuid?.() === 0 ? ['runuser', ['-u', SERVER_USER, '--', program, ...args]] : [program, args];
}

/** The postmaster's pid, from its pid file. */
function postmasterPid(dir) {
  try {
    return Number(fs.readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a cluster in a new temporary folder and returns the URL of its `postgres` database as the
 * password-protected superuser `laketahoe`. Sets {@link ADMIN_URL_ENV} for the test workers.
 */
export async function startPostgres() {
  const bin = postgresBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-pg-'));
  const password = crypto.randomBytes(18).toString('base64url');
  fs.writeFileSync(path.join(dir, 'password'), password + '\n', { mode: 0o600 });
  if (process.getuid?.() === 0) {
    execFileSync('chown', ['-R', SERVER_USER, dir]);
  }
  const [initdb, initArgs] = asServerUser(path.join(bin, 'initdb'), [
    '-D', path.join(dir, 'data'), '-U', 'laketahoe', `--pwfile=${path.join(dir, 'password')}`,
    '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions'
  ]);
  execFileSync(initdb, initArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  fs.rmSync(path.join(dir, 'password'));
  // Durability is not under test: without fsync a test run does not wait on the disk.
  const [postgres, args] = asServerUser(path.join(bin, 'postgres'), [
    '-D', path.join(dir, 'data'), '-k', dir, '-c', "listen_addresses=", '-c', 'fsync=off', '-c', 'synchronous_commit=off',
    '-c', 'full_page_writes=off', '-c', 'max_connections=300', '-c', 'shared_buffers=32MB'
  ]);
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  const server = spawn(postgres, args, { detached: true, stdio: ['ignore', log, log] });
  server.unref();
  fs.closeSync(log);
  watch(dir, process.pid);
  const url = `postgres://laketahoe:${password}@/postgres?host=${encodeURIComponent(dir)}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        stopPostgres(dir);
        throw new Error(`PostgreSQL did not start: ${err.message}\n${fs.readFileSync(path.join(dir, 'server.log'), 'utf8')}`);
      }
      await new Promise(r => setTimeout(r, 100));
    }
  }
  process.env[ADMIN_URL_ENV] = url;
  process.env[DIR_ENV] = dir;
  return url;
}

/**
 * A detached shell that outlives a killed test run: once the run's process is gone (or the folder's `keep`
 * mark is removed by a normal stop), it stops the server and removes the folder.
 */
function watch(dir, runner) {
  fs.writeFileSync(path.join(dir, 'keep'), '');
  const script = `
    while kill -0 ${runner} 2>/dev/null && [ -e "$1/keep" ]; do sleep 1; done
    pid=$(head -n 1 "$1/data/postmaster.pid" 2>/dev/null)
    if [ -n "$pid" ]; then kill -QUIT "$pid" 2>/dev/null; for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; fi
    rm -rf "$1"`;
  spawn('sh', ['-c', script, 'watchdog', dir], { detached: true, stdio: 'ignore' }).unref();
}

/** Stops the server started by {@link startPostgres} and removes its folder; waits until it is gone. */
export function stopPostgres(dir = process.env[DIR_ENV]) {
  if (!dir) {
    return;
  }
  const pid = postmasterPid(dir);
  if (pid) {
    try {
      process.kill(pid, 'SIGINT'); // fast shutdown: ends sessions, no waiting for clients
    } catch {
      // already gone
    }
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      execFileSync('sleep', ['0.05']);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env[DIR_ENV];
}

