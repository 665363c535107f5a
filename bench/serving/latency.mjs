// Inference through the service's OIP v2 proxy beside the same MLServer called directly and through a
// bare Node forwarder (the floor of any proxy hop), in one run: sequential latency (p50/p99 and what the
// proxy adds) and throughput under a bounded concurrent load.
//
// Usage: node bench/serving/latency.mjs [--requests 2000] [--concurrency 16] [--seconds 5] [--log-level warn]
//        [--baseline server-proxy/<folder>/dist]
// (--log-level info: the service's default level; --baseline: another build of the service, e.g. an earlier
// commit's, measured in the same run beside this one, see service.mjs). LAKETAHOE_BENCH_NODE_ARGS=
// '--cpu-prof --cpu-prof-dir=DIR' profiles the service, LAKETAHOE_BENCH_FORWARDER_NODE_ARGS the same
// for the bare forwarder (profiles of one run compare: same load, same requests).
// Needs `make setup` (.venv with scikit-learn, .venv-serving with MLServer, the service built).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { formatDifference, p50Difference, percentile } from './difference.mjs';
import { startBenchService } from './service.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Pool } = createRequire(path.join(repo, 'server-proxy', 'package.json'))('undici');

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const requestCount = arg('requests', 2000);
const concurrency = arg('concurrency', 16);
const seconds = arg('seconds', 5);
const stringArg = (name, fallback) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : fallback);
const logLevel = stringArg('log-level', 'warn');
const baselineDist = stringArg('baseline', undefined);
const user = 'bench';
const token = 'bench-token-' + Math.random().toString(36).slice(2);
const body = JSON.stringify({
  inputs: [{ name: 'input-0', datatype: 'FP64', shape: [2, 4], data: [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3] }]
});

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

/** One target: a pool to an origin (or a Unix socket) and the path of the infer route there. */
function target(origin, inferPath, headers = {}, socketPath = undefined) {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, ...(socketPath ? { socketPath } : {}) });
  return {
    pool,
    async call() {
      const res = await pool.request({ method: 'POST', path: inferPath, headers: { 'content-type': 'application/json', ...headers }, body });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) throw new Error(`unexpected status ${res.statusCode} from ${origin}${inferPath}`);
    }
  };
}

/**
 * The floor of any proxy: a bare Node HTTP server in its own process (as the service is) that forwards
 * the body to the model server through an undici pool and relays the answer; no routing, auth, checks or
 * recording. It prints its port on stdout.
 */
const BARE_FORWARDER = `
const http = require('node:http');
const { Pool } = require(process.env.UNDICI);
const pool = new Pool('http://localhost', { socketPath: process.env.UPSTREAM_SOCKET, connections: 64, pipelining: 1 });
const secret = require('node:fs').readFileSync(0, 'utf8').trim();
const server = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = { 'content-type': 'application/json', 'x-laketahoe-server-secret': secret };
  const answer = await pool.request({ method: 'POST', path: req.url, headers, body: Buffer.concat(chunks) });
  const out = Buffer.from(await answer.body.arrayBuffer());
  res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'], 'content-length': out.length });
  res.end(out);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0)); // a normal exit, so that --cpu-prof writes its profile
`;

