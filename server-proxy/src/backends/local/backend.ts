import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../../errors.js';
import type { Capacity } from '../../jobs/resources.js';
import type { Allocation, Metric } from '../../schemas/jobs.js';
import type { RunPlan } from '../../jobs/spec.js';
import { isTerminal } from '../../jobs/states.js';
import { failpoint } from '../../failpoints.js';
import { setLongTimeout, type LongTimer } from '../../longTimer.js';
import type { JobRuntime, NewLogLine } from '../../store/store.js';
import { launchRunner, runnerArgs, runnerEnv } from './launcher.js';
import { applyRunnerRecord } from '../records.js';
import { asText, parseRunnerLine, type RunnerRecord } from '../../runner/protocol.js';
import { findRunnerIn, isProcessAlive, signalTree } from '../../process/procinfo.js';
import { ResourceQueue } from './queue.js';
import { stageInputs, type SnapshotLimits, type StagedInputs } from './snapshot.js';
import type { Backend, BackendInfo, DeriveChange, RunKind, RunRequest, RunView, StageContext } from '../backend.js';
import { RunKinds } from '../runs.js';
import { FileTailer } from './tailer.js';

/** Settings of the local backend. */
export interface LocalBackendOptions {
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
  /** Environment handed to runners (defaults to the service's). */
  env?: NodeJS.ProcessEnv;
}

/** What the backend keeps in a run's runtime record to start and re-adopt it. */
export interface LocalPlan {
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
  deadline?: LongTimer;
  killTimer?: NodeJS.Timeout;
  busy: boolean;
  finishing: boolean;
}

/**
 * Runs "runs" (a training job, or one trial of an HPO job) as runner subprocesses on this machine:
 * queues them by priority and resources, launches and tails them, turns runner records into run state,
 * and on start reconciles the store with the processes that really exist so that nothing is lost or run
 * twice across restarts. Where a run's record lives is the business of its {@link RunKind}.
 */
export class LocalBackend implements Backend {
  readonly name = 'local' as const;
  private readonly queue: ResourceQueue;
  private readonly watched = new Map<string, Watched>();
  private readonly pollMs: number;
  private readonly killGraceMs: number;
  private readonly kinds = new RunKinds();
  private stopped = false;

  constructor(private readonly opts: LocalBackendOptions) {
    this.queue = new ResourceQueue(opts.capacity);
    this.pollMs = opts.pollMs ?? 250;
    this.killGraceMs = opts.killGraceMs ?? 10_000;
  }

  /** Registers a kind of run; call before {@link start}. */
  addKind(kind: RunKind): void {
    this.kinds.add(kind);
  }

  /** The machine capacity the queue hands out. */
  get capacity(): Capacity {
    return this.opts.capacity;
  }

  /** Working directory of a run (`<jobs-dir>/<jobId>` or `<jobs-dir>/<jobId>/trials/<trialId>`). */
  workdir(runId: string): string {
    return path.join(this.opts.jobsDir, runId);
  }

  /**
   * The runtime of a run that reuses a staged run's inputs (a trial of an HPO job): same plan with its
   * own parameters or extra arguments, its own working directory, inputs copied from the parent's
   * snapshot right before it launches.
   */
  derive(parent: JobRuntime, runId: string, change: DeriveChange): JobRuntime {
    const plan = { ...(parent.plan as LocalPlan) };
    if (change.parameters) {
      plan.parameters = { ...(plan.parameters ?? {}), ...change.parameters };
    }
    if (change.extraArgs) {
      plan.moduleArgs = [...(plan.moduleArgs ?? []), ...change.extraArgs];
    }
    return {
      workdir: this.workdir(runId),
      plan,
      offsets: { stdout: 0, stderr: 0 },
      snapshotFrom: path.join(parent.workdir!, 'snapshot'),
      env: change.env,
      request: parent.request
    };
  }

