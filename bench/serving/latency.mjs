// Inference through the service's OIP v2 proxy beside the same MLServer called directly, in one run:
// sequential latency (p50/p99 and what the proxy adds) and throughput under a bounded concurrent load.
//
// Usage: node bench/serving/latency.mjs [--requests 2000] [--concurrency 16] [--seconds 5]
// Needs `make setup` (.venv with scikit-learn, .venv-serving with MLServer, the service built).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const service = path.join(repo, 'server-proxy', 'dist', 'main.js');
const { Pool } = createRequire(path.join(repo, 'server-proxy', 'package.json'))('undici');

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const requestCount = arg('requests', 2000);
const concurrency = arg('concurrency', 16);
const seconds = arg('seconds', 5);
const user = 'bench';
const token = 'bench-token-' + Math.random().toString(36).slice(2);
const body = JSON.stringify({
  inputs: [{ name: 'input-0', datatype: 'FP64', shape: [2, 4], data: [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3] }]
});

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One target: a pool to an origin and the path of the infer route there. */
function target(origin, inferPath, headers = {}) {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  return {
    pool,
    async call() {
      const res = await pool.request({ method: 'POST', path: inferPath, headers: { 'content-type': 'application/json', ...headers }, body });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`unexpected status ${res.statusCode} from ${origin}${inferPath}`);
    }
  };
}

/** Sequential latencies of both targets, interleaved in blocks so both see the same machine load. */
async function sequential(direct, proxied) {
  const samples = { direct: [], proxied: [] };
  for (let block = 0; block < requestCount / 100; block++) {
    for (const [name, t] of [['direct', direct], ['proxied', proxied]]) {
      for (let i = 0; i < 100; i++) {
        const start = performance.now();
        await t.call();
        samples[name].push(performance.now() - start);
      }
    }
  }
  return samples;
}

/** Requests per second with `concurrency` callers looping for `seconds`. */
async function throughput(t) {
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      await t.call();
      done += 1;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - start) / 1000);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-bench-serving-'));
execFileSync(path.join(repo, '.venv', 'bin', 'python'), [path.join(repo, 'server-proxy', 'test', 'serving', 'make_models.py'), path.join(dir, 'models')]);
const runtimeFile = path.join(dir, 'runtime.json');
const child = spawn('node', [service, 'serve', '--port', '0', '--root-dir', dir, '--runtime-file', runtimeFile, '--log-level', 'warn'], {
  env: { ...process.env, LAKETAHOE_TOKEN: token, LAKETAHOE_USER: user },
  stdio: 'ignore'
});
try {
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(runtimeFile)) {
    if (Date.now() > deadline) throw new Error('the service did not start');
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
  await api('POST', '/models', { path: 'models/iris' });
  await api('POST', '/deployments', { name: 'bench', model: { name: 'iris' } });
  let deployment;
  const readyBy = Date.now() + 120_000;
  do {
    await new Promise(r => setTimeout(r, 250));
    deployment = await api('GET', '/deployments/bench');
    if (deployment.state === 'FAILED') throw new Error(deployment.errorMessage);
  } while (deployment.state !== 'READY' && Date.now() < readyBy);
  const settings = JSON.parse(fs.readFileSync(path.join(dir, '.laketahoe', 'deployments', user, 'bench', '1', 'settings.json'), 'utf8'));

  const direct = target(`http://127.0.0.1:${settings.http_port}`, '/v2/models/iris/infer');
  const proxied = target(url, '/api/v1/deployments/bench/v2/models/iris/infer', { authorization: `Bearer ${token}` });
  for (let i = 0; i < 200; i++) {
    await direct.call();
    await proxied.call();
  }
  const lat = await sequential(direct, proxied);
  const stats = s => {
    const sorted = [...s].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  const d = stats(lat.direct);
  const p = stats(lat.proxied);
  const rpsDirect = await throughput(direct);
  const rpsProxied = await throughput(proxied);

  const f = v => v.toFixed(3).padStart(9);
  console.log(`MLServer 1.7.1, scikit-learn LogisticRegression (iris, 2 rows per request); ${requestCount} sequential requests each, ms`);
  console.log(`${''.padEnd(36)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}`);
  console.log(`${'direct to MLServer'.padEnd(36)} ${f(d.p50)} ${f(d.p99)}`);
  console.log(`${'through the service (proxy)'.padEnd(36)} ${f(p.p50)} ${f(p.p99)}`);
  console.log(`${'added by the proxy'.padEnd(36)} ${f(p.p50 - d.p50)} ${f(p.p99 - d.p99)}   (target: p50 well under 1 ms)`);
  console.log(`throughput, ${concurrency} concurrent callers for ${seconds} s: direct ${rpsDirect.toFixed(0)} req/s, through the service ${rpsProxied.toFixed(0)} req/s`);
  await direct.pool.close();
  await proxied.pool.close();
} finally {
  child.kill('SIGTERM');
  await new Promise(r => child.once('exit', r));
  fs.rmSync(dir, { recursive: true, force: true });
}
