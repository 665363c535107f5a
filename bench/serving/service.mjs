// The service as the serving benchmarks run it: built from server-proxy/dist, in a temporary root folder
// that holds the test models (server-proxy/test/serving/make_models.py), with one bench user's token.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The build a bench runs: `dist` (relative to the repository), else LAKETAHOE_BENCH_DIST, else
 * server-proxy/dist. Another build (an earlier commit's) must sit in a folder under server-proxy whose
 * `python` is server-proxy/python (a link will do), so that it finds the same node_modules and scripts.
 */
function serviceMain(dist) {
  return path.join(path.resolve(repo, dist ?? process.env.LAKETAHOE_BENCH_DIST ?? path.join('server-proxy', 'dist')), 'main.js');
}

/**
 * Starts the service and waits for its runtime file. Returns its root folder, URL, request headers, a JSON
 * API caller that throws on an error answer, `stop` (ends the process, removes the folder) and its pid.
 */
export async function startBenchService({ prefix, token, user, logLevel = 'warn', dist }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  execFileSync(path.join(repo, '.venv', 'bin', 'python'), [path.join(repo, 'server-proxy', 'test', 'serving', 'make_models.py'), path.join(dir, 'models')]);
  const runtimeFile = path.join(dir, 'runtime.json');
  // Extra node flags for the service only, e.g. LAKETAHOE_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile it.
  const nodeArgs = (process.env.LAKETAHOE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn('node', [...nodeArgs, serviceMain(dist), 'serve', '--port', '0', '--root-dir', dir, '--runtime-file', runtimeFile, '--log-level', logLevel], {
    env: { ...process.env, LAKETAHOE_TOKEN: token, LAKETAHOE_USER: user },
    stdio: 'ignore'
  });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise(r => child.once('exit', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(runtimeFile)) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error('the service did not start');
    }
    await new Promise(r => setTimeout(r, 50));
  }
  const { url } = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const api = async (method, p, json) => {
    const res = await fetch(`${url}/api/v1${p}`, { method, headers, body: json && JSON.stringify(json) });
    const answer = await res.json();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  return { dir, url, headers, api, stop, pid: child.pid };
}
