import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Capacity, GpuInfo } from '../../jobs/resources.js';

/** Parses `nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader` output. */
export function parseNvidiaSmi(output: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of output.split('\n')) {
    const parts = line.split(',').map(s => s.trim());
    if (parts.length < 3 || !/^\d+$/.test(parts[0])) {
      continue;
    }
    const mem = /^(\d+(?:\.\d+)?)\s*(MiB|GiB)?/i.exec(parts[2]);
    const factor = mem?.[2]?.toLowerCase() === 'gib' ? 1024 ** 3 : 1024 ** 2;
    gpus.push({ index: Number(parts[0]), name: parts[1], memoryBytes: mem ? Math.round(Number(mem[1]) * factor) : 0 });
  }
  return gpus;
}

/** GPUs reported by nvidia-smi; none when the tool is absent or fails (a CPU-only machine). */
export function detectGpus(): GpuInfo[] {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=index,name,memory.total', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore']
    });
    return parseNvidiaSmi(out);
  } catch {
    return [];
  }
}

/** The machine's capacity, with any of cpus, memory or GPU count overridden (tests lower them). */
export function detectCapacity(overrides: { cpus?: number; memoryBytes?: number; gpus?: number } = {}): Capacity {
  let gpus = overrides.gpus === 0 ? [] : detectGpus();
  if (overrides.gpus !== undefined && overrides.gpus > 0) {
    // Keep real GPU names where there are some; pad with placeholders so tests can ask for GPUs anywhere.
    gpus = Array.from({ length: overrides.gpus }, (_, i) => gpus[i] ?? { index: i, name: 'simulated', memoryBytes: 0 });
  }
  return {
    cpus: overrides.cpus ?? os.availableParallelism(),
    memoryBytes: overrides.memoryBytes ?? os.totalmem(),
    gpus
  };
}
