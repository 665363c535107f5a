import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { EventBus } from '../../events.js';
import type { Capacity } from '../../jobs/resources.js';
import type { Allocation, Metric } from '../../jobs/schema.js';
import type { RunPlan } from '../../jobs/spec.js';
import { ACTIVE_STATES, isTerminal } from '../../jobs/states.js';
import { transition, type JobUpdater } from '../../jobs/updater.js';
import type { JobRecord, JobRuntime, NewLogLine, Store } from '../../store/store.js';
import { launchRunner, runnerArgs, runnerEnv } from './launcher.js';
import { parseRunnerLine, type RunnerRecord } from './lines.js';
import { isProcessAlive, signalTree } from './procinfo.js';
import { ResourceQueue } from './queue.js';
import { stageInputs, type SnapshotLimits, type StagedInputs } from './snapshot.js';
import { FileTailer } from './tailer.js';

/** Settings of the local backend. */
export interface LocalBackendOptions {
  store: Store;
  updater: JobUpdater;
  bus: EventBus;
  log: FastifyBaseLogger;
  capacity: Capacity;
  python: string;
  rootDir: string;
  jobsDir: string;
  /** Paths never copied into snapshots (the data directory). */
  excluded: string[];
  limits: SnapshotLimits;
  /** How often logs are read and, for adopted runners, liveness is checked. */
  pollMs?: number;
  /** Time between SIGTERM and SIGKILL when cancelling or timing out. */
  killGraceMs?: number;
  /** Log lines kept per job. */
  maxLogLines?: number;
  /** Environment handed to runners (defaults to the service's). */
  env?: NodeJS.ProcessEnv;
}

/** What the backend keeps in the job's runtime record to start and re-adopt it. */
interface LocalPlan {
  kind: 'notebook' | 'module';
  inputs: StagedInputs;
  parameters?: Record<string, unknown>;
  module?: string;
  moduleArgs?: string[];
  maxRunningMs?: number;
}

/** A runner the backend is watching. */
interface Watched {
  pid: number;
  tailers: { stdout: FileTailer; stderr: FileTailer };
  /** Set once the process is known to have ended; carries its exit code when we were its parent. */
  exit?: { code: number | null };
  /** Undefined for adopted runners, whose exit we can only learn by polling. */
  owned: boolean;
  timer?: NodeJS.Timeout;
  deadline?: NodeJS.Timeout;
  killTimer?: NodeJS.Timeout;
  busy: boolean;
  finishing: boolean;
}

const QUEUE_ORDER_BASE = Date.parse('2020-01-01T00:00:00Z');

/**
 * Runs jobs as runner subprocesses on this machine: queues them by priority and resources, launches
 * and tails them, turns runner records into job state, and on start reconciles the store with the
 * processes that really exist so that nothing is lost or run twice across restarts.
 */
export class LocalBackend {
  private readonly queue: ResourceQueue;
  private readonly watched = new Map<string, Watched>();
  private readonly pollMs: number;
  private readonly killGraceMs: number;
  private readonly maxLogLines: number;
  private stopped = false;

  constructor(private readonly opts: LocalBackendOptions) {
    this.queue = new ResourceQueue(opts.capacity);
    this.pollMs = opts.pollMs ?? 250;
    this.killGraceMs = opts.killGraceMs ?? 10_000;
    this.maxLogLines = opts.maxLogLines ?? 100_000;
  }

  /** The machine capacity the queue hands out. */
  get capacity(): Capacity {
    return this.opts.capacity;
  }

  /** Working directory of a job. */
  workdir(jobId: string): string {
    return path.join(this.opts.jobsDir, jobId);
  }

