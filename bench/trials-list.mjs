// GET /api/v1/jobs/{id}/trials of a 10,000-trial HPO job: every page fetched in turn (as the trials
// browser's listAllTrials does), at page sizes 1,000 and 10,000, p50 of N runs. Beside it: the same
// request on an older build (--dist, the peer), and where one page's time goes inside the service
// (store query, row parsing, presenting, serialization), measured in-process on the same store.
//
// Usage: node bench/trials-list.mjs [--trials 10000] [--runs 9] [--dist <older server-proxy/dist>]
// Needs the built service (cd server-proxy && npm run build). An older build, laid out as the repo is:
//   mkdir -p /tmp/old/server-proxy && cp -r server-proxy/dist server-proxy/package.json /tmp/old/server-proxy/
//   cp package.json /tmp/old/ && ln -s $PWD/server-proxy/node_modules /tmp/old/server-proxy/node_modules
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { jobRecord, random, trial } from './ui/trials-10k/seed.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ours = path.join(repo, 'server-proxy', 'dist');
const require = createRequire(path.join(repo, 'server-proxy', 'package.json'));
const Database = require('better-sqlite3');
const fastJson = require('fast-json-stringify');

const option = name => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const trialCount = Number(option('trials') ?? 10_000);
const runs = Number(option('runs') ?? 9);
const peer = option('dist') ? path.resolve(option('dist')) : undefined;
const user = 'bench';
const jobId = 'hpo10k';
const token = 'bench-token-' + Math.random().toString(36).slice(2);

const p50 = samples => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

async function seed(dataDir) {
  const { openStores } = await import(path.join(ours, 'store/open.js'));
  const { scopedJobKey } = await import(path.join(ours, 'jobs/ids.js'));
  const key = scopedJobKey(user, jobId);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { store } = await openStores({ dataDir });
  const start = Date.UTC(2026, 10, 1);
  await store.createJob(jobRecord(user, key, trialCount, start));
  const rand = random(trialCount);
  const records = [];
  for (let n = 1; n <= trialCount; n++) records.push(trial(user, key, n, start, rand));
  for (let i = 0; i < records.length; i += 1000) await store.createTrials(records.slice(i, i + 1000));
  await store.close();
  return key;
}

