import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { descendants } from './procinfo.js';

/**
 * Clock ticks per second of /proc's CPU times. Linux reports them in USER_HZ, which its ABI fixes at
 * 100 whatever the kernel's own tick rate.
 */
const USER_HZ = 100;

/** CPU time and resident memory of a process tree at one moment. */
export interface TreeUsage {
  /** CPU seconds of the live processes plus those their exited, reaped children used. */
  cpuSeconds: number;
  /** Resident memory of the live processes, summed. */
  memoryBytes: number;
}

/** utime + stime + cutime + cstime of one process, in seconds; undefined when it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the name: state(0) ... utime(11) stime(12) cutime(13) cstime(14).
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** VmRSS of one process in bytes (0 for a zombie or kernel thread); undefined when it is gone. */
function residentBytesOf(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return undefined;
  }
}

/**
 * What the process `pid` and every descendant (the kernel a runner started, its workers) use now;
 * undefined when `pid` itself is gone. A child's CPU time counts once: while it lives from its own
 * stat, once reaped in its parent's cutime/cstime.
 */
export function readTreeUsage(pid: number): TreeUsage | undefined {
  const own = cpuSecondsOf(pid);
  const ownMemory = residentBytesOf(pid);
  if (own === undefined || ownMemory === undefined) {
    return undefined;
  }
  let cpuSeconds = own;
  let memoryBytes = ownMemory;
  for (const child of descendants(pid)) {
    cpuSeconds += cpuSecondsOf(child) ?? 0;
    memoryBytes += residentBytesOf(child) ?? 0;
  }
  return { cpuSeconds, memoryBytes };
}

/** Utilization and memory of one GPU. */
export interface GpuReading {
  index: number;
  utilization: number;
  memoryBytes: number;
}

/** Parses `nvidia-smi --query-gpu=index,utilization.gpu,memory.used --format=csv,noheader,nounits`. */
export function parseGpuUsage(output: string): GpuReading[] {
  const readings: GpuReading[] = [];
  for (const line of output.split('\n')) {
    const [index, utilization, memory] = line.split(',').map(s => s.trim());
    // A GPU that cannot report a value says "[N/A]" or "[Not Supported]": it is left out.
    if (/^\d+$/.test(index ?? '') && /^\d+(\.\d+)?$/.test(utilization ?? '') && /^\d+(\.\d+)?$/.test(memory ?? '')) {
      readings.push({ index: Number(index), utilization: Number(utilization), memoryBytes: Math.round(Number(memory) * 1024 ** 2) });
    }
  }
  return readings;
}

/** Current readings of the machine's GPUs; none where nvidia-smi is absent or fails. */
export function readGpuUsage(): Promise<GpuReading[]> {
  return new Promise(resolve => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=index,utilization.gpu,memory.used', '--format=csv,noheader,nounits'],
      { encoding: 'utf8', timeout: 10_000 },
      (err, stdout) => resolve(err ? [] : parseGpuUsage(stdout))
    );
  });
}

/** Seconds since the process started (from its start time in ticks after boot); undefined when gone. */
export function processAgeSeconds(pid: number): number | undefined {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const startTicks = Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[19]);
    const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Math.max(0, uptime - startTicks / USER_HZ);
  } catch {
    return undefined;
  }
}
