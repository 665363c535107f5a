// Drift of 100,000 live rows x 50 features against a training baseline: our monitoring module
// (server-proxy/dist) beside numpy/scipy (drift_peer.py: np.histogram + PSI and scipy.stats.ks_2samp
// per feature) on the same data in the same run; then the cost of Monitor.record() per request,
// beside the floor of the prom-client counter and histogram it updates anyway.
//
// Usage: (cd server-proxy && npm run build) && node bench/serving/drift.mjs [--rows 100000] [--features 50] [--repeats 5]
// The peer runs with LAKETAHOE_PYTHON or the repository's .venv, BLAS pinned to one thread.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const dist = path.join(repo, 'server-proxy', 'dist', 'monitoring');
if (!fs.existsSync(path.join(dist, 'monitor.js'))) {
  console.error('build the service first: (cd server-proxy && npm run build)');
  process.exit(2);
}
const { driftReport, prepareBaseline } = await import(path.join(dist, 'drift.js'));
const { RowWindow } = await import(path.join(dist, 'window.js'));
const { Monitor } = await import(path.join(dist, 'monitor.js'));
const { SqliteMonitorStore } = await import(path.join(dist, 'store.js'));
const { SqliteStore } = await import(path.join(repo, 'server-proxy', 'dist', 'store', 'sqlite.js'));
const { EventBus } = await import(path.join(repo, 'server-proxy', 'dist', 'events.js'));
const { createRequire } = await import('node:module');
const promClient = createRequire(path.join(repo, 'server-proxy', 'package.json'))('prom-client');

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const ROWS = arg('rows', 100_000);
const FEATURES = arg('features', 50);
const REPEATS = arg('repeats', 5);
const TRAINING_ROWS = 20_000;

