// Drives our HPO engine (compiled by run.sh into .build/) over the problems
// in problems.json and writes raw results as JSON for report.py.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const args = Object.fromEntries(
  process.argv.slice(2).map(a => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v];
  })
);
const SEEDS = Number(args.seeds ?? 20);
// --seedFrom=N runs seeds N..N+SEEDS-1 (a second set of seeds to check a change against).
const SEED_FROM = Number(args.seedFrom ?? 0);
const TRIALS = Number(args.trials ?? 60);
const OUT = args.out ?? 'ours.json';
// --engine=DIR runs another build of the engine (e.g. a copy of .build from
// before a change) for before/after comparisons.
const ENGINE = args.engine
  ? pathToFileURL(`${args.engine}/hpo/index.js`)
  : new URL('./.build/hpo/index.js', import.meta.url);
const { createRng, createSuggester, RandomSearch, resolveSpace } = await import(
  ENGINE.href
);
const cfg = JSON.parse(
  readFileSync(new URL('./problems.json', import.meta.url), 'utf8')
);
// --problems=levy6,branin or --set=multimodal narrow the run while iterating.
const PROBLEMS = cfg.problems.filter(
  p =>
    (!args.problems || args.problems.split(',').includes(p.name)) &&
    (!args.set || p.set === args.set)
);
const BATCHES = (args.batches ?? '1,4').split(',').map(Number);

const HART_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14]
];
const HART_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381]
].map(r => r.map(v => v * 1e-4));
const HART_ALPHA = [1.0, 1.2, 3.0, 3.2];
const OPT_SHIFT = { sgd: -1.5, adam: -3, rmsprop: -3.5 };
const OPT_OFFSET = { sgd: 0.3, adam: 0, rmsprop: 0.1 };
const SCHWEFEL_C = 418.9828872724338;

/** Objective functions; must match peers.py exactly. */
const FUNCTIONS = {
  branin: x => {
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (
      (x[1] - b * x[0] ** 2 + c * x[0] - 6) ** 2 +
      10 * (1 - t) * Math.cos(x[0]) +
      10
    );
  },
  hartmann6: x => {
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++)
        inner += HART_A[i][j] * (x[j] - HART_P[i][j]) ** 2;
      s += HART_ALPHA[i] * Math.exp(-inner);
    }
    return -s;
  },
  rosenbrock4: x => {
    let s = 0;
    for (let i = 0; i < 3; i++)
      s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
    return s;
  },
  ackley5: x => {
    const n = x.length;
    const sq = x.reduce((s, v) => s + v * v, 0) / n;
    const cs = x.reduce((s, v) => s + Math.cos(2 * Math.PI * v), 0) / n;
    return -20 * Math.exp(-0.2 * Math.sqrt(sq)) - Math.exp(cs) + 20 + Math.E;
  },
  mixed: (_x, a) =>
    0.5 * (Math.log10(a.lr) - OPT_SHIFT[a.optimizer]) ** 2 +
    ((a.layers - 4) / 3) ** 2 +
    (Math.log2(a.units / 128) / 2) ** 2 * (a.layers > 4 ? 1.5 : 1) +
    4 * (a.dropout - 0.2) ** 2 +
    OPT_OFFSET[a.optimizer],
  levy6: x => {
    const w = x.map(v => 1 + (v - 1) / 4);
    const d = w.length;
    let s = Math.sin(Math.PI * w[0]) ** 2;
    for (let i = 0; i < d - 1; i++)
      s += (w[i] - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i] + 1) ** 2);
    return (
      s + (w[d - 1] - 1) ** 2 * (1 + Math.sin(2 * Math.PI * w[d - 1]) ** 2)
    );
  },
  rastrigin5: x =>
    10 * x.length +
    x.reduce((s, v) => s + v * v - 10 * Math.cos(2 * Math.PI * v), 0),
  schwefel4: x =>
    SCHWEFEL_C * x.length -
    x.reduce((s, v) => s + v * Math.sin(Math.sqrt(Math.abs(v))), 0),
  michalewicz5: x =>
    -x.reduce(
      (s, v, i) =>
        s + Math.sin(v) * Math.sin(((i + 1) * v * v) / Math.PI) ** 20,
      0
    )
};

function evaluate(problem, a) {
  const x = problem.params.map(p => a[p.parameterName]);
  return FUNCTIONS[problem.name](x, a);
}

function runOnce(problem, seed, batch) {
  const suggester = createSuggester(
    { goal: 'MINIMIZE', params: problem.params },
    { seed }
  );
  const history = [];
  const bestSoFar = [];
  let call = 0;
  while (history.length < TRIALS) {
    const want = Math.min(batch, TRIALS - history.length);
    const points = suggester.suggest(
      history,
      [],
      want,
      createRng(`${seed}/${call++}`)
    );
    for (const a of points) {
      const v = evaluate(problem, a);
      history.push({
        hyperparameters: a,
        state: 'SUCCEEDED',
        objectiveValue: v
      });
      const prev = bestSoFar.length
        ? bestSoFar[bestSoFar.length - 1]
        : Infinity;
      bestSoFar.push(Math.min(prev, v));
    }
  }
  return bestSoFar.map(v => v - problem.fmin);
}

function latency(nHistory, calls) {
  const params = cfg.latency.params;
  const space = resolveSpace(params);
  const rng = createRng(nHistory);
  const f = a =>
    (Math.log10(a.lr) + 3) ** 2 +
    a.dropout +
    (a.layers - 4) ** 2 / 10 +
    (a.optimizer === 'adam' ? 0 : 1);
  const history = new RandomSearch(space)
    .suggest([], [], nHistory, rng)
    .map(a => ({
      hyperparameters: a,
      state: 'SUCCEEDED',
      objectiveValue: f(a)
    }));
  const suggester = createSuggester({ goal: 'MINIMIZE', params }, { seed: 1 });
  const times = [];
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    const [a] = suggester.suggest(history, [], 1, createRng(`lat/${i}`));
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    // The history grows as in a real job, so every call refits the model.
    history.push({
      hyperparameters: a,
      state: 'SUCCEEDED',
      objectiveValue: f(a)
    });
  }
  return times;
}

const results = { method: 'ours', runs: {}, latency: {} };
const t0 = Date.now();
for (const problem of PROBLEMS) {
  for (const batch of BATCHES) {
    const key = `${problem.name}/${batch}`;
    results.runs[key] = [];
    for (let seed = SEED_FROM; seed < SEED_FROM + SEEDS; seed++)
      results.runs[key].push(runOnce(problem, seed, batch));
    process.stderr.write(
      `ours ${key} done at ${((Date.now() - t0) / 1000).toFixed(0)} s\n`
    );
  }
}
const latencyCalls = Number(args.latencyCalls ?? 50);
if (latencyCalls > 0)
  for (const n of [100, 1000]) results.latency[n] = latency(n, latencyCalls);
writeFileSync(OUT, JSON.stringify(results));