  /**
   * Snapshots the inputs at submit time into the job's working directory and returns the runtime to
   * store. Refuses to reuse an existing directory, so a duplicate id can never overwrite another job.
   */
  stage(jobId: string, plan: RunPlan): JobRuntime {
    const workdir = this.workdir(jobId);
    fs.mkdirSync(this.opts.jobsDir, { recursive: true });
    try {
      fs.mkdirSync(workdir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw Object.assign(new Error(`working directory of ${jobId} exists`), { code: 'EEXIST' });
      }
      throw err;
    }
    try {
      const inputs = stageInputs(plan, workdir, this.opts.limits, [...this.opts.excluded, this.opts.jobsDir]);
      const local: LocalPlan = {
        kind: plan.kind,
        inputs,
        parameters: plan.notebook?.parameters,
        module: plan.module,
        moduleArgs: plan.moduleArgs,
        maxRunningMs: plan.maxRunningMs
      };
      return { workdir, plan: local, offsets: { stdout: 0, stderr: 0 } };
    } catch (err) {
      this.discard(jobId);
      throw err;
    }
  }

  /** Removes a working directory staged for a submission that did not make it into the store. */
  discard(jobId: string): void {
    fs.rmSync(this.workdir(jobId), { recursive: true, force: true });
  }

  /** Puts a QUEUED job in line and starts whatever fits. */
  enqueue(record: JobRecord, request: { cpu: number; memoryBytes: number; gpu: number }): void {
    this.queue.enqueue({
      jobId: record.job.jobId,
      priority: record.job.trainingInput.priority ?? 'middle',
      order: Date.parse(record.job.createTime) - QUEUE_ORDER_BASE,
      request
    });
    this.pump();
  }

  /** Takes a job out of the queue (it was cancelled while waiting). */
  dequeue(jobId: string): void {
    this.queue.remove(jobId);
  }

  /** Asks a running job's process tree to stop: SIGTERM now, SIGKILL after the grace period. */
  terminate(jobId: string): void {
    const w = this.watched.get(jobId);
    if (!w || w.killTimer) {
      return;
    }
    signalTree(w.pid, 'SIGTERM');
    w.killTimer = setTimeout(() => {
      if (!w.exit) {
        signalTree(w.pid, 'SIGKILL');
      }
    }, this.killGraceMs);
  }

  /** Recovers after a restart: re-queues QUEUED jobs, re-adopts live runners, settles dead ones. */
  async start(): Promise<void> {
    const records = await this.opts.store.listJobsInStates(['QUEUED', ...ACTIVE_STATES]);
    for (const record of records) {
      const { job, runtime } = record;
      if (job.state === 'QUEUED') {
        this.enqueue(record, runtime.request!);
        continue;
      }
      this.queue.reserve(job.jobId, job.trainingOutput.resources);
      if (runtime.pid && isProcessAlive(runtime.pid, runtime.pidStartTime)) {
        this.opts.log.info({ jobId: job.jobId, pid: runtime.pid }, 're-adopting running job');
        this.watch(record, runtime.pid, false);
        if (job.state === 'CANCELLING') {
          this.terminate(job.jobId);
        }
        continue;
      }
      const hasStatus = runtime.workdir && fs.existsSync(path.join(runtime.workdir, 'exit.json'));
      if (hasStatus && runtime.pid) {
        // Finished while we were down: read the rest of its logs and its exit status.
        this.watch(record, runtime.pid, false, { code: null });
      } else {
        await this.settle(job.jobId, 'runner exited while the service was down');
      }
    }
    this.pump();
  }