async function bareForwarder(upstream) {
  const undici = createRequire(path.join(repo, 'server-proxy', 'package.json')).resolve('undici');
  const env = { ...process.env, UPSTREAM_SOCKET: upstream.socket, UNDICI: undici };
  const forwarderArgs = (process.env.LAKETAHOE_BENCH_FORWARDER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn('node', [...forwarderArgs, '-e', BARE_FORWARDER], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  proc.stdin.end(`${upstream.secret}\n`);
  const port = await new Promise((resolve, reject) => {
    proc.stdout.once('data', d => resolve(Number(String(d).trim())));
    proc.once('exit', code => reject(new Error(`bare forwarder exited with ${code}`)));
  });
  return { proc, origin: `http://127.0.0.1:${port}` };
}

/**
 * Sequential latencies of all targets, interleaved in blocks so all see the same machine load, and the
 * CPU seconds of each target's process (`pids` by target name) during its own blocks only: what a
 * process does in the background (timers, probes) is then spread over its own requests' time, not over
 * the whole run's. The order of the targets turns by one each round: in a fixed order the target right
 * after `direct` came out about 0.1 ms slower at p50 than the same build two places later.
 */
async function sequential(targets, pids) {
  const samples = Object.fromEntries(Object.keys(targets).map(k => [k, []]));
  const cpu = Object.fromEntries(Object.keys(pids).map(k => [k, 0]));
  const entries = Object.entries(targets);
  for (let block = 0; block < requestCount / 100; block++) {
    const turn = block % entries.length;
    for (const [name, t] of [...entries.slice(turn), ...entries.slice(0, turn)]) {
      const cpuBefore = pids[name] && cpuSeconds(pids[name]);
      for (let i = 0; i < 100; i++) {
        const start = performance.now();
        await t.call();
        samples[name].push(performance.now() - start);
      }
      if (pids[name]) cpu[name] += cpuSeconds(pids[name]) - cpuBefore;
    }
  }
  return { samples, cpu };
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

/**
 * The peer MLServer: the service's model servers listen on a private Unix socket and answer only requests
 * carrying their secret, which stays inside the service. So the bench starts its own MLServer the same way
 * (the service's launcher, the deployment's own settings folder, a secret on stdin) and calls it directly.
 */
async function peerServer(folder) {
  const { SERVE_SCRIPT, mlserverPython } = await import(path.join(repo, 'server-proxy', 'dist', 'serving', 'modelServer.js'));
  const mlserver = process.env.LAKETAHOE_MLSERVER ?? path.join(repo, '.venv-serving', 'bin', 'mlserver');
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-bench-'));
  const socket = path.join(socketDir, 'peer.sock');
  const secret = crypto.randomBytes(32).toString('hex');
  // Detached like the service's own servers (a session of its own): on a loaded Linux machine with
  // autogrouped scheduling, a server in the caller's session answered several times faster than one in
  // its own, which made the peer paths look faster than the proxied one for reasons outside any proxy.
  const proc = spawn(mlserverPython(mlserver), [SERVE_SCRIPT, folder, socket], { cwd: folder, detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  proc.stdin.end(`${secret}\n`);
  const probe = new Pool('http://localhost', { socketPath: socket, connections: 1 });
  const readyBy = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the peer MLServer exited with ${proc.exitCode}`);
    if (Date.now() > readyBy) throw new Error('the peer MLServer was not ready within 120 s');
    try {
      const res = await probe.request({ method: 'GET', path: '/v2/models/iris/ready', headers: { 'x-laketahoe-server-secret': secret } });
      await res.body.dump();
      if (res.statusCode === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise(r => setTimeout(r, 250));
  }
  await probe.close();
  const stop = () => {
    proc.kill('SIGTERM');
    fs.rmSync(socketDir, { recursive: true, force: true });
  };
  return { socket, secret, stop };
}

/** Registers the iris model and deploys it as `bench`; resolves once READY. */
async function deployBench(api) {
  await api('POST', '/models', { path: 'models/iris' });
  await api('POST', '/deployments', { name: 'bench', model: { name: 'iris' } });
  let deployment;
  const readyBy = Date.now() + 120_000;
  do {
    await new Promise(r => setTimeout(r, 250));
    deployment = await api('GET', '/deployments/bench');
    if (deployment.state === 'FAILED') throw new Error(deployment.errorMessage);
  } while (deployment.state !== 'READY' && Date.now() < readyBy);
}

const { dir, url, api, stop, pid } = await startBenchService({ prefix: 'laketahoe-bench-serving-', token, user, logLevel });
let upstream;
let baseline;
try {
  await deployBench(api);
  if (baselineDist) {
    baseline = await startBenchService({ prefix: 'laketahoe-bench-baseline-', token, user, logLevel, dist: baselineDist });
    await deployBench(baseline.api);
  }
  upstream = await peerServer(path.join(dir, '.laketahoe', 'deployments', user, 'bench', '1'));
  const direct = target('http://localhost', '/v2/models/iris/infer', { 'x-laketahoe-server-secret': upstream.secret }, upstream.socket);
  const proxied = target(url, '/api/v1/deployments/bench/v2/models/iris/infer', { authorization: `Bearer ${token}` });
  const before = baseline && target(baseline.url, '/api/v1/deployments/bench/v2/models/iris/infer', { authorization: `Bearer ${token}` });
  const bare = await bareForwarder(upstream);
  const floor = target(bare.origin, '/v2/models/iris/infer');
  const targets = { direct, proxied, ...(before ? { before } : {}), floor };
  for (let i = 0; i < 200; i++) {
    for (const t of Object.values(targets)) await t.call();
  }
  const pids = { proxied: pid, floor: bare.proc.pid, ...(baseline ? { before: baseline.pid } : {}) };
  const { samples: lat, cpu } = await sequential(targets, pids);
  // CPU per request of each hop, less sensitive to a busy machine than its latency.
  const cpuUs = Object.fromEntries(Object.entries(cpu).map(([k, seconds]) => [k, (seconds / requestCount) * 1e6]));
  const stats = s => {
    const sorted = [...s].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  const d = stats(lat.direct);
  const p = stats(lat.proxied);
  const b = stats(lat.floor);
  const old = before && stats(lat.before);
  const rpsDirect = await throughput(direct);
  const rpsProxied = await throughput(proxied);
  const rpsBefore = before && (await throughput(before));
  const rpsFloor = await throughput(floor);

  const f = v => v.toFixed(3).padStart(9);
  console.log(`MLServer 1.7.1, scikit-learn LogisticRegression (iris, 2 rows per request); ${requestCount} sequential requests each, ms`);
  console.log(`${''.padEnd(36)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}`);
  console.log(`${'direct to MLServer'.padEnd(36)} ${f(d.p50)} ${f(d.p99)}`);
  console.log(`${'through the service (proxy)'.padEnd(36)} ${f(p.p50)} ${f(p.p99)}`);
  console.log(`${'added by the proxy'.padEnd(36)} ${f(p.p50 - d.p50)} ${f(p.p99 - d.p99)}   (target: p50 well under 1 ms)`);
  console.log(`${'  peer: bare Node forwarder (floor)'.padEnd(36)} ${f(b.p50)} ${f(b.p99)}   adds ${(b.p50 - d.p50).toFixed(3)} ms at p50`);
  if (old) {
    console.log(`${'  baseline build (--baseline)'.padEnd(36)} ${f(old.p50)} ${f(old.p99)}   adds ${(old.p50 - d.p50).toFixed(3)} ms at p50 (${baselineDist})`);
  }
  // The target: the service adds no more than the forwarder. Both "adds" share the direct p50, so their
  // difference is the two paths' p50 difference, given with the interval of its paired blocks.
  console.log(`the service minus the bare forwarder at p50: ${formatDifference(p50Difference(lat.proxied, lat.floor, 100))}`);
  if (before) {
    console.log(`the service minus the baseline build at p50: ${formatDifference(p50Difference(lat.proxied, lat.before, 100))}`);
  }
  const cpuBaseline = before ? `, the baseline build ${cpuUs.before.toFixed(0)} us` : '';
  console.log(`CPU per request (user + system, during its own blocks): the service ${cpuUs.proxied.toFixed(0)} us, the bare forwarder ${cpuUs.floor.toFixed(0)} us${cpuBaseline}`);
  console.log(`load average at the end: ${os.loadavg().map(l => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
  const rpsBaseline = before ? `, baseline build ${rpsBefore.toFixed(0)} req/s` : '';
  console.log(`throughput, ${concurrency} concurrent callers for ${seconds} s: direct ${rpsDirect.toFixed(0)} req/s, through the service ${rpsProxied.toFixed(0)} req/s, bare forwarder ${rpsFloor.toFixed(0)} req/s${rpsBaseline}`);
  for (const t of Object.values(targets)) await t.pool.close();
  bare.proc.kill();
} finally {
  upstream?.stop();
  await baseline?.stop();
  await stop();
}
