// One GET /api/v1/jobs/{id}/logs?limit=10000 over a job whose log is 10,000 lines of 64 KiB (the longest a
// runner line is kept), and the service's resident memory before it and at its peak (VmHWM).
//
// Usage: node bench/log-page-rss.mjs [--dist server-proxy/dist] [--lines 10000] [--line-bytes 65535]
// Pass another checkout's dist (e.g. a build of main) to compare.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const opt = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const dist = path.resolve(opt('dist', path.join(repo, 'server-proxy', 'dist')));
const lines = Number(opt('lines', 10_000));
const lineBytes = Number(opt('line-bytes', 65_535));
const Database = createRequire(path.join(repo, 'server-proxy', 'package.json'))('better-sqlite3');
const token = 'bench-token-' + Math.random().toString(36).slice(2);
const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-bench-')));
const runtimeFile = path.join(root, 'runtime.json');

async function start() {
  fs.rmSync(runtimeFile, { force: true });
  const child = spawn(process.execPath, [path.join(dist, 'main.js'), 'serve', '--root-dir', root, '--runtime-file', runtimeFile, '--log-level', 'warn'], {
    env: { ...process.env, LAKETAHOE_TOKEN: token, LAKETAHOE_USER: 'bench' },
    stdio: ['ignore', 'ignore', 'inherit']
  });
  const exited = new Promise(resolve => child.once('exit', resolve));
  while (!fs.existsSync(runtimeFile)) {
    await new Promise(r => setTimeout(r, 100));
  }
  await new Promise(r => setTimeout(r, 200));
  return { child, exited, url: JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).url };
}

function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = key => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)[1]);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

// First start creates the database; then the job and its log are written straight into it.
let svc = await start();
svc.child.kill('SIGTERM');
await svc.exited;
const db = new Database(path.join(root, '.laketahoe', 'laketahoe.db'));
const now = new Date().toISOString();
const job = {
  jobId: 'noisy', owner: 'bench', state: 'SUCCEEDED', createTime: now, startTime: now, endTime: now, errorMessage: '', labels: {},
  trainingInput: { scaleTier: 'BASIC', notebook: { path: 'x.ipynb' }, backend: 'local' },
  trainingOutput: { completedCells: 0, totalCells: 0, latestMetrics: {}, exitCode: 0, resources: { cpu: 1, memoryBytes: 1, gpus: [] } },
  stateHistory: []
};
db.prepare('INSERT INTO jobs (job_id, owner, state, create_time, job, runtime) VALUES (?, ?, ?, ?, ?, ?)').run('noisy', 'bench', 'SUCCEEDED', now, JSON.stringify(job), '{}');
const insert = db.prepare('INSERT INTO job_logs (job_id, seq, time, stream, text) VALUES (?, ?, ?, ?, ?)');
const text = 'x'.repeat(lineBytes);
db.transaction(() => {
  for (let i = 1; i <= lines; i++) {
    insert.run('noisy', i, now, 'stdout', text);
  }
})();
db.close();

svc = await start();
const before = memory(svc.child.pid);
const t0 = performance.now();
const res = await fetch(`${svc.url}/api/v1/jobs/noisy/logs?limit=10000`, { headers: { authorization: `Bearer ${token}` } });
const body = await res.text();
const ms = Math.round(performance.now() - t0);
const after = memory(svc.child.pid);
const page = JSON.parse(body);
console.log(JSON.stringify({
  dist, lines, lineBytes, status: res.status, pageLines: page.lines.length, pageMb: +(body.length / 2 ** 20).toFixed(1), ms,
  rssBeforeMb: before.rssMb, rssAfterMb: after.rssMb, peakRssMb: after.peakMb
}));
svc.child.kill('SIGTERM');
await svc.exited;
fs.rmSync(root, { recursive: true, force: true });