  /** Stops watching without touching the runners: they keep running and are adopted on the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watched.values()) {
      clearInterval(w.timer);
      clearTimeout(w.deadline);
      clearTimeout(w.killTimer);
    }
    this.watched.clear();
  }

  private pump(): void {
    if (this.stopped) {
      return;
    }
    for (const { jobId, allocation } of this.queue.next()) {
      this.launch(jobId, allocation).catch(err => {
        this.opts.log.error({ err, jobId }, 'launching the runner failed');
      });
    }
  }

  private async launch(jobId: string, allocation: Allocation): Promise<void> {
    const record = await this.opts.updater.update(jobId, rec => {
      if (rec.job.state !== 'QUEUED') {
        return false;
      }
      transition(rec, 'PREPARING', 'resources allocated');
      rec.job.trainingOutput.resources = allocation;
      rec.runtime.gpus = allocation.gpus;
    });
    if (!record || record.job.state !== 'PREPARING') {
      this.release(jobId);
      return;
    }
    const workdir = record.runtime.workdir!;
    const plan = record.runtime.plan as LocalPlan;
    let launched;
    try {
      const args = runnerArgs(plan.kind, plan.inputs, plan);
      launched = await launchRunner(this.opts.python, args, workdir, runnerEnv(this.opts.env ?? process.env, jobId, workdir, allocation));
    } catch (err) {
      this.release(jobId);
      await this.opts.updater.update(jobId, rec => {
        transition(rec, 'FAILED', 'the runner could not be started');
        rec.job.errorMessage = `cannot start ${this.opts.python}: ${(err as Error).message}`;
      });
      return;
    }
    const saved = await this.opts.updater.update(jobId, rec => {
      rec.runtime.pid = launched.pid;
      rec.runtime.pidStartTime = launched.startTime;
    });
    if (!saved || this.stopped) {
      return;
    }
    const w = this.watch(saved, launched.pid, true);
    void launched.exited.then(code => {
      w.exit = { code };
    });
    if (saved.job.state === 'CANCELLING') {
      this.terminate(jobId);
    }
  }

  private watch(record: JobRecord, pid: number, owned: boolean, exit?: { code: number | null }): Watched {
    const { jobId } = record.job;
    const workdir = record.runtime.workdir!;
    const offsets = record.runtime.offsets ?? { stdout: 0, stderr: 0 };
    const w: Watched = {
      pid,
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
    const livenessEvery = Math.max(1, Math.round(1000 / this.pollMs));
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
    }, this.pollMs);
    const maxMs = (record.runtime.plan as LocalPlan | undefined)?.maxRunningMs;
    if (maxMs !== undefined && record.job.startTime) {
      const left = Math.max(0, Date.parse(record.job.startTime) + maxMs - Date.now());
      w.deadline = setTimeout(() => void this.timeOut(jobId, maxMs), left);
    }
    return w;
  }

  private async timeOut(jobId: string, maxMs: number): Promise<void> {
    const w = this.watched.get(jobId);
    if (!w || w.exit) {
      return;
    }
    this.opts.log.warn({ jobId }, 'job exceeded maxRunningTime; killing it');
    await this.opts.updater.update(jobId, rec => {
      rec.runtime.timedOut = true;
      rec.job.errorMessage = `the job ran longer than its maxRunningTime of ${maxMs / 1000}s and was killed`;
    });
    signalTree(w.pid, 'SIGTERM');
    w.killTimer ??= setTimeout(() => {
      if (!w.exit) {
        signalTree(w.pid, 'SIGKILL');
      }
    }, Math.min(this.killGraceMs, 2000));
  }

  private async tick(jobId: string, w: Watched): Promise<void> {
    const exitedBefore = w.exit !== undefined;
    await this.drain(jobId, w, exitedBefore);
    if (exitedBefore && !w.finishing) {
      w.finishing = true;
      clearInterval(w.timer);
      clearTimeout(w.deadline);
      clearTimeout(w.killTimer);
      this.watched.delete(jobId);
      await this.settle(jobId, undefined, w.exit?.code ?? null);
    }
  }

  /** Reads new output, stores plain lines and applies structured records and offsets in one update. */
  private async drain(jobId: string, w: Watched, final: boolean): Promise<void> {
    const now = new Date().toISOString();
    const texts: NewLogLine[] = [];
    const records: RunnerRecord[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      for (const line of w.tailers[stream].read(final)) {
        const parsed = parseRunnerLine(line);
        if (parsed.kind === 'record') {
          records.push(parsed.record);
        } else {
          texts.push({ time: now, stream, text: parsed.text });
        }
      }
    }
    const offsets = { stdout: w.tailers.stdout.offset, stderr: w.tailers.stderr.offset };
    let owner = '';
    const metrics: Metric[] = [];
    const rec = await this.opts.updater.update(jobId, r => {
      owner = r.job.owner;
      const same = r.runtime.offsets && r.runtime.offsets.stdout === offsets.stdout && r.runtime.offsets.stderr === offsets.stderr;
      if (same && records.length === 0) {
        return false;
      }
      r.runtime.offsets = offsets;
      for (const record of records) {
        this.apply(r, record, metrics, now);
      }
    });
    if (!rec) {
      return;
    }
    if (texts.length) {
      const lines = await this.opts.store.appendLogs(jobId, texts, this.maxLogLines);
      this.opts.bus.publish({ type: 'log', owner, jobId, lines });
    }
    if (metrics.length) {
      await this.opts.store.addMetrics(jobId, metrics);
      for (const m of metrics) {
        this.opts.bus.publish({ type: 'metric', owner, jobId, ...m });
      }
    }
  }

