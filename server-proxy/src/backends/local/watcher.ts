import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Metric } from '../../schemas/jobs.js';
import { isTerminal } from '../../jobs/states.js';
import { setLongTimeout, type LongTimer } from '../../longTimer.js';
import type { NewLogLine } from '../../store/store.js';
import { applyRunnerRecord } from '../records.js';
import { asText, parseRunnerLine, type RunnerRecord } from '../../runner/protocol.js';
import { isProcessAlive, signalTree } from '../../process/procinfo.js';
import type { RunView } from '../backend.js';
import type { RunKinds } from '../runs.js';
import type { LocalPlan } from './plan.js';
import { FileTailer } from './tailer.js';

/** What watching runners needs from the backend. */
export interface RunnerWatchOptions {
  log: FastifyBaseLogger;
  kinds: RunKinds;
  rootDir: string;
  pollMs: number;
  killGraceMs: number;
  /** Called once a runner has exited and its whole output was read. */
  ended: (runId: string, missingReason: string | undefined, exitCode: number | null) => Promise<void>;
}

/** A runner being watched. */
export interface Watched {
  pid: number;
  /** GPU indexes the run holds (for usage sampling). */
  gpus: number[];
  tailers: { stdout: FileTailer; stderr: FileTailer };
  /** Set once the process is known to have ended; carries its exit code when we were its parent. */
  exit?: { code: number | null };
  /** Undefined for adopted runners, whose exit we can only learn by polling. */
  owned: boolean;
  timer?: NodeJS.Timeout;
  deadline?: LongTimer;
  killTimer?: NodeJS.Timeout;
  busy: boolean;
  finishing: boolean;
}

/**
 * The runners of the local backend while they run: tails their log files, turns runner records into run
 * state, enforces maxRunningTime and reports each runner's end once its output has been read.
 */
export class RunnerWatches {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly opts: RunnerWatchOptions) {}

  /** Whether a live process of the run is watched. */
  has(runId: string): boolean {
    return this.watched.has(runId);
  }

  /**
   * Asks a running run's process tree to stop: SIGTERM now, SIGKILL after the grace period (or
   * `graceMs`: an early-stopped trial need not be given long).
   */
  terminate(runId: string, graceMs = this.opts.killGraceMs): void {
    const w = this.watched.get(runId);
    if (!w || w.killTimer) {
      return;
    }
    signalTree(w.pid, 'SIGTERM');
    w.killTimer = setTimeout(() => {
      if (!w.exit) {
        signalTree(w.pid, 'SIGKILL');
      }
    }, graceMs);
  }

  /** Records that a runner ended and reads its last output now rather than at the next poll. */
  exited(runId: string, code: number | null): void {
    const w = this.watched.get(runId);
    if (!w || w.exit) {
      return;
    }
    w.exit = { code };
    if (!w.busy) {
      w.busy = true;
      this.tick(runId, w)
        .catch(err => this.opts.log.error({ err, jobId: runId }, 'reading runner output failed'))
        .finally(() => {
          w.busy = false;
        });
    }
  }

  /** Runs whose runner still runs, with its pid and GPUs. */
  running(): { runId: string; pid: number; gpus: number[] }[] {
    return [...this.watched].filter(([, w]) => !w.exit && w.pid > 0).map(([runId, w]) => ({ runId, pid: w.pid, gpus: w.gpus }));
  }

  /** Stops watching without touching the runners. */
  clear(): void {
    for (const w of this.watched.values()) {
      clearInterval(w.timer);
      w.deadline?.clear();
      clearTimeout(w.killTimer);
    }
    this.watched.clear();
  }

  watch(jobId: string, record: RunView, pid: number, owned: boolean, exit?: { code: number | null }): Watched {
    const workdir = record.runtime.workdir!;
    const offsets = record.runtime.offsets ?? { stdout: 0, stderr: 0 };
    const w: Watched = {
      pid,
      gpus: record.runtime.gpus ?? [],
      owned,
      exit,
      busy: false,
      finishing: false,
      tailers: {
        stdout: new FileTailer(path.join(workdir, 'stdout.log'), offsets.stdout),
        stderr: new FileTailer(path.join(workdir, 'stderr.log'), offsets.stderr)
      }
    };
    this.watched.set(jobId, w);
    let ticks = 0;
    // Adopted runners are not our children: check liveness about once a second, not on every log poll.
    const livenessEvery = Math.max(1, Math.round(1000 / this.opts.pollMs));
    w.timer = setInterval(() => {
      if (w.busy) {
        return;
      }
      ticks += 1;
      if (!w.owned && !w.exit && ticks % livenessEvery === 0 && !isProcessAlive(pid, record.runtime.pidStartTime)) {
        w.exit = { code: null };
      }
      w.busy = true;
      this.tick(jobId, w)
        .catch(err => this.opts.log.error({ err, jobId }, 'reading runner output failed'))
        .finally(() => {
          w.busy = false;
        });
    }, this.opts.pollMs);
    const maxMs = (record.runtime.plan as LocalPlan | undefined)?.maxRunningMs;
    if (maxMs !== undefined && record.startTime) {
      const left = Math.max(0, Date.parse(record.startTime) + maxMs - Date.now());
      w.deadline = setLongTimeout(() => void this.timeOut(jobId, maxMs), left);
    }
    return w;
  }

  private async timeOut(jobId: string, maxMs: number): Promise<void> {
    const w = this.watched.get(jobId);
    if (!w || w.exit) {
      return;
    }
    this.opts.log.warn({ jobId }, 'job exceeded maxRunningTime; killing it');
    await this.opts.kinds.update(jobId, r => {
      r.runtime.timedOut = true;
      r.errorMessage = `the job ran longer than its maxRunningTime of ${maxMs / 1000}s and was killed`;
    });
    signalTree(w.pid, 'SIGTERM');
    w.killTimer ??= setTimeout(() => {
      if (!w.exit) {
        signalTree(w.pid, 'SIGKILL');
      }
    }, Math.min(this.opts.killGraceMs, 2000));
  }

  private async tick(jobId: string, w: Watched): Promise<void> {
    const exitedBefore = w.exit !== undefined;
    const caughtUp = await this.drain(jobId, w, exitedBefore);
    // An exited runner is settled only once its whole output has been read, a budget per tick.
    if (exitedBefore && caughtUp && !w.finishing) {
      w.finishing = true;
      clearInterval(w.timer);
      w.deadline?.clear();
      clearTimeout(w.killTimer);
      this.watched.delete(jobId);
      await this.opts.ended(jobId, undefined, w.exit?.code ?? null);
    }
  }

  /**
   * Reads new output (at most a read budget per stream), stores plain lines and applies structured
   * records and offsets in one update. True when both streams were read to their end.
   */
  private async drain(jobId: string, w: Watched, final: boolean): Promise<boolean> {
    const now = new Date().toISOString();
    const texts: NewLogLine[] = [];
    const records: RunnerRecord[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      for (const line of w.tailers[stream].read(final)) {
        // Records come on the runner's stdout alone (docs/contracts.md, "Runner protocol").
        const parsed = stream === 'stdout' ? parseRunnerLine(line) : asText(line);
        if (parsed.kind === 'record') {
          records.push(parsed.record);
        } else {
          texts.push({ time: now, stream, text: parsed.text });
        }
      }
    }
    const caughtUp = w.tailers.stdout.caughtUp && w.tailers.stderr.caughtUp;
    const offsets = { stdout: w.tailers.stdout.offset, stderr: w.tailers.stderr.offset };
    let owner = '';
    const metrics: Metric[] = [];
    const rec = await this.opts.kinds.update(jobId, r => {
      owner = r.owner;
      const same = r.runtime.offsets && r.runtime.offsets.stdout === offsets.stdout && r.runtime.offsets.stderr === offsets.stderr;
      if (same && records.length === 0) {
        return false;
      }
      r.runtime.offsets = offsets;
      for (const record of records) {
        this.apply(r, record, metrics, now);
      }
      if (metrics.length) {
        r.recordMetrics?.(metrics);
      }
    });
    if (!rec || (texts.length === 0 && metrics.length === 0)) {
      return caughtUp;
    }
    await this.opts.kinds.of(jobId).produced(jobId, owner, texts, metrics);
    return caughtUp;
  }

  private apply(r: RunView, record: RunnerRecord, metrics: Metric[], now: string): void {
    const workdir = r.runtime.workdir!;
    applyRunnerRecord(r, record, metrics, now, p => {
      const file = path.resolve(workdir, p);
      return file.startsWith(workdir + path.sep) ? path.relative(this.opts.rootDir, file) : undefined;
    });
  }
}

