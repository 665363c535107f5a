// GET /api/v1/jobs with 10,000 jobs in the store: latency percentiles and the service's memory,
// beside the floor it cannot beat: the same page read straight from the SQLite file in-process.
//
// Usage: node bench/list-jobs.mjs [--jobs 10000] [--requests 400]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const service = path.join(repo, 'server-proxy', 'dist', 'main.js');
const { SqliteStore } = await import(path.join(repo, 'server-proxy', 'dist', 'store', 'sqlite.js'));
const Database = createRequire(path.join(repo, 'server-proxy', 'package.json'))('better-sqlite3');

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const jobCount = arg('jobs', 10_000);
const requestCount = arg('requests', 400);
const user = 'bench';
const token = 'bench-token-' + Math.random().toString(36).slice(2);

/** A finished job as the service stores it. */
function job(i) {
  const created = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  const state = i % 7 === 0 ? 'FAILED' : i % 11 === 0 ? 'CANCELLED' : 'SUCCEEDED';
  return {
    jobId: `job_${String(i).padStart(6, '0')}`,
    owner: user,
    state,
    createTime: created,
    startTime: created,
    endTime: created,
    errorMessage: state === 'FAILED' ? 'Cell 3 raised ValueError: bench' : '',
    labels: {},
    trainingInput: {
      scaleTier: 'BASIC',
      priority: 'middle',
      args: [],
      notebook: { path: `notebooks/experiment_${i % 50}.ipynb`, parameters: { lr: 0.01, epochs: 10 }, includeFolder: false }
    },
    trainingOutput: {
      completedCells: 9,
      totalCells: 9,
      latestMetrics: { accuracy: 0.9 },
      resources: { cpu: 1, memoryBytes: 2 ** 31, gpus: [] }
    },
    stateHistory: [
      { state: 'QUEUED', time: created, reason: '' },
      { state: 'RUNNING', time: created, reason: '' },
      { state, time: created, reason: '' }
    ]
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function row(name, samples) {
  const s = [...samples].sort((a, b) => a - b);
  const f = v => v.toFixed(2).padStart(8);
  return `${name.padEnd(44)} ${f(percentile(s, 50))} ${f(percentile(s, 99))} ${f(s[s.length - 1])}`;
}

function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-bench-'));
const dataDir = path.join(dir, 'data');
const store = new SqliteStore(path.join(dataDir, 'laketahoe.db'));
for (let i = 0; i < jobCount; i++) {
  await store.createJob({ job: job(i), runtime: {} });
}
await store.close();

const runtimeFile = path.join(dir, 'runtime.json');
const child = spawn(
  'node',
  [service, 'serve', '--port', '0', '--root-dir', dir, '--data-dir', dataDir, '--runtime-file', runtimeFile],
  { env: { ...process.env, LAKETAHOE_TOKEN: token, LAKETAHOE_USER: user }, stdio: 'ignore' }
);
try {
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(runtimeFile)) {
    if (Date.now() > deadline) throw new Error('the service did not start');
    await new Promise(r => setTimeout(r, 50));
  }
  const { url } = JSON.parse(fs.readFileSync(runtimeFile, 'utf8'));
  const headers = { authorization: `Bearer ${token}` };

  async function timeRequests(query) {
    const samples = [];
    for (let i = 0; i < requestCount; i++) {
      const start = performance.now();
      const res = await fetch(`${url}/api/v1/jobs${query}`, { headers });
      const body = await res.json();
      samples.push(performance.now() - start);
      if (!res.ok || body.jobs.length === 0) throw new Error(`unexpected answer ${res.status}`);
    }
    return samples;
  }

  const db = new Database(path.join(dataDir, 'laketahoe.db'), { readonly: true });
  function timeFloor(limit, state) {
    const sql = state
      ? 'SELECT job FROM jobs WHERE owner = ? AND state = ? ORDER BY create_time DESC, job_id DESC LIMIT ?'
      : 'SELECT job FROM jobs WHERE owner = ? ORDER BY create_time DESC, job_id DESC LIMIT ?';
    const stmt = db.prepare(sql);
    const samples = [];
    for (let i = 0; i < requestCount; i++) {
      const start = performance.now();
      const rows = state ? stmt.all(user, state, limit) : stmt.all(user, limit);
      JSON.stringify({ jobs: rows.map(r => JSON.parse(r.job)) });
      samples.push(performance.now() - start);
    }
    return samples;
  }

  await timeRequests('?pageSize=10'); // warm-up
  const rssBefore = rssMiB(child.pid);
  const lines = [
    row('GET /api/v1/jobs (page of 100)', await timeRequests('')),
    row('  floor: same page from SQLite in-process', timeFloor(100)),
    row('GET /api/v1/jobs?pageSize=1000', await timeRequests('?pageSize=1000')),
    row('  floor: same page from SQLite in-process', timeFloor(1000)),
    row('GET /api/v1/jobs?state=FAILED (page of 100)', await timeRequests('?state=FAILED')),
    row('  floor: same page from SQLite in-process', timeFloor(100, 'FAILED'))
  ];
  db.close();
  console.log(`${jobCount} jobs in the store, ${requestCount} sequential requests each, milliseconds (target p99 < 50 ms)`);
  console.log(`${''.padEnd(44)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}`);
  for (const line of lines) console.log(line);
  console.log(`service RSS: ${rssBefore.toFixed(1)} MiB after start-up, ${rssMiB(child.pid).toFixed(1)} MiB after the requests`);
} finally {
  child.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
}
