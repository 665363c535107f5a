import { spawn, type ChildProcess } from 'node:child_process';
import type { FastifyBaseLogger } from 'fastify';
import { parseGpuUsage, readTreeUsage } from '../../src/process/usage.js';
import { LocalUsageSampler } from '../../src/backends/local/usageSampler.js';
import type { UsageSample } from '../../src/schemas/usage.js';
import { PYTHON, waitFor } from '../helpers/service.js';

const MIB = 1024 ** 2;

// A real process tree: the parent spins one core; its child holds 200 MiB (touched, so resident) and
// sleeps. The tree's numbers must include the child.
const TREE = `
import subprocess, sys, time
child = subprocess.Popen([sys.executable, '-c', "b = bytearray(200 * 1024 * 1024)\\nfor i in range(0, len(b), 4096): b[i] = 1\\nprint('ready', flush=True)\\nimport time; time.sleep(60)"], stdout=sys.stdout)
end = time.time() + 60
while time.time() < end:
    pass
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

async function startTree(): Promise<number> {
  tree = spawn(PYTHON, ['-c', TREE], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  tree.stdout!.on('data', d => (out += d));
  await waitFor(async () => out.includes('ready'), 30_000, 'the child holds its memory');
  return tree.pid!;
}

test('the tree of a real process counts its child\'s memory and its own CPU time', async () => {
  const pid = await startTree();
  const first = readTreeUsage(pid)!;
  await new Promise(r => setTimeout(r, 1000));
  const second = readTreeUsage(pid)!;
  expect(second.memoryBytes).toBeGreaterThan(200 * MIB);
  expect(second.memoryBytes).toBeLessThan(2000 * MIB);
  // One busy core for a second: at least half a CPU-second on a loaded machine, at most a bit over one.
  expect(second.cpuSeconds - first.cpuSeconds).toBeGreaterThan(0.3);
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
  await new Promise(r => setTimeout(r, 800));
  await sampler.sampleAll();
  expect(samples).toHaveLength(2);
  expect(samples[1].cpuCores).toBeGreaterThan(0.3);
  expect(samples[1].cpuCores).toBeLessThan(1.6);
  expect(samples[1].cpuSeconds).toBeGreaterThanOrEqual(samples[0].cpuSeconds);
  expect(samples[1]).toMatchObject({ gpuCount: 1, gpuUtilization: 87, gpuMemoryBytes: 5120 * MIB });
});

test('nvidia-smi lines a GPU cannot fill are left out', () => {
  expect(parseGpuUsage('0, 12, 300\n1, [N/A], [N/A]\n\n2, 50.5, 1024\n')).toEqual([
    { index: 0, utilization: 12, memoryBytes: 300 * MIB },
    { index: 2, utilization: 50.5, memoryBytes: 1024 * MIB }
  ]);
});
