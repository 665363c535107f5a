import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createService, type Service, type ServiceParts } from '../../src/app.js';
import type { ServiceConfig } from '../../src/config.js';
import { databaseFor } from './stores.js';

/** server-proxy/ */
export const PROXY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The repository root (holds the laketahoe package and .venv). */
export const REPO_ROOT = path.resolve(PROXY_DIR, '..');
/** Interpreter for runners: LAKETAHOE_PYTHON, else the repository's virtual environment. */
export const PYTHON = process.env.LAKETAHOE_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');

/** The model server of the serving environment (`make serving-env`). */
export const MLSERVER = process.env.LAKETAHOE_MLSERVER ?? path.join(REPO_ROOT, '.venv-serving', 'bin', 'mlserver');

/** Environment runners need to import laketahoe from the checkout. */
export function runnerEnv(): NodeJS.ProcessEnv {
  const pp = process.env.PYTHONPATH;
  return { ...process.env, PYTHONPATH: pp ? `${REPO_ROOT}${path.delimiter}${pp}` : REPO_ROOT };
}

/** A temporary root directory for one test file. */
export function tempRoot(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-test-')));
}

/** A running in-process service and helpers to call it. */
export interface TestService {
  service: Service;
  url: string;
  root: string;
  token: string;
  call(method: string, urlPath: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Starts the service in this process on a free loopback port, with small test-friendly timings. */
export async function startService(root: string, overrides: Partial<ServiceConfig> = {}, parts: ServiceParts = {}): Promise<TestService> {
  const token = 'test-token';
  const config: ServiceConfig = {
    host: '127.0.0.1',
    port: 0,
    rootDir: root,
    dataDir: path.join(root, '.laketahoe'),
    jobsDir: path.join(root, 'laketahoe-jobs'),
    python: PYTHON,
    maxNotebookBytes: 1024 * 1024,
    maxFolderBytes: 1024 * 1024,
    tokens: new Map([
      [token, 'alice'],
      ['bob-token', 'bob']
    ]),
    token,
    user: 'alice',
    cpus: 2,
    memoryBytes: 8 * 1024 ** 3,
    gpus: 0,
    pollMs: 100,
    killGraceMs: 1500,
    heartbeatMs: 500,
    usageIntervalMs: 500,
    logLevel: process.env.LAKETAHOE_TEST_LOG_LEVEL ?? 'silent',
    mlserver: MLSERVER,
    maxInferBytes: 8 * 1024 * 1024,
    deployTimeoutMs: 120_000,
    // Two users on the local backend: these tests are the operator who trusts both.
    trustJobs: true,
    ...(await databaseFor(root)),
    ...overrides
  };
  process.env.PYTHONPATH = runnerEnv().PYTHONPATH;
  const service = await createService(config, false, parts);
  await service.start();
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  const address = service.app.server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    service,
    url,
    root,
    token,
    async call(method, urlPath, body, tok = token) {
      // A non-browser client, as the Python client: it says so with the service's request header.
      const headers: Record<string, string> = { 'x-laketahoe-request': '1' };
      if (tok !== null) {
        headers.authorization = `Bearer ${tok}`;
      }
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(url + urlPath, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Non-JSON (an output file).
      }
      return { status: res.status, body: parsed };
    },
    close: () => service.close()
  };
}

/** Polls `fn` until it returns a truthy value; fails after `timeoutMs` with the last value. */
export async function waitFor<T>(fn: () => Promise<T>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (last) {
      return last;
    }
    await new Promise(r => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/** Waits until the job reaches one of `states` and returns it; a timeout says where the job and its trials stand. */
export function waitForState(t: TestService, jobId: string, states: string[], timeoutMs = 90_000): Promise<any> {
  return waitForJob(async p => (await t.call('GET', p)).body, jobId, states, timeoutMs);
}

/** The states a job ends in. */
export const ENDED_STATES = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/**
 * Waits until the job reaches one of `states` and returns it, reading the API through `get` (one path as
 * JSON: a service in this process or a child's); a timeout says where the job and its trials stand.
 */
export async function waitForJob(get: (apiPath: string) => Promise<any>, jobId: string, states: string[], timeoutMs: number): Promise<any> {
  try {
    return await waitFor(
      async () => {
        const job = await get(`/api/v1/jobs/${jobId}`);
        return states.includes(job?.state) ? job : undefined;
      },
      timeoutMs,
      `${jobId} to reach ${states.join('|')}`
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await describeJob(get, jobId)}`);
  }
}

/**
 * How a service started as a child process of a test logs: at LAKETAHOE_TEST_LOG_LEVEL (its log then goes
 * to the test's output), else warnings only, to stderr alone.
 */
export function childServiceLogging(): { level: string; stdout: 'inherit' | 'ignore' } {
  const level = process.env.LAKETAHOE_TEST_LOG_LEVEL;
  return { level: level ?? 'warn', stdout: level ? 'inherit' : 'ignore' };
}

/**
 * Where a job stands, for a test that waited for it in vain: its state history and, for an HPO job, each
 * trial's state, times, number of metric values and error. `get` reads one API path as JSON.
 */
export async function describeJob(get: (apiPath: string) => Promise<any>, jobId: string): Promise<string> {
  const job = await get(`/api/v1/jobs/${jobId}`);
  const lines = [`job ${jobId}: ${job?.state} ${JSON.stringify(job?.stateHistory ?? job)}`];
  if (job?.trainingInput?.hyperparameters) {
    const list = await get(`/api/v1/jobs/${jobId}/trials`);
    for (const trial of list?.trials ?? []) {
      lines.push(`  trial ${trial.trialId}: ${trial.state} start ${trial.startTime} end ${trial.endTime} metrics ${trial.allMetrics?.length} ${trial.errorMessage ?? ''}`);
    }
  }
  return lines.join('\n');
}