/**
 * Ends a job whose runner is gone: from exit.json when there is one, else with `missingReason`
 * (an adopted runner that vanished) or the process exit code.
 */
export async function settleRun(kinds: RunKinds, jobId: string, missingReason?: string, processCode: number | null = null): Promise<void> {
  await kinds.update(jobId, r => {
    if (isTerminal(r.state)) {
      return false;
    }
    const status = readStatus(r.runtime.workdir);
    const code = status?.exitCode ?? processCode;
    r.output.exitCode = code;
    if (r.state === 'CANCELLING') {
      r.transition('CANCELLED', 'cancelled by the user');
      return;
    }
    if (r.runtime.stoppedEarly) {
      // Killed on purpose because it looked unpromising: its values so far are its result.
      r.transition('SUCCEEDED', 'stopped early');
      return;
    }
    if (r.runtime.timedOut) {
      r.transition('FAILED', 'exceeded maxRunningTime');
      return;
    }
    if (!status && missingReason) {
      r.errorMessage = missingReason;
      r.transition('FAILED', missingReason);
      return;
    }
    if (code === 0) {
      r.transition('SUCCEEDED', 'the runner finished');
      return;
    }
    const reason = status?.reason || (code === null ? 'the runner was killed' : `the runner exited with code ${code}`);
    r.errorMessage = r.runtime.cellError ?? reason;
    r.transition('FAILED', reason.split('\n')[0]);
  });
}


/** The runner's status file, or undefined when absent or unreadable. */
function readStatus(workdir: string | undefined): { exitCode: number; reason: string } | undefined {
  if (!workdir) {
    return undefined;
  }
  try {
    const value = JSON.parse(fs.readFileSync(path.join(workdir, 'exit.json'), 'utf8')) as { exitCode?: unknown; reason?: unknown };
    if (typeof value.exitCode === 'number') {
      return { exitCode: value.exitCode, reason: typeof value.reason === 'string' ? value.reason : '' };
    }
  } catch {
    // Missing or half-written: treated as no status.
  }
  return undefined;
}
