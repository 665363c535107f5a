import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../../errors.js';
import type { Capacity } from '../../jobs/resources.js';
import type { Allocation } from '../../schemas/jobs.js';
import type { RunPlan } from '../../jobs/spec.js';
import { failpoint } from '../../failpoints.js';
import type { JobRuntime } from '../../store/store.js';
import { jobEnv, launchRunner, runnerArgs, runnerEnv, type LaunchedRunner } from './launcher.js';
import { WarmTemplate } from './warm.js';
import { checkKernel, KernelCatalog, notebookKernelName, RUNNER_KERNEL } from './kernels.js';
import { checkSecretRefs, secretsFileOf } from './secrets.js';
import { findRunnerIn, isProcessAlive } from '../../process/procinfo.js';
import { ResourceQueue } from './queue.js';
import { stageInputs, type SnapshotLimits } from './snapshot.js';
import type { LocalPlan } from './plan.js';
import type { Backend, BackendInfo, DeriveChange, RunKind, RunRequest, StageContext } from '../backend.js';
import { RunKinds } from '../runs.js';
import { RunnerWatches, settleRun } from './watcher.js';
import { LocalUsageSampler, type UsageSink } from './usageSampler.js';
import { childEnv } from './childEnv.js';

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
  /** Fork runners from a warm, pre-imported template (default) rather than start each cold. */
  warm?: boolean;
  /** Where resource usage samples of running runs go; none are taken without it. */
  recordUsage?: UsageSink;
  /** Time between two usage samples of a run (5 s when absent). */
  usageIntervalMs?: number;
  /** Folder of the users' secrets files (`<user>.json`). */
  secretsDir: string;
}

/**
 * Runs "runs" (a training job, or one trial of an HPO job) as runner subprocesses on this machine:
 * queues them by priority and resources, launches them (the {@link RunnerWatches} tail and settle them),
 * and on start reconciles the store with the processes that really exist so that nothing is lost or run
 * twice across restarts. Where a run's record lives is the business of its {@link RunKind}.
 */
export class LocalBackend implements Backend {
  readonly name = 'local' as const;
  private queue: ResourceQueue;
  private readonly watches: RunnerWatches;
  private readonly kinds = new RunKinds();
  private readonly template?: WarmTemplate;
  private readonly usage?: LocalUsageSampler;
  /** The kernelspecs installed for the runner's Python. */
  readonly kernels: KernelCatalog;
  private stopped = false;

