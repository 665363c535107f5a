// Shared mode beside personal mode, in one run: 10,000 jobs in the store, then
//  - GET /api/v1/jobs (a page of 100) p50/p99: 2 replicas on PostgreSQL (requests alternate) vs 1 service on SQLite;
//  - submit throughput (concurrent POST /api/v1/jobs, split across the replicas);
//  - push-update latency: a job submitted through one replica, its event read on another replica's
//    stream (PostgreSQL), vs the same process's stream (SQLite);
//  - leader failover: kill -9 of the leader until the follower says it leads.
// Submitted jobs fail at once (the runner's interpreter does not exist): only the API is measured.
//
// Usage: node bench/shared/replicas.mjs [--jobs 10000] [--requests 300] [--submits 300] [--events 100] [--failovers 3]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(repo, 'server-proxy', 'dist');
const { SqliteStore } = await import(path.join(dist, 'store', 'sqlite.js'));
const { PostgresStore } = await import(path.join(dist, 'store', 'postgres', 'store.js'));
const { Database } = await import(path.join(dist, 'store', 'postgres', 'database.js'));
const { startPostgres, stopPostgres } = await import(path.join(repo, 'server-proxy', 'test', 'postgres', 'server.mjs'));

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const jobCount = arg('jobs', 10_000);
const requestCount = arg('requests', 300);
const submitCount = arg('submits', 300);
const eventCount = arg('events', 100);
const failovers = arg('failovers', 3);
const user = 'bench';
const token = 'bench-token-' + Math.random().toString(36).slice(2);
const headers = { authorization: `Bearer ${token}`, 'x-laketahoe-request': '1' };

