// The search algorithms' check that a point is new: the keys of every finished trial, built on each
// controller pass. Before: a key string built per finished trial per pass (the function as it was,
// kept here); after: `usedKeys` as shipped, which remembers each finished point's key. Same process,
// interleaved, median of 100 passes.
//
// Usage: node bench/hpo-used-keys.mjs [--dist server-proxy/dist]   (build the service first)
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--dist');
const dist = path.resolve(at > 0 ? process.argv[at + 1] : path.join(repo, 'server-proxy', 'dist'));
const { usedKeys } = await import(pathToFileURL(path.join(dist, 'hpo', 'suggester.js')).href);
const { resolveSpace, assignmentKey } = await import(pathToFileURL(path.join(dist, 'hpo', 'index.js')).href);

function usedKeysBefore(space, history, pending) {
  const used = new Set();
  for (const t of history) used.add(assignmentKey(space, t.hyperparameters));
  for (const a of pending) used.add(assignmentKey(space, a));
  return used;
}

const params = [
  { parameterName: 'lr', type: 'DOUBLE', minValue: 0.001, maxValue: 0.1, scaleType: 'UNIT_LOG_SCALE' },
  { parameterName: 'layers', type: 'INTEGER', minValue: 1, maxValue: 8 }
];
for (const n of [1000, 5000, 10000]) {
  const history = Array.from({ length: n }, (_, i) => ({ hyperparameters: { lr: Math.random() * 0.1, layers: 1 + (i % 8) } }));
  const pending = Array.from({ length: 50 }, () => ({ lr: Math.random() * 0.1, layers: 1 }));
  const out = [];
  for (const [label, f] of [['before', usedKeysBefore], ['after', usedKeys], ['before', usedKeysBefore], ['after', usedKeys]]) {
    // A new space per pass, as the controller resolves it each time.
    for (let w = 0; w < 10; w++) f(resolveSpace(params), history, pending);
    const times = [];
    for (let r = 0; r < 100; r++) {
      const t0 = performance.now();
      f(resolveSpace(params), history, pending);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out.push(`${label} ${times[50].toFixed(2)} ms`);
  }
  console.log(`${n} finished trials, 50 pending: ${out.join(', ')}`);
}
