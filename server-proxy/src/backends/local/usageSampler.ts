import type { FastifyBaseLogger } from 'fastify';
import type { UsageSample } from '../../schemas/usage.js';
import { processAgeSeconds, readGpuUsage, readTreeUsage, type GpuReading } from '../../process/usage.js';
import { PeriodicTask } from '../../periodic.js';

/** A run the sampler measures: its runner's pid and the GPUs it was given. */
export interface SampledRun {
  runId: string;
  pid: number;
  gpus: number[];
}

/** Where samples go (the store). */
export type UsageSink = (runId: string, sample: UsageSample) => Promise<void>;

/** Settings of the local usage sampler. */
export interface LocalUsageOptions {
  log: FastifyBaseLogger;
  intervalMs: number;
  /** The runs to measure now. */
  runs: () => SampledRun[];
  record: UsageSink;
  /** GPU readings (nvidia-smi); tests pass their own. */
  readGpus?: () => Promise<GpuReading[]>;
}

/**
 * Measures every running runner's process tree (the kernel included) every few seconds from /proc, and
 * the GPUs it holds through nvidia-smi when it holds some. One timer for all runs, so the cost grows
 * with the number of running runs, not with their age.
 */
export class LocalUsageSampler {
  private readonly periodic: PeriodicTask;
  /** The previous reading of each run: CPU cores are the CPU time used between two readings. */
  private readonly last = new Map<string, { cpuSeconds: number; timeMs: number }>();

  constructor(private readonly opts: LocalUsageOptions) {
    this.periodic = new PeriodicTask(opts.intervalMs, () => this.sampleAll(), err => opts.log.warn({ err }, 'sampling resource usage failed'));
  }

  start(): void {
    this.periodic.start();
  }

  stop(): void {
    this.periodic.stop();
  }

  /** Takes one sample of every running run and records it. */
  async sampleAll(): Promise<void> {
    const runs = this.opts.runs();
    const live = new Set(runs.map(r => r.runId));
    for (const runId of [...this.last.keys()]) {
      if (!live.has(runId)) {
        this.last.delete(runId);
      }
    }
    const gpus = runs.some(r => r.gpus.length > 0) ? await (this.opts.readGpus ?? readGpuUsage)() : [];
    for (const run of runs) {
      const sample = this.sample(run, gpus);
      if (sample) {
        await this.opts.record(run.runId, sample);
      }
    }
  }

  private sample(run: SampledRun, gpus: GpuReading[]): UsageSample | undefined {
    const now = Date.now();
    const tree = readTreeUsage(run.pid);
    if (!tree) {
      return undefined;
    }
    const previous = this.last.get(run.runId);
    // A counter never goes back: a descendant that exits unreaped takes its CPU time with it.
    const cpuSeconds = Math.max(tree.cpuSeconds, previous?.cpuSeconds ?? 0);
    const elapsed = previous ? (now - previous.timeMs) / 1000 : processAgeSeconds(run.pid);
    const used = cpuSeconds - (previous?.cpuSeconds ?? 0);
    this.last.set(run.runId, { cpuSeconds, timeMs: now });
    const sample: UsageSample = {
      time: new Date(now).toISOString(),
      cpuCores: elapsed ? round(used / elapsed) : 0,
      cpuSeconds: round(cpuSeconds),
      memoryBytes: tree.memoryBytes
    };
    if (run.gpus.length > 0) {
      const held = gpus.filter(g => run.gpus.includes(g.index));
      sample.gpuCount = run.gpus.length;
      if (held.length > 0) {
        sample.gpuUtilization = round(held.reduce((sum, g) => sum + g.utilization, 0) / held.length);
        sample.gpuMemoryBytes = held.reduce((sum, g) => sum + g.memoryBytes, 0);
      }
    }
    return sample;
  }
}

/** Two decimals: enough for a chart, and stable in a test. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}
