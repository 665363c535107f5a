import type { UsageSample, UsageSummary } from '../schemas/usage.js';

/** Most samples one usage answer carries (`maxPoints`). */
export const USAGE_MAX_POINTS = 2000;

/** Samples of a chart unless the caller asks for fewer. */
export const USAGE_DEFAULT_POINTS = 500;

const GIB = 1024 ** 3;

/**
 * The hint's rule: an ended run with at least 3 samples whose peak memory stayed below a quarter of
 * what it asked for, and at least 1 GiB below it (small requests are not worth a word).
 */
export const HINT_RULE = { maxShare: 0.25, minUnusedBytes: GIB, minSamples: 3 } as const;

/** Bytes as people read them: GiB with one decimal from 1 GiB up, else whole MiB. */
export function formatBytes(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/**
 * What the samples add up to: the peak memory, the CPU time (the last cumulative reading), GPU-hours
 * (GPUs held times the time between samples) and, for an ended run that asked for far more memory than
 * it used, the hint of {@link HINT_RULE}.
 */
export function summarizeUsage(samples: UsageSample[], request: { memoryBytes?: number; ended: boolean; what: 'job' | 'trial' }): UsageSummary {
  const summary: UsageSummary = { samples: samples.length, peakMemoryBytes: 0, cpuSeconds: 0, gpuHours: 0 };
  let gpuMemory: number | undefined;
  let utilSum = 0;
  let utilCount = 0;
  samples.forEach((s, i) => {
    summary.peakMemoryBytes = Math.max(summary.peakMemoryBytes, s.memoryBytes);
    summary.cpuSeconds = Math.max(summary.cpuSeconds, s.cpuSeconds);
    if (s.gpuMemoryBytes !== undefined) {
      gpuMemory = Math.max(gpuMemory ?? 0, s.gpuMemoryBytes);
    }
    if (s.gpuUtilization !== undefined) {
      utilSum += s.gpuUtilization;
      utilCount += 1;
    }
    const previous = samples[i - 1];
    if (previous?.gpuCount) {
      summary.gpuHours += (previous.gpuCount * (Date.parse(s.time) - Date.parse(previous.time))) / 3_600_000;
    }
  });
  summary.gpuHours = Math.round(summary.gpuHours * 10_000) / 10_000;
  if (gpuMemory !== undefined) {
    summary.peakGpuMemoryBytes = gpuMemory;
  }
  if (utilCount > 0) {
    summary.meanGpuUtilization = Math.round((utilSum / utilCount) * 10) / 10;
  }
  const asked = request.memoryBytes;
  if (asked !== undefined && asked > 0) {
    summary.requestedMemoryBytes = asked;
    const peak = summary.peakMemoryBytes;
    if (
      request.ended &&
      samples.length >= HINT_RULE.minSamples &&
      peak < asked * HINT_RULE.maxShare &&
      asked - peak >= HINT_RULE.minUnusedBytes
    ) {
      summary.hint = `This ${request.what} used at most ${formatBytes(peak)} of its ${formatBytes(asked)} memory`;
    }
  }
  return summary;
}

/** At most `maxPoints` evenly spaced samples, the first and the last always among them. */
export function thinSamples(samples: UsageSample[], maxPoints: number): UsageSample[] {
  if (samples.length <= maxPoints) {
    return samples;
  }
  const step = (samples.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, i) => samples[Math.round(i * step)]);
}