  private apply(r: JobRecord, record: RunnerRecord, metrics: Metric[], now: string): void {
    const out = r.job.trainingOutput;
    switch (record.type) {
      case 'started':
        if (r.job.state === 'PREPARING') {
          transition(r, 'RUNNING', 'the runner started executing');
        }
        out.totalCells = record.totalCells ?? out.totalCells;
        break;
      case 'progress':
        out.completedCells = Math.max(out.completedCells, record.cell + 1);
        out.totalCells = record.totalCells ?? out.totalCells;
        break;
      case 'metric': {
        const step = typeof record.step === 'number' ? record.step : metrics.length + Object.keys(out.latestMetrics).length;
        for (const [name, value] of Object.entries(record.values ?? {})) {
          if (typeof value === 'number' && Number.isFinite(value)) {
            metrics.push({ step, name, value, time: record.time ?? now });
            out.latestMetrics[name] = value;
          }
        }
        break;
      }
      case 'error': {
        const cell = record.cell !== undefined ? `Cell ${record.cell} raised ` : '';
        r.runtime.cellError = `${cell}${record.ename ?? 'Error'}: ${record.evalue ?? ''}${record.traceback ? `\n${record.traceback}` : ''}`;
        break;
      }
      case 'output': {
        const workdir = r.runtime.workdir!;
        const rel = (p: string) => path.relative(this.opts.rootDir, path.resolve(workdir, p));
        if (record.notebook) {
          out.outputNotebook = rel(record.notebook);
        }
        if (record.html) {
          out.outputHtml = rel(record.html);
        }
        break;
      }
    }
  }

  /**
   * Ends a job whose runner is gone: from exit.json when there is one, else with `missingReason`
   * (an adopted runner that vanished) or the process exit code.
   */
  private async settle(jobId: string, missingReason?: string, processCode: number | null = null): Promise<void> {
    this.release(jobId);
    await this.opts.updater.update(jobId, r => {
      if (isTerminal(r.job.state)) {
        return false;
      }
      const status = readStatus(r.runtime.workdir);
      const code = status?.exitCode ?? processCode;
      r.job.trainingOutput.exitCode = code;
      if (r.job.state === 'CANCELLING') {
        transition(r, 'CANCELLED', 'cancelled by the user');
        return;
      }
      if (r.runtime.timedOut) {
        transition(r, 'FAILED', 'exceeded maxRunningTime');
        return;
      }
      if (!status && missingReason) {
        r.job.errorMessage = missingReason;
        transition(r, 'FAILED', missingReason);
        return;
      }
      if (code === 0) {
        transition(r, 'SUCCEEDED', 'the runner finished');
        return;
      }
      const reason = status?.reason || (code === null ? 'the runner was killed' : `the runner exited with code ${code}`);
      r.job.errorMessage = r.runtime.cellError ?? reason;
      transition(r, 'FAILED', reason.split('\n')[0]);
    });
    this.pump();
  }

  private release(jobId: string): void {
    this.queue.release(jobId);
  }
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
