import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../../../src/process/procinfo.js';
import { writeNotebook } from '../../helpers/notebooks.js';
import { startService, tempRoot, waitFor, waitForState, type TestService } from '../../helpers/service.js';

const ENDED = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

// Each trial first looks for what an earlier trial may have left, then leaves all of it behind.
const LEAKY = `
import os, string, sys
import laketahoe
leaks = []
if 'leftover' in globals(): leaks.append('variable')
if 'LEAKED_VAR' in os.environ: leaks.append('env')
if string.capwords('a b') != 'A B': leaks.append('monkeypatch')
if 'planted_module' in sys.modules: leaks.append('sys.modules')
if os.path.exists('left-behind.txt'): leaks.append('file')
if not os.getcwd().endswith('/snapshot'): leaks.append('cwd')
print('leaks', leaks, 'threads', os.environ.get('OMP_NUM_THREADS'), 'cmdline', open('/proc/self/cmdline').read().replace('\\0', ' '))
laketahoe.report(leaks=len(leaks), x=x)
leftover = 1
os.environ['LEAKED_VAR'] = '1'
string.capwords = lambda *a, **k: 'patched'
sys.modules['planted_module'] = object()
open('left-behind.txt', 'w').write('x')
os.chdir('/')
`;

let t: TestService;
let root: string;

beforeAll(async () => {
  root = tempRoot();
  writeNotebook(path.join(root, 'leaky.ipynb'), [LEAKY], 'x = 0.0');
  writeNotebook(path.join(root, 'slow.ipynb'), ['import os, time\nprint("kernel", os.getpid(), flush=True)\ntime.sleep(float(wait))'], 'wait = 300');
  // One CPU: trials of one CPU each must take turns whatever maxParallelTrials says.
  t = await startService(root, { cpus: 1 });
});

afterAll(async () => {
  await t.close();
});

/** The warm template this test's service started: a child of this process running `laketahoe.runner warm`. */
function templatePid(): number | undefined {
  for (const name of fs.readdirSync('/proc')) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (ppid === process.pid && argv.includes('laketahoe.runner') && argv.includes('warm')) {
        return Number(name);
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

async function logText(jobId: string, trial?: string): Promise<string> {
  const r = await t.call('GET', `/api/v1/jobs/${jobId}${trial ? `/trials/${trial}` : ''}/logs`);
  return (r.body.lines ?? []).map((l: { text: string }) => l.text).join('\n');
}

test('trials forked warm share no state, take turns on one CPU and get its thread settings', async () => {
  const r = await t.call('POST', '/api/v1/jobs', {
    jobId: 'leaky',
    trainingInput: {
      notebook: { path: 'leaky.ipynb' },
      hyperparameters: {
        goal: 'MINIMIZE',
        hyperparameterMetricTag: 'leaks',
        maxTrials: 3,
        maxParallelTrials: 2,
        algorithm: 'RANDOM_SEARCH',
        params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }]
      }
    }
  });
  expect(r.status).toBe(201);
  const job = await waitForState(t, 'leaky', ENDED, 120_000);
  expect(job.state).toBe('SUCCEEDED');
  const { trials } = (await t.call('GET', '/api/v1/jobs/leaky/trials')).body;
  expect(trials).toHaveLength(3);
  for (const trial of trials) {
    expect(trial.state).toBe('SUCCEEDED');
    expect(trial.finalMetric.objectiveValue).toBe(0);
    const log = await logText('leaky', trial.trialId);
    expect(log).toContain('leaks [] threads 1');
    // The kernel is a fork of the warm template, not a cold start.
    expect(log).toMatch(/cmdline \S+ -Xfrozen_modules=off -m laketahoe\.runner warm/);
  }
  const spans = trials.map((x: any) => [Date.parse(x.startTime), Date.parse(x.endTime)]).sort((a: number[], b: number[]) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  }
});

test('cancelling a warm job stops its runner and its forked kernel', async () => {
  const r = await t.call('POST', '/api/v1/jobs', { jobId: 'slow', trainingInput: { notebook: { path: 'slow.ipynb' } } });
  expect(r.status).toBe(201);
  const kernel = (await waitFor(async () => Number((await logText('slow')).match(/^kernel (\d+)$/m)?.[1]) || undefined, 90_000, 'kernel pid'))!;
  expect((await t.call('GET', '/api/v1/jobs/slow')).body.state).toBe('RUNNING');
  expect((await t.call('POST', '/api/v1/jobs/slow/cancel')).status).toBe(200);
  const done = await waitForState(t, 'slow', ENDED, 30_000);
  expect(done.state).toBe('CANCELLED');
  await waitFor(async () => !isProcessAlive(kernel) || undefined, 10_000, 'kernel gone');
});

test('a job survives its template being killed, and the next job gets a new template', async () => {
  const r = await t.call('POST', '/api/v1/jobs', {
    jobId: 'orphaned',
    trainingInput: { notebook: { path: 'slow.ipynb', parameters: { wait: 2 } } }
  });
  expect(r.status).toBe(201);
  await waitFor(async () => /^kernel \d+$/m.test(await logText('orphaned')) || undefined, 90_000, 'kernel up');
  const first = templatePid();
  expect(first).toBeDefined();
  process.kill(first!, 'SIGKILL');
  // Its runner learned nothing of this: it finishes, and the service learns the end by polling.
  const done = await waitForState(t, 'orphaned', ENDED, 60_000);
  expect(done.state).toBe('SUCCEEDED');

  const next = await t.call('POST', '/api/v1/jobs', { jobId: 'after', trainingInput: { notebook: { path: 'slow.ipynb', parameters: { wait: 0 } } } });
  expect(next.status).toBe(201);
  expect((await waitForState(t, 'after', ENDED, 90_000)).state).toBe('SUCCEEDED');
  const second = templatePid();
  expect(second).toBeDefined();
  expect(second).not.toBe(first);
});