  constructor(private readonly opts: LocalBackendOptions) {
    this.queue = new ResourceQueue(opts.capacity);
    this.kernels = new KernelCatalog(opts.python, childEnv(opts.env ?? process.env));
    this.watches = new RunnerWatches({
      log: opts.log,
      kinds: this.kinds,
      rootDir: opts.rootDir,
      pollMs: opts.pollMs ?? 250,
      killGraceMs: opts.killGraceMs ?? 10_000,
      ended: (runId, missingReason, exitCode) => this.settle(runId, missingReason, exitCode)
    });
    if (opts.warm ?? true) {
      // Unbuffered like every runner's interpreter (runnerEnv): the forks inherit the interpreter's setting.
      const env = { ...childEnv(opts.env ?? process.env), PYTHONUNBUFFERED: '1' };
      this.template = new WarmTemplate({ python: opts.python, env, cwd: '/', log: opts.log });
    }
    if (opts.recordUsage) {
      this.usage = new LocalUsageSampler({
        log: opts.log,
        intervalMs: opts.usageIntervalMs ?? 5000,
        runs: () => this.watches.running(),
        record: opts.recordUsage
      });
    }
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
  async stage(jobId: string, plan: RunPlan, context: StageContext): Promise<JobRuntime> {
    if (context.input.podTemplate) {
      const field = 'trainingInput.podTemplate';
      throw new ServiceError('invalid_argument', `${field}: pod settings apply only to the kubernetes backend`, field);
    }
    const secrets = checkSecretRefs(secretsFileOf(this.opts.secretsDir, context.owner), plan.env.secrets);
    let kernel: string | undefined;
    if (plan.notebook) {
      const fromNotebook = plan.kernel?.name === undefined;
      kernel = plan.kernel?.name ?? notebookKernelName(plan.notebook.absPath);
      const fallback = plan.kernel?.fallback;
      // python3 is always there (the runner's own ipykernel): only other names need the listing.
      if ((kernel ?? RUNNER_KERNEL) !== RUNNER_KERNEL || (fallback ?? RUNNER_KERNEL) !== RUNNER_KERNEL) {
        const installed = (await this.kernels.list()).map(k => k.name);
        checkKernel({ name: kernel, fallback, fromNotebook }, installed);
      }
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
        maxRunningMs: plan.maxRunningMs,
        ...(Object.keys(plan.env.values).length ? { env: plan.env.values } : {}),
        ...(secrets ? { secrets } : {}),
        ...(kernel ? { kernel } : {}),
        ...(plan.kernel?.fallback ? { kernelFallback: plan.kernel.fallback } : {})
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
  terminate(runId: string, graceMs?: number): void {
    this.watches.terminate(runId, graceMs);
  }

  describe(): BackendInfo {
    return { name: 'local' };
  }

  /** Whether the backend is watching a live process for the run. */
  isWatching(runId: string): boolean {
    return this.watches.has(runId);
  }

  /**
   * Recovers after a restart (or on becoming leader): re-queues QUEUED runs, re-adopts live runners,
   * settles dead ones. The queue is rebuilt from the store, so a second start after a stop holds nothing stale.
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.queue = new ResourceQueue(this.opts.capacity);
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
          this.watches.watch(runId, run, runtime.pid, false);
          if (run.state === 'CANCELLING' || runtime.stoppedEarly) {
            this.terminate(runId);
          }
          continue;
        }
        const hasStatus = runtime.workdir && fs.existsSync(path.join(runtime.workdir, 'exit.json'));
        if (hasStatus) {
          // Finished while we were down (also one whose pid was never saved): read the rest and its status.
          this.watches.watch(runId, run, runtime.pid ?? 0, false, { code: null });
        } else {
          await this.settle(runId, 'runner exited while the service was down');
        }
      }
    }
    this.usage?.start();
    this.pump();
  }

  /** Stops watching without touching the runners: they keep running and are adopted on the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.usage?.stop();
    this.watches.clear();
    this.template?.stop();
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
    let launched: LaunchedRunner & { warm: boolean };
    try {
      if (run.runtime.snapshotFrom) {
        copySnapshot(run.runtime.snapshotFrom, workdir);
      }
      const args = runnerArgs(plan.kind, plan.inputs, plan);
      // The job's variables may replace passed-through ones (LANG, TZ), never the service's own (checked at submit).
      const env = { ...runnerEnv(this.opts.env ?? process.env, runId, workdir, allocation), ...jobEnv(plan), ...(run.runtime.env ?? {}) };
      launched = await this.startRunner(args, workdir, env);
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
    // A forked runner is the template's child: while the template lives it reports the exit, and
    // liveness polling covers the case where it died first.
    this.watches.watch(runId, saved, launched.pid, !launched.warm);
    void launched.exited.then(code => this.watches.exited(runId, code));
    if (saved.state === 'CANCELLING' || saved.runtime.stoppedEarly) {
      this.terminate(runId);
    }
  }

  /** Forks the runner from the warm template, or starts it cold when there is none or it failed. */
  private async startRunner(args: string[], workdir: string, env: NodeJS.ProcessEnv): Promise<LaunchedRunner & { warm: boolean }> {
    if (this.template) {
      try {
        return { ...(await this.template.launch(args, workdir, env)), warm: true };
      } catch (err) {
        this.opts.log.warn({ err }, 'the warm runner template failed; starting the runner cold');
      }
    }
    return { ...(await launchRunner(this.opts.python, args, workdir, env)), warm: false };
  }

  /** Ends a run whose runner is gone and starts what its resources now allow. */
  private async settle(runId: string, missingReason?: string, processCode: number | null = null): Promise<void> {
    this.release(runId);
    await settleRun(this.kinds, runId, missingReason, processCode);
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