  /**
   * Snapshots the inputs at submit time into the job's working directory and returns the runtime to
   * store. Refuses to reuse an existing directory, so a duplicate id can never overwrite another job.
   */
  stage(jobId: string, plan: RunPlan, context?: StageContext): JobRuntime {
    if (context?.input.podTemplate) {
      const field = 'trainingInput.podTemplate';
      throw new ServiceError('invalid_argument', `${field}: pod settings apply only to the kubernetes backend`, field);
    }
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

  /** An ended job's folder holds its trials' folders too. */
  async purge(jobId: string): Promise<void> {
    await fs.promises.rm(this.workdir(jobId), { recursive: true, force: true });
  }

  /** Puts a QUEUED run in line and starts whatever fits. */
  enqueue(item: RunRequest): void {
    this.queue.enqueue({ jobId: item.runId, priority: item.priority, order: item.order, request: item.request });
    this.pump();
  }

  /** Takes a run out of the queue (it was cancelled while waiting); true when it was waiting. */
  dequeue(runId: string): boolean {
    return this.queue.remove(runId);
  }

  /**
   * Asks a running run's process tree to stop: SIGTERM now, SIGKILL after the grace period (or
   * `graceMs`: an early-stopped trial need not be given long).
   */
  terminate(runId: string, graceMs = this.killGraceMs): void {
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

  describe(): BackendInfo {
    return { name: 'local' };
  }

  /** Whether the backend is watching a live process for the run. */
  isWatching(runId: string): boolean {
    return this.watched.has(runId);
  }

  /** Recovers after a restart: re-queues QUEUED runs, re-adopts live runners, settles dead ones. */
  async start(): Promise<void> {
    for (const kind of this.kinds) {
      for (const { runId, run, queue } of await kind.recoverable()) {
        const { runtime } = run;
        if ((runtime.backend ?? 'local') !== 'local') {
          continue;
        }
        if (run.state === 'QUEUED') {
          if (queue) {
            this.queue.enqueue({ jobId: runId, priority: queue.priority, order: queue.order, request: queue.request });
          }
          continue;
        }
        this.queue.reserve(runId, run.output.resources);
        if (!runtime.pid && runtime.workdir) {
          // Spawned, but the service died before saving the pid: find the runner by its folder.
          const found = findRunnerIn(runtime.workdir);
          if (found) {
            this.opts.log.warn({ runId, pid: found.pid }, 'found a runner whose pid was never saved; adopting it');
            const saved = await this.kinds.update(runId, r => {
              r.runtime.pid = found.pid;
              r.runtime.pidStartTime = found.startTime;
            });
            runtime.pid = found.pid;
            runtime.pidStartTime = found.startTime;
            if (saved) {
              run.runtime = saved.runtime;
            }
          }
        }
        if (runtime.pid && isProcessAlive(runtime.pid, runtime.pidStartTime)) {
          this.opts.log.info({ runId, pid: runtime.pid }, 're-adopting running runner');
          this.watch(runId, run, runtime.pid, false);
          if (run.state === 'CANCELLING' || runtime.stoppedEarly) {
            this.terminate(runId);
          }
          continue;
        }
        const hasStatus = runtime.workdir && fs.existsSync(path.join(runtime.workdir, 'exit.json'));
        if (hasStatus) {
          // Finished while we were down (also one whose pid was never saved): read the rest and its status.
          this.watch(runId, run, runtime.pid ?? 0, false, { code: null });
        } else {
          await this.settle(runId, 'runner exited while the service was down');
        }
      }
    }
    this.pump();
  }

  /** Stops watching without touching the runners: they keep running and are adopted on the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watched.values()) {
      clearInterval(w.timer);
      w.deadline?.clear();
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

  private async launch(runId: string, allocation: Allocation): Promise<void> {
    const run = await this.kinds.update(runId, r => {
      if (r.state !== 'QUEUED') {
        return false;
      }
      r.transition('PREPARING', 'resources allocated');
      r.output.resources = allocation;
      r.runtime.gpus = allocation.gpus;
    });
    if (!run || run.state !== 'PREPARING') {
      this.release(runId);
      return;
    }
    const workdir = run.runtime.workdir!;
    const plan = run.runtime.plan as LocalPlan;
    let launched;
    try {
      if (run.runtime.snapshotFrom) {
        copySnapshot(run.runtime.snapshotFrom, workdir);
      }
      const args = runnerArgs(plan.kind, plan.inputs, plan);
      const env = { ...runnerEnv(this.opts.env ?? process.env, runId, workdir, allocation), ...(run.runtime.env ?? {}) };
      launched = await launchRunner(this.opts.python, args, workdir, env);
      failpoint('after-spawn');
    } catch (err) {
      this.release(runId);
      await this.kinds.update(runId, r => {
        r.transition('FAILED', 'the runner could not be started');
        r.errorMessage = `cannot start ${this.opts.python}: ${(err as Error).message}`;
      });
      this.pump();
      return;
    }
    const saved = await this.kinds.update(runId, r => {
      r.runtime.pid = launched.pid;
      r.runtime.pidStartTime = launched.startTime;
    });
    if (!saved || this.stopped) {
      return;
    }
    const w = this.watch(runId, saved, launched.pid, true);
    void launched.exited.then(code => {
      w.exit = { code };
    });
    if (saved.state === 'CANCELLING' || saved.runtime.stoppedEarly) {
      this.terminate(runId);
    }
  }

  private watch(jobId: string, record: RunView, pid: number, owned: boolean, exit?: { code: number | null }): Watched {
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
    await this.kinds.update(jobId, r => {
      r.runtime.timedOut = true;
      r.errorMessage = `the job ran longer than its maxRunningTime of ${maxMs / 1000}s and was killed`;
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
    const caughtUp = await this.drain(jobId, w, exitedBefore);
    // An exited runner is settled only once its whole output has been read, a budget per tick.
    if (exitedBefore && caughtUp && !w.finishing) {
      w.finishing = true;
      clearInterval(w.timer);
      w.deadline?.clear();
      clearTimeout(w.killTimer);
      this.watched.delete(jobId);
      await this.settle(jobId, undefined, w.exit?.code ?? null);
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
    const rec = await this.kinds.update(jobId, r => {
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
    await this.kinds.of(jobId).produced(jobId, owner, texts, metrics);
    return caughtUp;
  }

  private apply(r: RunView, record: RunnerRecord, metrics: Metric[], now: string): void {
    const workdir = r.runtime.workdir!;
    applyRunnerRecord(r, record, metrics, now, p => {
      const file = path.resolve(workdir, p);
      return file.startsWith(workdir + path.sep) ? path.relative(this.opts.rootDir, file) : undefined;
    });
  }

  /**
   * Ends a job whose runner is gone: from exit.json when there is one, else with `missingReason`
   * (an adopted runner that vanished) or the process exit code.
   */
  private async settle(jobId: string, missingReason?: string, processCode: number | null = null): Promise<void> {
    this.release(jobId);
    await this.kinds.update(jobId, r => {
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
    this.pump();
  }

  private release(jobId: string): void {
    this.queue.release(jobId);
  }
}

/**
 * Gives a derived run its own copy of the parent's snapshot: parallel trials must not share a working
 * folder. Copied aside and renamed, so a crash mid-copy never leaves a half snapshot that looks whole.
 */
function copySnapshot(from: string, workdir: string): void {
  const target = path.join(workdir, 'snapshot');
  if (fs.existsSync(target)) {
    return;
  }
  fs.mkdirSync(workdir, { recursive: true });
  const partial = path.join(workdir, '.snapshot.partial');
  fs.rmSync(partial, { recursive: true, force: true });
  fs.cpSync(from, partial, { recursive: true });
  fs.renameSync(partial, target);
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
