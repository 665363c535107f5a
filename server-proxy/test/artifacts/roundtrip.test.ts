import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { IngestError, INPUTS, ingestRun, MANIFEST, runGrant, runPrefix, type RunGrant } from '../../src/artifacts/runs.js';
import type { S3ArtifactStore } from '../../src/artifacts/s3.js';
import { writeTar } from '../../src/artifacts/tar.js';
import { readSavedModel } from '../../src/serving/savedModel.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startS3Server, type S3Server } from '../helpers/s3server.js';
import { PYTHON, runnerEnv, tempRoot } from '../helpers/service.js';

// The pod side without a cluster: `python -m laketahoe.runner` with a grant of presigned URLs from the
// service, against a real S3-compatible server; then the service's ingest into a run folder.
let server: S3Server;
let store: S3ArtifactStore;
let root: string;
const limits = { maxBytes: 64 * 1024 * 1024, maxFiles: 1000 };

// Starting the server may first build it (tools/s3/build.sh, minutes on a cold machine).
beforeAll(() => {
  server = startS3Server();
  store = server.store();
  root = tempRoot();
}, 600_000);

afterAll(() => {
  server?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A pod's folders: the notebook where the ConfigMap would be, and an empty working folder. */
function podFolders(name: string, sources: string[]): { input: string; work: string; notebook: string } {
  const input = path.join(root, name, 'input');
  const work = path.join(root, name, 'work');
  fs.mkdirSync(work, { recursive: true });
  const notebook = path.join(input, 'train.ipynb');
  writeNotebook(notebook, sources, 'C = 1.0');
  return { input, work, notebook };
}

/** Runs the runner as the pod would: in its working folder, with the grant file. */
function runPod(work: string, notebook: string, grant: RunGrant | string): { status: number | null; stdout: string; exit: { exitCode: number; reason: string } } {
  const grantFile = path.join(path.dirname(work), 'grant.json');
  fs.writeFileSync(grantFile, typeof grant === 'string' ? grant : JSON.stringify(grant));
  const res = spawnSync(
    PYTHON,
    ['-m', 'laketahoe.runner', 'notebook', '--input', notebook, '--output', path.join(work, 'output.ipynb'), '--html', path.join(work, 'output.html'),
      '--parameters-json', '{"C": 0.5}', '--cwd', work, '--status-file', path.join(work, 'exit.json'), '--artifacts', grantFile],
    { cwd: work, env: { ...runnerEnv(), LAKETAHOE_EVENTS_FILE: path.join(path.dirname(work), 'events.jsonl') }, encoding: 'utf8', timeout: 120_000 }
  );
  return { status: res.status, stdout: res.stdout + res.stderr, exit: JSON.parse(fs.readFileSync(path.join(work, 'exit.json'), 'utf8')) };
}

const TRAIN = [
  [
    'import laketahoe, numpy as np',
    'from sklearn.linear_model import LogisticRegression',
    "rows = [line.split(',') for line in open('data/points.csv').read().split()]",
    'X = np.array([[float(a), float(b)] for a, b, _ in rows]); y = np.array([int(c) for _, _, c in rows])',
    'model = LogisticRegression(C=C).fit(X, y)',
    "laketahoe.report(step=1, accuracy=float(model.score(X, y)))",
    "laketahoe.save_model(model, 'points', X, y)",
    "open('notes.txt', 'w').write('written by the notebook')"
  ].join('\n')
];

describe('outputs travel from the runner to the run folder through the object store', () => {
  const owner = 'alice';
  const runId = 'roundtrip_job';
  let grant: RunGrant;
  let work: string;
  let runDir: string;

  beforeAll(async () => {
    const pod = podFolders('pod-a', TRAIN);
    work = pod.work;
    // The service's input snapshot (includeFolder): a data file in a sub-folder.
    const src = path.join(root, 'pod-a', 'src');
    fs.mkdirSync(path.join(src, 'data'), { recursive: true });
    fs.writeFileSync(path.join(src, 'data', 'points.csv'), ['0,0,0', '0,1,0', '1,0,0', '3,3,1', '3,4,1', '4,3,1'].join('\n'));
    writeTar([{ name: 'data/points.csv', file: path.join(src, 'data', 'points.csv') }], path.join(root, 'pod-a', INPUTS));
    const inputsKey = runPrefix(owner, runId) + INPUTS;
    await store.putFile(inputsKey, path.join(root, 'pod-a', INPUTS));
    grant = await runGrant(store, owner, runId, inputsKey, 600);
    const res = runPod(work, pod.notebook, grant);
    expect(res.exit).toEqual({ exitCode: 0, reason: '' });
    expect(res.stdout).toMatch(/uploaded outputs \(output.ipynb, output.html, outputs.tar; \d+ bytes\)/);
    runDir = path.join(root, 'laketahoe-jobs', runId);
  }, 180_000);

  test('the grant holds no credentials, only URLs for this run', () => {
    const text = JSON.stringify(grant);
    expect(text).not.toContain(server.options.credentials!.secretAccessKey);
    expect(Object.keys(grant.outputs).sort()).toEqual(['manifest.json', 'output.html', 'output.ipynb', 'outputs.tar']);
    for (const url of Object.values(grant.outputs)) {
      expect(new URL(url).pathname).toMatch(/^\/laketahoe\/runs\/alice\/roundtrip_job\//);
    }
  });

  test('the service takes in the notebook, the HTML, the saved model and the files the notebook wrote', async () => {
    const result = await ingestRun(store, owner, runId, runDir, limits);
    expect(result).toMatchObject({ outputNotebook: true, outputHtml: true, models: ['points'] });
    expect(JSON.parse(fs.readFileSync(path.join(runDir, 'output.ipynb'), 'utf8')).cells.length).toBeGreaterThan(1);
    expect(fs.readFileSync(path.join(runDir, 'output.html'), 'utf8')).toContain('<html');
    expect(fs.readFileSync(path.join(runDir, 'notes.txt'), 'utf8')).toBe('written by the notebook');
    // Inputs the run did not change are not sent back.
    expect(fs.existsSync(path.join(runDir, 'data', 'points.csv'))).toBe(false);
    const saved = readSavedModel(root, path.relative(root, path.join(runDir, 'models', 'points')));
    expect(saved).toMatchObject({ name: 'points', framework: 'sklearn', relDir: 'laketahoe-jobs/roundtrip_job/models/points' });
    // Taking it in again (a restarted service) answers from the marker without touching the folder.
    fs.writeFileSync(path.join(runDir, 'notes.txt'), 'unchanged marker check');
    expect(await ingestRun(store, owner, runId, runDir, limits)).toEqual(result);
    expect(fs.readFileSync(path.join(runDir, 'notes.txt'), 'utf8')).toBe('unchanged marker check');
  });

  test("the run's URLs reach no other key, user or method: the server refuses them", async () => {
    const put = grant.outputs['output.ipynb'];
    const moved = (url: string, from: string, to: string) => {
      const u = new URL(url);
      u.pathname = u.pathname.replace(from, to);
      return u.toString();
    };
    const attempts: [string, string, RequestInit][] = [
      ["another user's key", moved(put, '/runs/alice/', '/runs/bob/'), { method: 'PUT', body: 'x' }],
      ["another run's key", moved(put, '/roundtrip_job/', '/other_job/'), { method: 'PUT', body: 'x' }],
      ['another object of the same run', moved(put, '/output.ipynb', '/inputs.tar'), { method: 'PUT', body: 'x' }],
      ['reading with a PUT URL', put, { method: 'GET' }],
      ['writing with the GET URL of the inputs', grant.inputs!, { method: 'PUT', body: 'x' }]
    ];
    for (const [what, url, init] of attempts) {
      const res = await fetch(url, init);
      expect([what, res.status]).toEqual([what, 403]);
    }
    await store.put(runPrefix('bob', 'secret_job') + 'output.ipynb', 'bob only');
    const res = await fetch(moved(grant.inputs!, '/runs/alice/roundtrip_job/inputs.tar', '/runs/bob/secret_job/output.ipynb'));
    expect(res.status).toBe(403);
    expect((await store.read(runPrefix('bob', 'secret_job') + 'output.ipynb', 100)).toString()).toBe('bob only');
  });

  test('a changed object is refused and nothing lands in the run folder', async () => {
    const prefix = runPrefix(owner, runId);
    const original = await store.read(prefix + 'outputs.tar', limits.maxBytes);
    await store.put(prefix + 'outputs.tar', Buffer.concat([original.subarray(0, original.length - 1024), Buffer.alloc(1024, 1)]));
    const fresh = path.join(root, 'laketahoe-jobs', 'tampered');
    const err = await ingestRun(store, owner, runId, fresh, limits).catch(e => e);
    expect(err).toBeInstanceOf(IngestError);
    expect(err.message).toMatch(/^outputs.tar does not match manifest.json/);
    expect(fs.readdirSync(fresh)).toEqual([]);
    await store.put(prefix + 'outputs.tar', original);
  });
});

test('no manifest: the run uploaded nothing and nothing is taken in', async () => {
  await store.put(runPrefix('alice', 'half_done') + 'output.ipynb', '{}');
  const dir = path.join(root, 'laketahoe-jobs', 'half_done');
  await expect(ingestRun(store, 'alice', 'half_done', dir, limits)).rejects.toThrow('the run uploaded no outputs (manifest.json is missing)');
  expect(fs.existsSync(path.join(dir, 'output.ipynb'))).toBe(false);
});

test('outputs past the limits are refused before anything is unpacked', async () => {
  const dir = path.join(root, 'laketahoe-jobs', 'limited');
  const err = await ingestRun(store, 'alice', 'roundtrip_job', dir, { maxBytes: 100, maxFiles: 10 }).catch(e => e);
  expect(err.message).toMatch(/^the outputs are \d+ bytes; at most 100 are taken in$/);
});

test('an unreachable object store fails a succeeded run with the reason, and a failing one keeps its own', async () => {
  const grant = await runGrant(store, 'alice', 'unreachable', undefined, 600);
  for (const name of Object.keys(grant.outputs)) {
    const u = new URL(grant.outputs[name]);
    u.host = '127.0.0.1:9';
    grant.outputs[name] = u.toString();
  }
  const ok = podFolders('pod-unreachable', ['print("fine")']);
  const res = runPod(ok.work, ok.notebook, grant);
  expect(res.status).toBe(6);
  expect(res.exit.exitCode).toBe(6);
  expect(res.exit.reason).toMatch(/^could not upload outputs: output.ipynb: .*refused.* \(after 3 attempts\)$/);
  expect(res.exit.reason).not.toContain('X-Amz-Signature');

  const bad = podFolders('pod-raises', ['raise ValueError("boom")']);
  const failed = runPod(bad.work, bad.notebook, grant);
  expect(failed.exit.exitCode).toBe(1);
  expect(failed.exit.reason).toMatch(/^Cell \d raised ValueError: boom/);
  expect(failed.exit.reason).toMatch(/\ncould not upload outputs: output.ipynb: /);
}, 180_000);

test('a run whose notebook raises still uploads its outputs, so the failed notebook can be opened', async () => {
  const grant = await runGrant(store, 'alice', 'raises', undefined, 600);
  const pod = podFolders('pod-raises-uploads', ['raise ValueError("boom")']);
  const res = runPod(pod.work, pod.notebook, grant);
  expect(res.exit.exitCode).toBe(1);
  const manifest = JSON.parse((await store.read(runPrefix('alice', 'raises') + MANIFEST, 10_000)).toString());
  expect(manifest.exitCode).toBe(1);
  const dir = path.join(root, 'laketahoe-jobs', 'raises');
  expect(await ingestRun(store, 'alice', 'raises', dir, limits)).toMatchObject({ outputNotebook: true });
  expect(fs.readFileSync(path.join(dir, 'output.ipynb'), 'utf8')).toContain('boom');
}, 180_000);

test('a missing grant file fails the run before it starts, with the reason', () => {
  const pod = podFolders('pod-no-grant', ['print(1)']);
  const res = spawnSync(PYTHON, ['-m', 'laketahoe.runner', 'notebook', '--input', pod.notebook, '--output', 'output.ipynb', '--status-file', 'exit.json', '--artifacts', '/nonexistent/grant.json'], {
    cwd: pod.work,
    env: runnerEnv(),
    encoding: 'utf8'
  });
  expect(res.status).toBe(6);
  expect(JSON.parse(fs.readFileSync(path.join(pod.work, 'exit.json'), 'utf8')).reason).toBe('could not fetch inputs: no artifact grant at /nonexistent/grant.json');
});

test('a retried pod replaces the same keys; one cut short leaves a set that is refused, not mixed', async () => {
  const owner = 'alice';
  const runId = 'retried_job/trials/3';
  const grant = await runGrant(store, owner, runId, undefined, 600);
  const attempt = (n: number) => {
    const pod = podFolders(`pod-retry-${n}`, [`print("attempt ${n}")`, `open("attempt.txt", "w").write("${n}")`]);
    expect(runPod(pod.work, pod.notebook, grant).exit.exitCode).toBe(0);
  };
  attempt(1);
  attempt(2);
  const prefix = runPrefix(owner, runId);
  expect(prefix).toBe('runs/alice/retried_job/trials/3/');
  expect(await store.list(prefix)).toEqual(['manifest.json', 'output.html', 'output.ipynb', 'outputs.tar'].map(k => prefix + k));
  const dir = path.join(root, 'laketahoe-jobs', 'retried_job', 'trials', '3');
  await ingestRun(store, owner, runId, dir, limits);
  expect(fs.readFileSync(path.join(dir, 'attempt.txt'), 'utf8')).toBe('2');
  expect(fs.readFileSync(path.join(dir, 'output.ipynb'), 'utf8')).toContain('attempt 2');

  // A third attempt uploads its notebook and dies before the rest: the old manifest no longer matches.
  const put = await fetch(grant.outputs['output.ipynb'], { method: 'PUT', body: '{"cells": []}' });
  expect(put.status).toBe(200);
  const fresh = path.join(root, 'laketahoe-jobs', 'retried_cut');
  await expect(ingestRun(store, owner, runId, fresh, limits)).rejects.toThrow(/^output.ipynb does not match manifest.json/);
  expect(fs.readdirSync(fresh)).toEqual([]);
}, 180_000);
