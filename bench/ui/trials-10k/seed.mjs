/**
 * Seeds HPO jobs with many finished trials (parameters, final metric, a learning curve each) straight
 * into the service's SQLite store, the file the service opens under `<root>/.laketahoe/`.
 *
 *   node bench/ui/trials-10k/seed.mjs <root-dir> <owner> <jobId>:<trials> [...]
 *
 * Needs the built service (cd server-proxy && npm run build).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../../../server-proxy/dist');
const { openStores } = await import(path.join(dist, 'store/open.js'));

/** A deterministic generator, so two runs seed the same trials. */
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PARAMS = [
  { parameterName: 'learning_rate', type: 'DOUBLE', minValue: 1e-5, maxValue: 1e-1, scaleType: 'UNIT_LOG_SCALE' },
  { parameterName: 'batch_size', type: 'DISCRETE', discreteValues: [16, 32, 64, 128, 256] },
  { parameterName: 'layers', type: 'INTEGER', minValue: 1, maxValue: 8 },
  { parameterName: 'dropout', type: 'DOUBLE', minValue: 0, maxValue: 0.6 },
  { parameterName: 'optimizer', type: 'CATEGORICAL', categoricalValues: ['adam', 'sgd', 'rmsprop'] }
];
/** Intermediate values per trial (a learning curve of 20 points). */
const STEPS = 20;

/** The job record of a finished HPO job of `count` trials. */
export function jobRecord(owner, jobId, count, start) {
  const time = new Date(start).toISOString();
  const end = new Date(start + count * 1000).toISOString();
  return {
    job: {
      jobId,
      owner,
      state: 'SUCCEEDED',
      createTime: time,
      startTime: time,
      endTime: end,
      errorMessage: '',
      labels: { bench: 'trials-10k' },
      trainingInput: {
        notebook: { path: 'bench.ipynb' },
        hyperparameters: {
          goal: 'MAXIMIZE',
          hyperparameterMetricTag: 'accuracy',
          maxTrials: count,
          maxParallelTrials: 50,
          params: PARAMS
        }
      },
      trainingOutput: {
        completedCells: 1,
        totalCells: 1,
        latestMetrics: {},
        exitCode: 0,
        hyperparameterMetricTag: 'accuracy',
        resources: { cpu: 1, memoryBytes: 1, gpus: [] }
      },
      stateHistory: [{ state: 'SUCCEEDED', time: end, reason: 'seeded for the trials bench' }]
    },
    runtime: { workdir: `/jobs/${jobId}`, plan: { kind: 'notebook' }, request: { cpu: 1, memoryBytes: 1, gpu: 0 } }
  };
}

/** Trial `n` of a job: a noisy accuracy that depends on the parameters, 5% failed, 20% stopped early. */
export function trial(owner, jobId, n, start, rand) {
  const lr = 10 ** (-5 + 4 * rand());
  const batch = [16, 32, 64, 128, 256][Math.floor(rand() * 5)];
  const layers = 1 + Math.floor(rand() * 8);
  const dropout = 0.6 * rand();
  const optimizer = ['adam', 'sgd', 'rmsprop'][Math.floor(rand() * 3)];
  const quality =
    0.95 - 0.08 * Math.abs(Math.log10(lr) + 3) - 0.02 * Math.abs(layers - 4) - 0.1 * Math.abs(dropout - 0.2) +
    (optimizer === 'adam' ? 0.02 : 0) - 0.03 * rand();
  const failed = rand() < 0.05;
  const stopped = !failed && rand() < 0.2;
  const steps = failed ? 3 : stopped ? 8 : STEPS;
  const allMetrics = [];
  for (let s = 1; s <= steps; s++) {
    const value = quality * (1 - Math.exp(-s / 4)) + 0.01 * (rand() - 0.5);
    allMetrics.push({ trainingStep: s * 100, objectiveValue: Number(value.toFixed(5)) });
  }
  const last = allMetrics[allMetrics.length - 1];
  const begin = start + n * 1000;
  return {
    owner,
    trial: {
      jobId,
      trialId: String(n),
      state: failed ? 'FAILED' : 'SUCCEEDED',
      hyperparameters: { learning_rate: Number(lr.toPrecision(6)), batch_size: batch, layers, dropout: Number(dropout.toFixed(4)), optimizer },
      finalMetric: failed ? null : last,
      allMetrics,
      isTrialStoppedEarly: stopped,
      createTime: new Date(begin).toISOString(),
      startTime: new Date(begin).toISOString(),
      endTime: new Date(begin + 60_000 + Math.floor(rand() * 600_000)).toISOString(),
      errorMessage: failed ? 'seeded failure' : ''
    },
    runtime: { output: {}, queue: { priority: 'middle', order: n } }
  };
}

async function main() {
  const [root, owner, ...jobs] = process.argv.slice(2);
  if (!root || !owner || jobs.length === 0) {
    console.error('usage: seed.mjs <root-dir> <owner> <jobId>:<trials> [...]');
    process.exit(2);
  }
  const dataDir = path.join(root, '.laketahoe');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { store } = await openStores({ dataDir });
  const start = Date.UTC(2026, 10, 1);
  for (const spec of jobs) {
    const [jobId, countText] = spec.split(':');
    const count = Number(countText);
    const began = Date.now();
    await store.createJob(jobRecord(owner, jobId, count, start));
    const rand = random(count);
    const records = [];
    for (let n = 1; n <= count; n++) {
      records.push(trial(owner, jobId, n, start, rand));
    }
    for (let i = 0; i < records.length; i += 1000) {
      await store.createTrials(records.slice(i, i + 1000));
    }
    console.log(`seeded ${jobId}: ${count} trials in ${Date.now() - began} ms`);
  }
  await store.close();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
