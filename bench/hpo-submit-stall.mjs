// How long a 1,000-parallel-trial HPO submit holds the service: the slowest GET /api/v1/info answered
// while the submit is handled and its trials are created (pings every 5 ms for 8 s).
//
// Usage: node bench/hpo-submit-stall.mjs [--dist server-proxy/dist] [--trials 1000]
// Pass another checkout's dist (e.g. a build of main) to compare.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const opt = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const dist = path.resolve(opt('dist', path.join(repo, 'server-proxy', 'dist')));
const trials = Number(opt('trials', 1000));
const token = 'bench-token-' + Math.random().toString(36).slice(2);
const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-bench-')));
const runtimeFile = path.join(root, 'runtime.json');
fs.writeFileSync(
  path.join(root, 'nb.ipynb'),
  JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: 'a', cell_type: 'code', metadata: { tags: ['parameters'] }, source: 'x = 0.0', outputs: [], execution_count: null }] })
);

// An "interpreter" that only waits, on one CPU: the first trial holds it and the rest queue, so the
// cost measured is creating the trials.
const waiter = path.join(root, 'wait.sh');
fs.writeFileSync(waiter, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
const child = spawn(
  process.execPath,
  [path.join(dist, 'main.js'), 'serve', '--root-dir', root, '--runtime-file', runtimeFile, '--log-level', 'warn', '--cpus', '1', '--python', waiter],
  { env: { ...process.env, LAKETAHOE_TOKEN: token, LAKETAHOE_USER: 'bench' }, stdio: ['ignore', 'ignore', 'inherit'] }
);
const exited = new Promise(resolve => child.once('exit', resolve));
while (!fs.existsSync(runtimeFile)) {
  await new Promise(r => setTimeout(r, 100));
}
await new Promise(r => setTimeout(r, 300));
const url = JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).url;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

let worst = 0;
let pings = 0;
let pinging = true;
const pinger = (async () => {
  while (pinging) {
    const t0 = performance.now();
    await fetch(`${url}/api/v1/info`, { headers });
    worst = Math.max(worst, performance.now() - t0);
    pings += 1;
    await new Promise(r => setTimeout(r, 5));
  }
})();
await new Promise(r => setTimeout(r, 500));
const baseline = worst;
worst = 0;
const t0 = performance.now();
const res = await fetch(`${url}/api/v1/jobs`, {
  method: 'POST',
  headers,
  body: JSON.stringify({
    trainingInput: {
      notebook: { path: 'nb.ipynb' },
      hyperparameters: {
        goal: 'MAXIMIZE', hyperparameterMetricTag: 'score', maxTrials: trials, maxParallelTrials: trials, maxFailedTrials: 10000,
        algorithm: 'RANDOM_SEARCH', params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }]
      }
    }
  })
});
const submitMs = performance.now() - t0;
const job = await res.json();
if (res.status !== 201) {
  console.error(JSON.stringify(job));
}
await new Promise(r => setTimeout(r, 8000));
pinging = false;
await pinger;
const listed = await (await fetch(`${url}/api/v1/jobs/${job.jobId}/trials?pageSize=10000`, { headers })).json();
console.log(JSON.stringify({
  dist, trials, submitStatus: res.status, submitMs: Math.round(submitMs), worstInfoMsBefore: Math.round(baseline),
  worstInfoMsDuring: Math.round(worst), pings, trialsCreated: listed.trials?.length
}));
child.kill('SIGTERM');
await exited;
fs.rmSync(root, { recursive: true, force: true });
