// Champion/challenger traffic through the service's OIP v2 proxy, beside the plain proxy path, in one run:
// the same champion version behind a deployment without a challenger (plain), with a canary challenger
// (weighted split) and with a shadow challenger (every request copied after the answer). Prints p50/p99
// of each and what splitting and mirroring add over the plain path.
//
// Usage: node bench/serving/traffic.mjs [--requests 2000] [--weight 50]
// Needs `make setup` (.venv with scikit-learn, .venv-serving with MLServer, the service built).
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startBenchService } from './service.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Pool } = createRequire(path.join(repo, 'server-proxy', 'package.json'))('undici');

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const requestCount = arg('requests', 2000);
const weight = arg('weight', 50);
const user = 'bench';
const token = 'bench-token-' + Math.random().toString(36).slice(2);
const body = JSON.stringify({
  inputs: [{ name: 'input-0', datatype: 'FP64', shape: [2, 4], data: [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3] }]
});

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const { dir, url, headers, api, stop } = await startBenchService({ prefix: 'laketahoe-bench-traffic-', token, user });
try {
  const until = async (name, ok) => {
    const by = Date.now() + 120_000;
    for (;;) {
      const d = await api('GET', `/deployments/${name}`);
      if (d.state === 'FAILED' || d.challenger?.state === 'FAILED') throw new Error(JSON.stringify(d));
      if (ok(d)) return d;
      if (Date.now() > by) throw new Error(`${name} not ready`);
      await new Promise(r => setTimeout(r, 250));
    }
  };
  await api('POST', '/models', { path: 'models/iris' });
  await api('POST', '/models', { path: 'models/iris-b' });
  await api('POST', '/deployments', { name: 'plain', model: { name: 'iris', version: 1 } });
  await api('POST', '/deployments', { name: 'ab', model: { name: 'iris', version: 1 } });
  await until('plain', d => d.state === 'READY');
  await until('ab', d => d.state === 'READY');
  await api('PATCH', '/deployments/ab', { challenger: { model: { name: 'iris', version: 2 }, mode: 'canary', weight } });
  await until('ab', d => d.challenger?.state === 'READY');

  const pool = new Pool(url, { connections: 4, pipelining: 1 });
  const call = async name => {
    const res = await pool.request({
      method: 'POST',
      path: `/api/v1/deployments/${name}/v2/models/iris/infer`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body
    });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  };
  const mode = m => api('PATCH', '/deployments/ab', { challenger: m === 'canary' ? { mode: 'canary', weight } : { mode: 'shadow' } });
  for (let i = 0; i < 200; i++) {
    await call('plain');
    await call('ab');
  }
  // Blocks of 100 interleaved so every path sees the same machine load; the mode change between blocks
  // is a PATCH (no restart).
  const samples = { plain: [], canary: [], shadow: [] };
  for (let block = 0; block < requestCount / 100; block++) {
    for (const name of ['plain', 'canary', 'shadow']) {
      if (name !== 'plain') {
        await mode(name);
      }
      for (let i = 0; i < 100; i++) {
        const start = performance.now();
        await call(name === 'plain' ? 'plain' : 'ab');
        samples[name].push(performance.now() - start);
      }
    }
  }
  const stats = s => {
    const sorted = [...s].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  const plain = stats(samples.plain);
  const canary = stats(samples.canary);
  const shadow = stats(samples.shadow);
  const comparison = await api('GET', '/deployments/ab/monitoring/versions');

  const f = v => v.toFixed(3).padStart(9);
  console.log(`MLServer, scikit-learn LogisticRegression (iris, 2 rows per request); ${requestCount} sequential requests per path, ms`);
  console.log(`${''.padEnd(44)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}`);
  console.log(`${'plain proxy path (no challenger)'.padEnd(44)} ${f(plain.p50)} ${f(plain.p99)}`);
  console.log(`${`canary ${weight}% (split between two servers)`.padEnd(44)} ${f(canary.p50)} ${f(canary.p99)}`);
  console.log(`${'shadow (copy sent after the answer)'.padEnd(44)} ${f(shadow.p50)} ${f(shadow.p99)}`);
  console.log(`${'added by splitting'.padEnd(44)} ${f(canary.p50 - plain.p50)} ${f(canary.p99 - plain.p99)}`);
  console.log(`${'added by mirroring'.padEnd(44)} ${f(shadow.p50 - plain.p50)} ${f(shadow.p99 - plain.p99)}`);
  console.log(
    `challenger answers (canary share + shadow copies): ${comparison.versions.find(v => v.role === 'challenger')?.requests ?? 0}` +
      ` (dropped: ${comparison.shadowDropped}), agreement ${((comparison.agreement.rate ?? 0) * 100).toFixed(1)}%`
  );
  await pool.close();
} finally {
  await stop();
}