/** Deterministic standard normal values (xorshift + Box-Muller), so every run sees the same data. */
function normals(seed) {
  let s = seed >>> 0 || 1;
  const uniform = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Training data -> baseline.json in the contract's shape; live data shifted on every fifth feature.
const rand = normals(42);
const baseline = { rows: TRAINING_ROWS, features: [] };
const live = new Float64Array(ROWS * FEATURES);
for (let j = 0; j < FEATURES; j++) {
  const train = Float64Array.from({ length: TRAINING_ROWS }, rand).sort();
  const edges = Array.from({ length: 11 }, (_, i) => quantile(train, i / 10));
  const counts = Array(10).fill(0);
  for (const v of train) {
    let b = 0;
    while (b < 9 && v >= edges[b + 1]) b++;
    counts[b]++;
  }
  const sample = Array.from({ length: 1000 }, (_, i) => train[Math.floor((i * TRAINING_ROWS) / 1000)]);
  baseline.features.push({ name: `f${j}`, kind: 'numeric', edges, counts, sample });
  const shift = j % 5 === 0 ? 0.5 : 0;
  for (let r = 0; r < ROWS; r++) live[j * ROWS + r] = rand() + shift;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-drift-bench-'));
try {
  // --- ours: the window as the monitor keeps it, then one drift report ---
  const prepared = prepareBaseline(baseline);
  const window = new RowWindow(
    baseline.features.map(f => ({ name: f.name, kind: 'numeric' })),
    ROWS
  );
  const columns = new Map(baseline.features.map((f, j) => [f.name, live.subarray(j * ROWS, (j + 1) * ROWS)]));
  window.append(Date.now(), { rows: ROWS, columns });
  const config = { numeric: 'psi', categorical: 'js', threshold: 0.2 };
  const ours = [];
  let report;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    report = driftReport(prepared, window, null, config, new Date());
    ours.push((performance.now() - start) / 1000);
  }

  // --- peer: numpy + scipy on the same columns ---
  fs.writeFileSync(path.join(work, 'live.f64'), Buffer.from(live.buffer));
  fs.writeFileSync(path.join(work, 'baseline.json'), JSON.stringify(baseline));
  fs.writeFileSync(path.join(work, 'meta.json'), JSON.stringify({ rows: ROWS, features: FEATURES, repeats: REPEATS }));
  const python = process.env.LAKETAHOE_PYTHON ?? path.join(repo, '.venv', 'bin', 'python');
  const threads = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const peerRun = spawnSync(python, [path.join(here, 'drift_peer.py'), work], { env: { ...process.env, ...threads }, encoding: 'utf8' });
  if (peerRun.status !== 0) {
    throw new Error(`peer failed: ${peerRun.stderr}`);
  }
  const peer = JSON.parse(peerRun.stdout);

  // Same answers? PSI must match to rounding; KS statistic exactly; p-values differ in method
  // (scipy: one-sample Kolmogorov distribution at n = nm/(n+m); ours: its limit).
  let psiGap = 0;
  let ksGap = 0;
  report.features.forEach((f, j) => {
    psiGap = Math.max(psiGap, Math.abs(f.psi - peer.features[j].psi));
    ksGap = Math.max(ksGap, Math.abs(f.ks - peer.features[j].ks));
  });

  console.log(`drift of ${ROWS.toLocaleString('en')} rows x ${FEATURES} features (PSI + KS + Wasserstein per feature; median of ${REPEATS})`);
  console.log(`  ours (server-proxy/src/monitoring)      ${median(ours).toFixed(3)} s   runs: ${ours.map(s => s.toFixed(3)).join(' ')}`);
  console.log(`  numpy histogram + scipy ks_2samp        ${median(peer.seconds).toFixed(3)} s   runs: ${peer.seconds.map(s => s.toFixed(3)).join(' ')}`);
  console.log(`  agreement: max |PSI diff| ${psiGap.toExponential(2)}, max |KS diff| ${ksGap.toExponential(2)}; drifted features ${report.features.filter(f => f.drifted).length}/${FEATURES} (expected ${Math.ceil(FEATURES / 5)})`);

  // --- record(): per-request cost on the proxy's path ---
  const modelDir = path.join(work, 'model');
  fs.mkdirSync(modelDir);
  fs.writeFileSync(path.join(modelDir, 'baseline.json'), JSON.stringify(baseline));
  fs.writeFileSync(
    path.join(modelDir, 'laketahoe-model.json'),
    JSON.stringify({
      signature: {
        inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, FEATURES], features: baseline.features.map(f => ({ name: f.name, kind: 'numeric' })) }],
        outputs: [{ name: 'predict', datatype: 'FP64', shape: [-1] }]
      }
    })
  );
  const store = new SqliteStore(path.join(work, 'bench.db'));
  const monitor = new Monitor({ store: new SqliteMonitorStore(store.database), bus: new EventBus(), evaluateMs: 0 });
  monitor.attach({
    owner: 'bench',
    deployment: 'bench',
    model: 'bench',
    version: 1,
    artifactDir: modelDir,
    monitoring: { windowSeconds: 300, drift: config, alerts: [] }
  });
  const requestOf = rows => {
    const data = Array.from(live.subarray(0, rows * FEATURES));
    return {
      owner: 'bench',
      deployment: 'bench',
      model: 'bench',
      version: 1,
      time: Date.now(),
      latencyMs: 3.2,
      status: 200,
      inputs: [{ name: 'input-0', datatype: 'FP64', shape: [rows, FEATURES], data }],
      outputs: [{ name: 'predict', datatype: 'FP64', shape: [rows], data: Array(rows).fill(1) }]
    };
  };
  const timeRecord = (rows, n) => {
    const s = requestOf(rows);
    for (let i = 0; i < 2000; i++) monitor.record(s); // warm-up
    const start = performance.now();
    for (let i = 0; i < n; i++) monitor.record(s);
    return ((performance.now() - start) * 1000) / n;
  };
  const registry = new promClient.Registry();
  const counter = new promClient.Counter({ name: 'c', help: 'c', labelNames: ['deployment', 'model', 'version', 'status_class'], registers: [registry] });
  const histogram = new promClient.Histogram({ name: 'h', help: 'h', labelNames: ['deployment', 'model', 'version'], registers: [registry] });
  const labels = { deployment: 'bench', model: 'bench', version: '1' };
  const floorStart = performance.now();
  for (let i = 0; i < 100_000; i++) {
    counter.inc({ ...labels, status_class: '2xx' });
    histogram.observe(labels, 0.0032);
  }
  const floor = ((performance.now() - floorStart) * 1000) / 100_000;
  console.log('record() per request (mean; decode tensors, bucket, histogram, window, Prometheus series)');
  console.log(`  1 row x ${FEATURES} features                 ${timeRecord(1, 50_000).toFixed(2)} us`);
  console.log(`  100 rows x ${FEATURES} features              ${timeRecord(100, 2_000).toFixed(2)} us`);
  console.log(`  floor: prom-client counter + histogram only  ${floor.toFixed(2)} us`);
  await monitor.close();
  await store.close();
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