/** A finished job as the service stores it. */
function job(i) {
  const created = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return {
    jobId: `job_${String(i).padStart(6, '0')}`,
    owner: user,
    state: 'SUCCEEDED',
    createTime: created,
    startTime: created,
    endTime: created,
    errorMessage: '',
    labels: {},
    trainingInput: { scaleTier: 'BASIC', priority: 'middle', args: [], notebook: { path: `nb_${i % 50}.ipynb`, parameters: { lr: 0.01 } } },
    trainingOutput: { completedCells: 9, totalCells: 9, latestMetrics: { accuracy: 0.9 }, resources: { cpu: 1, memoryBytes: 2 ** 31, gpus: [] } },
    stateHistory: [{ state: 'SUCCEEDED', time: created, reason: '' }]
  };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
function row(name, samples) {
  const s = [...samples].sort((a, b) => a - b);
  const f = v => v.toFixed(2).padStart(9);
  return `${name.padEnd(52)} ${f(percentile(s, 50))} ${f(percentile(s, 99))}`;
}
const sleep = ms => new Promise(r => setTimeout(r, ms));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-bench-shared-'));
fs.writeFileSync(path.join(dir, 'nb.ipynb'), JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
const children = [];

/** Starts one service process; resolves with its URL once its runtime file is there. */
async function serve(name, env) {
  const runtimeFile = path.join(dir, `${name}.json`);
  fs.rmSync(runtimeFile, { force: true });
  const child = spawn(
    process.execPath,
    [path.join(dist, 'main.js'), 'serve', '--root-dir', dir, '--data-dir', path.join(dir, `data-${name}`), '--jobs-dir', path.join(dir, 'jobs'),
     '--runtime-file', runtimeFile, '--python', path.join(dir, 'no-such-python'), '--log-level', 'error'],
    { env: { ...process.env, ...env, LAKETAHOE_TOKEN: token, LAKETAHOE_USER: user }, stdio: 'ignore' }
  );
  children.push(child);
  const exited = new Promise(resolve => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!fs.existsSync(runtimeFile)) {
    if (Date.now() > deadline) throw new Error(`${name} did not start`);
    await sleep(50);
  }
  return { name, child, exited, url: JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).url };
}

async function timeLists(targets) {
  const samples = [];
  for (let i = 0; i < requestCount; i++) {
    const start = performance.now();
    const res = await fetch(`${targets[i % targets.length].url}/api/v1/jobs?pageSize=100`, { headers });
    const body = await res.json();
    samples.push(performance.now() - start);
    if (!res.ok || body.jobs.length !== 100) throw new Error(`unexpected list answer ${res.status}`);
  }
  return samples;
}

async function submitThroughput(targets, prefix) {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < submitCount) {
      const i = next++;
      const res = await fetch(`${targets[i % targets.length].url}/api/v1/jobs`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ jobId: `${prefix}_${i}`, trainingInput: { notebook: { path: 'nb.ipynb' } } })
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`submit answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return submitCount / ((performance.now() - start) / 1000);
}

/** Time from sending a submit through `from` to its QUEUED event on `to`'s stream. */
async function pushLatency(from, to, prefix) {
  const abort = new AbortController();
  const res = await fetch(`${to.url}/api/v1/events`, { headers, signal: abort.signal });
  const waiting = new Map();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let i;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = block.split('\n').find(l => l.startsWith('data: '));
          if (block.includes('event: job') && data) {
            const jobId = JSON.parse(data.slice(6)).jobId;
            waiting.get(jobId)?.(performance.now());
            waiting.delete(jobId);
          }
        }
      }
    } catch {
      // aborted
    }
  })();
  await sleep(200);
  const samples = [];
  for (let i = 0; i < eventCount; i++) {
    const jobId = `${prefix}_${i}`;
    const arrived = new Promise(resolve => waiting.set(jobId, resolve));
    const start = performance.now();
    await fetch(`${from.url}/api/v1/jobs`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ jobId, trainingInput: { notebook: { path: 'nb.ipynb' } } })
    }).then(r => r.arrayBuffer());
    samples.push((await Promise.race([arrived, sleep(5000).then(() => NaN)])) - start);
  }
  abort.abort();
  if (samples.some(Number.isNaN)) throw new Error('an event did not arrive within 5 s');
  return samples;
}

const leads = async r => (await (await fetch(`${r.url}/api/v1/info`, { headers })).json()).replica.leader;

try {
  // Personal mode: one process on SQLite.
  const sqlite = new SqliteStore(path.join(dir, 'data-sqlite', 'laketahoe.db'));
  for (let i = 0; i < jobCount; i++) await sqlite.createJob({ job: job(i), runtime: {} });
  await sqlite.close();
  // Shared mode: a PostgreSQL from Debian's packages in a temporary folder, two replicas.
  const url = await startPostgres();
  const db = await Database.open(url);
  const pgStore = new PostgresStore(db);
  for (let i = 0; i < jobCount; i++) await pgStore.createJob({ job: job(i), runtime: {} });
  await pgStore.close();

  const single = await serve('sqlite', {});
  const a = await serve('a', { LAKETAHOE_DATABASE_URL: url });
  const b = await serve('b', { LAKETAHOE_DATABASE_URL: url });
  await timeLists([single]);
  await timeLists([a, b]); // warm-up

  const lines = [
    row('list a page of 100: 1 service, SQLite', await timeLists([single])),
    row('list a page of 100: 2 replicas, PostgreSQL', await timeLists([a, b])),
    row('push update, same process (SQLite)', await pushLatency(single, single, 'push_sqlite')),
    row('push update, replica A -> stream on B (PostgreSQL)', await pushLatency(a, b, 'push_pg'))
  ];
  const sqliteRate = await submitThroughput([single], 'sub_sqlite');
  const pgRate = await submitThroughput([a, b], 'sub_pg');

  // Failover: kill -9 whichever leads; time until the other one says it leads; restart the killed one.
  const failoverMs = [];
  let pair = [a, b];
  for (let i = 0; i < failovers; i++) {
    const leader = (await leads(pair[0])) ? pair[0] : pair[1];
    const follower = leader === pair[0] ? pair[1] : pair[0];
    leader.child.kill('SIGKILL');
    const killed = performance.now();
    await leader.exited;
    while (!(await leads(follower))) await sleep(20);
    failoverMs.push(performance.now() - killed);
    pair = [follower, await serve(`${leader.name}${i}`, { LAKETAHOE_DATABASE_URL: url })];
  }

  console.log(`${jobCount} jobs in each store; ${requestCount} sequential lists, ${eventCount} push events; milliseconds`);
  console.log(`${''.padEnd(52)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}`);
  for (const line of lines) console.log(line);
  console.log(`submit throughput, 8 concurrent clients, ${submitCount} jobs: 1 service on SQLite ${sqliteRate.toFixed(1)} jobs/s, 2 replicas on PostgreSQL ${pgRate.toFixed(1)} jobs/s`);
  console.log(`leader failover after kill -9 (advisory lock), ${failovers} runs: ${failoverMs.map(ms => (ms / 1000).toFixed(2)).join(' s, ')} s`);
} finally {
  for (const child of children) child.kill('SIGKILL');
  stopPostgres();
  fs.rmSync(dir, { recursive: true, force: true });
}