/** Starts the service of `dist` on its own copy of the store; resolves to its base URL and process. */
async function startService(dist, dir, seeded) {
  const dataDir = path.join(dir, 'data');
  fs.cpSync(seeded, dataDir, { recursive: true });
  const runtimeFile = path.join(dir, 'runtime.json');
  const child = spawn(
    'node',
    [path.join(dist, 'main.js'), 'serve', '--port', '0', '--root-dir', dir, '--data-dir', dataDir, '--runtime-file', runtimeFile],
    { env: { ...process.env, LAKETAHOE_TOKEN: token, LAKETAHOE_USER: user }, stdio: 'ignore' }
  );
  const deadline = Date.now() + 60_000;
  while (!fs.existsSync(runtimeFile)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the service of ${dist} did not start`);
    await new Promise(r => setTimeout(r, 50));
  }
  return { url: JSON.parse(fs.readFileSync(runtimeFile, 'utf8')).url, child };
}

/** Every page in turn; the milliseconds until the last page is parsed, and the body text of each page. */
async function fetchAll(url, pageSize) {
  const headers = { authorization: `Bearer ${token}` };
  const bodies = [];
  const began = performance.now();
  let pageToken;
  let count = 0;
  do {
    const query = `pageSize=${pageSize}` + (pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : '');
    const res = await fetch(`${url}/api/v1/jobs/${jobId}/trials?${query}`, { headers });
    const text = await res.text();
    if (!res.ok) throw new Error(`${res.status}: ${text.slice(0, 200)}`);
    const page = JSON.parse(text);
    bodies.push(text);
    count += page.trials.length;
    pageToken = page.nextPageToken;
  } while (pageToken);
  const ms = performance.now() - began;
  if (count !== trialCount) throw new Error(`got ${count} trials, expected ${trialCount}`);
  return { ms, bodies };
}

/** Where one page of `pageSize` trials spends its time in-process (our build), p50 of `runs`. */
async function breakdown(dataDir, key, pageSize) {
  const { SqliteStore } = await import(path.join(ours, 'store/sqlite.js'));
  const { TRIAL_COLUMNS } = await import(path.join(ours, 'store/rows.js'));
  const { presentTrial } = await import(path.join(ours, 'orchestration/present.js'));
  const { Trial } = await import(path.join(ours, 'schemas/jobs.js'));
  const { trialPageJson } = await import(path.join(ours, 'orchestration/trialPageJson.js'));
  const store = new SqliteStore(path.join(dataDir, 'laketahoe.db'));
  const db = new Database(path.join(dataDir, 'laketahoe.db'), { readonly: true });
  const stmt = db.prepare(`SELECT ${TRIAL_COLUMNS} FROM trials WHERE job_id = ? AND trial_id > ? ORDER BY trial_id LIMIT ?`);
  const stringify = fastJson({ type: 'object', properties: { trials: { type: 'array', items: Trial }, nextPageToken: { type: 'string' } } });
  const t = { query: [], list: [], present: [], fastJson: [], json: [], rows: [], pageJson: [], parse: [] };
  for (let i = 0; i < runs; i++) {
    let at = performance.now();
    stmt.all(key, 0, pageSize + 1);
    t.query.push(performance.now() - at);
    at = performance.now();
    const page = await store.listTrials({ jobId: key, pageSize });
    t.list.push(performance.now() - at);
    at = performance.now();
    const shown = { ...page, trials: page.trials.map(presentTrial) };
    t.present.push(performance.now() - at);
    at = performance.now();
    stringify(shown);
    t.fastJson.push(performance.now() - at);
    at = performance.now();
    JSON.stringify(shown);
    t.json.push(performance.now() - at);
    at = performance.now();
    const rows = await store.listTrialRows({ jobId: key, pageSize });
    t.rows.push(performance.now() - at);
    at = performance.now();
    const text = trialPageJson(rows, jobId);
    t.pageJson.push(performance.now() - at);
    at = performance.now();
    JSON.parse(text);
    t.parse.push(performance.now() - at);
    t.bytes = Buffer.byteLength(text);
  }
  db.close();
  await store.close();
  return t;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-trials-bench-'));
const services = [];
try {
  const seeded = path.join(dir, 'seeded');
  const key = await seed(seeded);
  const builds = [{ name: 'ours', dist: ours }];
  if (peer) builds.push({ name: 'peer', dist: peer });
  for (const build of builds) {
    const service = await startService(build.dist, path.join(dir, build.name), seeded);
    services.push(service);
    build.url = service.url;
    build.samples = { 1000: [], 10000: [] };
  }
  // Warm-up, and the same bytes from both builds.
  for (const pageSize of [1000, 10000]) {
    const answers = [];
    for (const build of builds) answers.push((await fetchAll(build.url, pageSize)).bodies.join('\n'));
    if (answers.length > 1 && answers[0] !== answers[1]) throw new Error(`the builds answer different bytes at pageSize=${pageSize}`);
  }
  // Interleaved, so load changes on a shared machine hit both builds alike.
  for (let i = 0; i < runs; i++) {
    for (const pageSize of [1000, 10000]) {
      for (const build of builds) build.samples[pageSize].push((await fetchAll(build.url, pageSize)).ms);
    }
  }
  console.log(`GET /api/v1/jobs/${jobId}/trials, all ${trialCount} trials page after page, p50 of ${runs} runs, ms (load ${os.loadavg()[0].toFixed(1)})`);
  console.log(`${''.padEnd(34)}${builds.map(b => b.name.padStart(10)).join('')}`);
  for (const pageSize of [1000, 10000]) {
    const pages = Math.ceil(trialCount / pageSize);
    console.log(`${`pageSize=${pageSize} (${pages} page${pages > 1 ? 's' : ''})`.padEnd(34)}${builds.map(b => p50(b.samples[pageSize]).toFixed(1).padStart(10)).join('')}`);
  }
  if (builds.length > 1) console.log('both builds answered byte-for-byte the same pages');
  for (const pageSize of [1000, 10000]) {
    const t = await breakdown(path.join(dir, 'seeded'), key, pageSize);
    console.log(`one page of ${pageSize} in-process (ours), p50 ms; ${(t.bytes / 2 ** 20).toFixed(1)} MiB of JSON:`);
    console.log(`  SQL rows only, every column              ${p50(t.query).toFixed(1).padStart(8)}`);
    console.log(`  before: store.listTrials (rows + parsing)${p50(t.list).toFixed(1).padStart(8)}`);
    console.log(`  before: presentTrial on each             ${p50(t.present).toFixed(1).padStart(8)}`);
    console.log(`  before: fast-json-stringify, the schema  ${p50(t.fastJson).toFixed(1).padStart(8)}`);
    console.log(`  JSON.stringify, for comparison           ${p50(t.json).toFixed(1).padStart(8)}`);
    console.log(`  now: store.listTrialRows (shown columns) ${p50(t.rows).toFixed(1).padStart(8)}`);
    console.log(`  now: trialPageJson from the stored text  ${p50(t.pageJson).toFixed(1).padStart(8)}`);
    console.log(`  the client's JSON.parse of the page      ${p50(t.parse).toFixed(1).padStart(8)}`);
  }
} finally {
  for (const service of services) service.child.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
}
