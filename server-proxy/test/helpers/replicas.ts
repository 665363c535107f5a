/**
 * Service replicas as separate processes (dist/main.js) on one PostgreSQL database, sharing the user's
 * folder and jobs folder as replicas share a volume: for the failover tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { childServiceLogging, MLSERVER, PROXY_DIR, PYTHON, runnerEnv, waitFor } from './service.js';

/** The bearer token every replica of these tests accepts. */
export const REPLICA_TOKEN = 'failover-token';

/** One running replica. */
export interface Replica {
  name: string;
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

/** Starts replica `name` of the service in `root` (its own data folder) and waits for its runtime file. */
export async function startReplica(root: string, name: string, databaseUrl: string): Promise<Replica> {
  const runtimeFile = path.join(root, `${name}.json`);
  const logging = childServiceLogging();
  const child = spawn(
    process.execPath,
    [path.join(PROXY_DIR, 'dist', 'main.js'), 'serve', '--root-dir', root, '--data-dir', path.join(root, `.data-${name}`),
     '--jobs-dir', path.join(root, 'jobs'), '--runtime-file', runtimeFile, '--python', PYTHON, '--trust-jobs',
     '--cpus', '2', '--memory-bytes', String(8 * 1024 ** 3), '--gpus', '0', '--mlserver', MLSERVER, '--log-level', logging.level],
    { env: { ...runnerEnv(), LAKETAHOE_DATABASE_URL: databaseUrl, LAKETAHOE_TOKEN: REPLICA_TOKEN, LAKETAHOE_USER: 'erin' }, stdio: ['ignore', logging.stdout, 'inherit'] }
  );
  const exited = new Promise(resolve => child.once('exit', resolve));
  await waitFor(async () => fs.existsSync(runtimeFile), 60_000, `runtime file of ${name}`);
  return { name, child, url: JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).url as string, exited };
}

/** One API call to a replica; the status and the JSON body. */
export async function call(r: Replica, method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(r.url + urlPath, {
    method,
    headers: { authorization: `Bearer ${REPLICA_TOKEN}`, 'x-laketahoe-request': '1', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  });
  return { status: res.status, body: await res.json() };
}

/** Whether the replica says it leads. */
export const leads = async (r: Replica) => (await call(r, 'GET', '/api/v1/info')).body.replica.leader as boolean;

/** Model server processes of deployment `name` of user erin under `root`, found by the folder they serve from (any replica's). */
export function modelServerPids(root: string, name: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter(p => /^\d+$/.test(p))
    .filter(p => {
      try {
        const args = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return args.some(a => a.endsWith('serve_model.py')) && args.some(a => a.startsWith(root) && a.includes(`/deployments/erin/${name}/`));
      } catch {
        return false;
      }
    })
    .map(Number);
}
