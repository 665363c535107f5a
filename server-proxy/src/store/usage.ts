import type { UsageSample } from '../schemas/usage.js';

/**
 * Most usage samples kept per run. Past it every other older sample is dropped (the first and latest
 * stay), so a run of days keeps the shape of its whole curve in bounded rows: at one sample every 5 s
 * the first 2.7 hours keep full resolution.
 */
export const USAGE_RETENTION = 2000;

/** Resource usage samples per run id (`<jobId>` or `<jobId>/trials/<n>`); the job's deletion removes them. */
export interface UsageStore {
  /** Appends samples of one run; past `keep` samples, every other older one is dropped. */
  addUsage(runId: string, samples: UsageSample[], keep?: number): Promise<void>;
  /** Every kept sample of the run, oldest first. */
  getUsage(runId: string): Promise<UsageSample[]>;
}

/** A row of usage_samples, as both databases return it. */
export interface UsageRow {
  time_ms: number | string;
  cpu_cores: number;
  cpu_seconds: number;
  memory_bytes: number;
  gpu_count: number | null;
  gpu_utilization: number | null;
  gpu_memory_bytes: number | null;
}

/** The column values of a sample, in the order of USAGE_COLUMNS. */
export function usageParams(runId: string, s: UsageSample): unknown[] {
  return [runId, Date.parse(s.time), s.cpuCores, s.cpuSeconds, s.memoryBytes, s.gpuCount ?? null, s.gpuUtilization ?? null, s.gpuMemoryBytes ?? null];
}

/** Columns written by {@link usageParams}. */
export const USAGE_COLUMNS = 'job_id, time_ms, cpu_cores, cpu_seconds, memory_bytes, gpu_count, gpu_utilization, gpu_memory_bytes';

/** A stored row as a sample; absent GPU fields stay absent. */
export function usageFromRow(row: UsageRow): UsageSample {
  const sample: UsageSample = {
    time: new Date(Number(row.time_ms)).toISOString(),
    cpuCores: row.cpu_cores,
    cpuSeconds: row.cpu_seconds,
    memoryBytes: row.memory_bytes
  };
  if (row.gpu_count !== null) {
    sample.gpuCount = row.gpu_count;
  }
  if (row.gpu_utilization !== null) {
    sample.gpuUtilization = row.gpu_utilization;
  }
  if (row.gpu_memory_bytes !== null) {
    sample.gpuMemoryBytes = row.gpu_memory_bytes;
  }
  return sample;
}
