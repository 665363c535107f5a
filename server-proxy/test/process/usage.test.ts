import { spawn, type ChildProcess } from 'node:child_process';
import type { FastifyBaseLogger } from 'fastify';
import { parseGpuUsage, readTreeUsage } from '../../src/process/usage.js';
import { LocalUsageSampler } from '../../src/backends/local/usageSampler.js';
import type { UsageSample } from '../../src/schemas/usage.js';
import { PYTHON, waitFor } from '../helpers/service.js';

const MIB = 1024 ** 2;

// A real process tree: its child holds 200 MiB (touched, so resident) and sleeps; the parent then burns
// exactly one CPU-second of its own (by its own clock, so a loaded machine only makes it slower) and
// sleeps. The tree's numbers must include the child's memory and the parent's CPU time.
const TREE = `
import subprocess, sys, time
child = subprocess.Popen([sys.executable, '-c', "b = bytearray(200 * 1024 * 1024)\\nfor i in range(0, len(b), 4096): b[i] = 1\\nprint('ready', flush=True)\\nimport time; time.sleep(60)"], stdout=sys.stdout)
while not sys.stdin.readline().startswith('go'):
    pass
start = time.process_time()
while time.process_time() - start < 1.0:
    pass
print('burnt', flush=True)
time.sleep(60)
`;

let tree: ChildProcess | undefined;
afterEach(() => {
  if (tree?.pid) {
    try {
      process.kill(-tree.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

let out = '';
async function startTree(): Promise<number> {
  out = '';
  tree = spawn(PYTHON, ['-c', TREE], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  tree.stdout!.on('data', d => (out += d));
  await waitFor(async () => out.includes('ready'), 30_000, 'the child holds its memory');
  return tree.pid!;
}

/** Lets the parent burn its CPU-second and waits until it has. */
async function burn(): Promise<void> {
  tree!.stdin!.write('go\n');
  await waitFor(async () => out.includes('burnt'), 60_000, 'the parent burnt its CPU-second');
}

test('the tree of a real process counts its child\'s memory and its own CPU time', async () => {
  const pid = await startTree();
  const first = readTreeUsage(pid)!;
  await burn();
  const second = readTreeUsage(pid)!;
  expect(second.memoryBytes).toBeGreaterThan(200 * MIB);
  expect(second.memoryBytes).toBeLessThan(2000 * MIB);
  // The CPU-second burnt, give or take the clock ticks of /proc (10 ms) and the wait for 'go'.
  expect(second.cpuSeconds - first.cpuSeconds).toBeGreaterThanOrEqual(0.98);
  expect(second.cpuSeconds - first.cpuSeconds).toBeLessThan(1.5);
  expect(readTreeUsage(999_999_999)).toBeUndefined();
});

test('the sampler turns readings into CPU cores and adds the GPUs the run holds (GPUs faked)', async () => {
  const pid = await startTree();
  const samples: UsageSample[] = [];
  const sampler = new LocalUsageSampler({
    log: { warn() {} } as unknown as FastifyBaseLogger,
    intervalMs: 60_000,
    runs: () => [{ runId: 'r', pid, gpus: [3] }],
    record: async (_runId, s) => void samples.push(s),
    readGpus: async () => parseGpuUsage('3, 87, 5120\n7, 0, 0\n')
  });
  await sampler.sampleAll();
  const before = Date.now();
  await burn();
  await sampler.sampleAll();
  const elapsed = (Date.now() - before) / 1000;
  expect(samples).toHaveLength(2);
  expect(samples[1].cpuSeconds - samples[0].cpuSeconds).toBeGreaterThanOrEqual(0.98);
  // Cores are the CPU time between the two samples over the time between them.
  expect(samples[1].cpuCores).toBeGreaterThan(0.9 / (elapsed + 1));
  expect(samples[1].cpuCores).toBeLessThanOrEqual(1.6 / elapsed + 0.1);
  expect(samples[1]).toMatchObject({ gpuCount: 1, gpuUtilization: 87, gpuMemoryBytes: 5120 * MIB });
});

test('nvidia-smi lines a GPU cannot fill are left out', () => {
  expect(parseGpuUsage('0, 12, 300\n1, [N/A], [N/A]\n\n2, 50.5, 1024\n')).toEqual([
    { index: 0, utilization: 12, memoryBytes: 300 * MIB },
    { index: 2, utilization: 50.5, memoryBytes: 1024 * MIB }
  ]);
});
