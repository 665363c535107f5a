// CPU the service spends recording one answered inference request (the monitor's buckets, Prometheus
// metrics and drift windows, the per-version figures), without the network: this build beside another
// (`--baseline`, e.g. main's build before a change) and beside an empty recorder (the loop's own cost),
// in alternating blocks of one run so that the machine's load falls on each alike.
//
// Usage: node bench/serving/recording.mjs [--requests 20000] [--blocks 6] [--flush-every 3000] [--baseline server-proxy/<folder>/dist]
// (--flush-every: requests between two rounds of the monitor's timer, which writes the queued rows and
// computes drift; 3,000 is 5 s at 600 requests/s, what the latency bench's service sees.)
// Needs `make setup` (.venv with scikit-learn, for the iris model and its drift baseline) and the service built.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : fallback);
const requests = Number(arg('requests', 20000));
const blocks = Number(arg('blocks', 6));
const baselineDist = arg('baseline', undefined);
const flushEvery = Number(arg('flush-every', 3000));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-bench-recording-'));
execFileSync(path.join(repo, '.venv', 'bin', 'python'), [path.join(repo, 'server-proxy', 'test', 'serving', 'make_models.py'), path.join(dir, 'models')]);

// The bodies the latency bench sends and MLServer answers (iris, 2 rows).
const requestBody = Buffer.from(
  JSON.stringify({ inputs: [{ name: 'input-0', datatype: 'FP64', shape: [2, 4], data: [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3] }] })
);
const responseBody = Buffer.from(
  JSON.stringify({
    model_name: 'iris',
    id: '8c4a8d1e-2f0b-4a57-9a0e-3c1f1d2b9f10',
    parameters: {},
    outputs: [{ name: 'predict', shape: [2, 1], datatype: 'INT64', parameters: { content_type: 'np' }, data: [0, 2] }]
  })
);

// The store is only written on a flush (the evaluation timer, off here): a no-op store keeps I/O out.
const store = new Proxy({}, { get: () => async () => [] });

/** The recording of one build, with the iris deployment watched (baseline present, so drift is on). */
async function recordingOf(dist) {
  const load = file => import(pathToFileURL(path.join(path.resolve(repo, dist), file)).href);
  const [{ Monitor }, { VersionMonitor }, { InferenceRecording }, { EventBus }, { DEFAULT_MONITORING }] = await Promise.all([
    load('monitoring/monitor.js'),
    load('monitoring/versions.js'),
    load('api/inferenceRecording.js'),
    load('events.js'),
    load('schemas/serving.js')
  ]);
  const monitor = new Monitor({ store, bus: new EventBus(), evaluateMs: 0 });
  monitor.attach({ owner: 'bench', deployment: 'bench', model: 'iris', version: 1, artifactDir: path.join(dir, 'models', 'iris'), monitoring: DEFAULT_MONITORING });
  const recording = new InferenceRecording({ deployments: { runner: () => undefined }, recorder: monitor, versions: new VersionMonitor() });
  return { answered: (pending, status, latencyMs) => recording.answered(pending, status, latencyMs), round: () => monitor.evaluateAll() };
}

const serving = { model: 'iris', version: 1 };
const nextTurn = () => new Promise(resolve => setImmediate(resolve));

/** CPU microseconds per request over `requests` requests, each recorded in its own turn as under sequential load. */
async function block({ answered, round }) {
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    if (i % flushEvery === flushEvery - 1) {
      await round();
    }
    answered(
      { owner: 'bench', deployment: 'bench', time: Date.now(), serving, role: 'champion', mirrors: [], urlPath: '/v2/models/iris/infer', requestBody, responseBody },
      200,
      1 + (i % 7) / 10
    );
    await nextTurn();
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests;
}

const targets = [
  ['this build', await recordingOf('server-proxy/dist')],
  ...(baselineDist ? [[`baseline build (${baselineDist})`, await recordingOf(baselineDist)]] : []),
  ['empty recorder (the loop alone)', { answered: () => undefined, round: async () => undefined }]
];
const results = new Map(targets.map(([name]) => [name, []]));
for (const [, recording] of targets) {
  await block(recording); // Warm-up: JIT and the windows' first rows.
}
for (let b = 0; b < blocks; b++) {
  for (const [name, recording] of b % 2 ? [...targets].reverse() : targets) {
    results.get(name).push(await block(recording));
  }
}
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const floor = median(results.get('empty recorder (the loop alone)'));
console.log(`recording one answered iris request (drift on), ${blocks} blocks of ${requests}, a timer round every ${flushEvery}; CPU us per request, median of blocks`);
for (const [name] of targets) {
  const m = median(results.get(name));
  console.log(`${name.padEnd(60)} ${m.toFixed(2).padStart(8)}${name.startsWith('empty') ? '' : `   recording alone ${(m - floor).toFixed(2)}`}`);
}
console.log(`load average at the end: ${os.loadavg().map(x => x.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
fs.rmSync(dir, { recursive: true, force: true });
