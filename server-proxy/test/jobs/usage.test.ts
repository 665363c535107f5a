import { formatBytes, summarizeUsage, thinSamples } from '../../src/jobs/usage.js';
import type { UsageSample } from '../../src/schemas/usage.js';

const GIB = 1024 ** 3;
const at = (s: number, memoryBytes: number, extra: Partial<UsageSample> = {}): UsageSample => ({
  time: new Date(Date.UTC(2026, 11, 1, 0, 0, s)).toISOString(),
  cpuCores: 1,
  cpuSeconds: s,
  memoryBytes,
  ...extra
});

test('peak memory, CPU-seconds from the last counter, GPU-hours from GPUs held between samples', () => {
  const samples = [
    at(0, 1 * GIB, { gpuCount: 2, gpuUtilization: 50, gpuMemoryBytes: 4 * GIB }),
    at(1800, 3 * GIB, { gpuCount: 2, gpuUtilization: 100, gpuMemoryBytes: 6 * GIB }),
    at(3600, 2 * GIB, { gpuCount: 2, gpuUtilization: 0, gpuMemoryBytes: 5 * GIB })
  ];
  expect(summarizeUsage(samples, { memoryBytes: 8 * GIB, ended: true, what: 'job' })).toEqual({
    samples: 3,
    peakMemoryBytes: 3 * GIB,
    cpuSeconds: 3600,
    gpuHours: 2,
    peakGpuMemoryBytes: 6 * GIB,
    meanGpuUtilization: 50,
    requestedMemoryBytes: 8 * GIB
  });
});

test('the hint: ended, 3 samples or more, peak under a quarter of the request and 1 GiB or more unused', () => {
  const three = (peak: number) => [at(0, peak / 2), at(5, peak), at(10, peak / 2)];
  const hint = (samples: UsageSample[], memoryBytes: number, ended = true) => summarizeUsage(samples, { memoryBytes, ended, what: 'trial' }).hint;
  expect(hint(three(1.5 * GIB), 16 * GIB)).toBe('This trial used at most 1.5 GiB of its 16.0 GiB memory');
  expect(hint(three(300 * 1024 ** 2), 2 * GIB)).toBe('This trial used at most 300 MiB of its 2.0 GiB memory');
  expect(hint(three(1.5 * GIB), 16 * GIB, false)).toBeUndefined(); // still running
  expect(hint(three(4.5 * GIB), 16 * GIB)).toBeUndefined(); // over a quarter
  expect(hint(three(100 * 1024 ** 2), 1 * GIB)).toBeUndefined(); // less than 1 GiB unused
  expect(hint(three(1 * GIB).slice(0, 2), 16 * GIB)).toBeUndefined(); // too few samples
});

test('thinning keeps the first and last sample and spaces the rest evenly', () => {
  const samples = Array.from({ length: 11 }, (_, i) => at(i, i));
  expect(thinSamples(samples, 3).map(s => s.memoryBytes)).toEqual([0, 5, 10]);
  expect(thinSamples(samples, 20)).toBe(samples);
  expect(formatBytes(512 * 1024 ** 2)).toBe('512 MiB');
});
