import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors.js';
import type { Backend, RecoveredRun, RunKind, RunView } from '../backends/backend.js';
import { queueOrder } from '../jobs/queueOrder.js';
import { publicJobId } from '../jobs/ids.js';
import type { EventBus } from '../events.js';
import {
  createRng,
  createSuggester,
  shouldStopTrial,
  validateHyperparameterSpec,
  type Assignment,
  type HyperparameterSpec,
  type StoppingRule,
  type TrialCurve,
  type TrialRecord as SearchTrial
} from '../hpo/index.js';
import type { JobRecord, LogRetention, NewLogLine, Store, TrialPage, TrialRecord } from '../store/store.js';
import type { HyperparameterOutputMetric, HyperparameterSpecBody, Job, JobState, Metric, Trial, TrainingInput } from '../schemas/jobs.js';
import { isHpoJob } from './jobRuns.js';
import { LOG_RETENTION, readLogPage, type LogPage } from './logs.js';
import { METRIC_RETENTION } from '../jobs/metrics.js';
import { ACTIVE_STATES, assertTransition, isTerminal } from '../jobs/states.js';
import { transition, type JobUpdater } from './statusUpdater.js';

/** Output files a trial may serve. */
export const TRIAL_OUTPUT_NAMES = ['output.ipynb', 'output.html'] as const;

const SPEC_PATH = 'trainingInput.hyperparameters';

/** The run id of a trial: its logs and metrics are stored under it, its folder is `<jobs-dir>/<runId>`. */
export function trialRunId(jobId: string, trialId: string): string {
  return `${jobId}/trials/${trialId}`;
}

function parseRunId(runId: string): { jobId: string; trialId: string } {
  const [jobId, , trialId] = runId.split('/');
  return { jobId, trialId };
}

/**
 * Checks what the request schema cannot about an HPO spec: the engine's rules (ranges, grid size,
 * duplicates) and ours (a metric tag is needed to judge trials). Throws a 400 naming the first field.
 */
export function validateHpoInput(input: TrainingInput): void {
  const spec = input.hyperparameters;
  if (!spec) {
    return;
  }
  const { metricSelection: _m, earlyStopping: _e, resumePreviousJobId, ...engineSpec } = spec;
  const issues = validateHyperparameterSpec(
    resumePreviousJobId ? { ...engineSpec, resumePreviousJobId } : engineSpec,
    SPEC_PATH
  );
  if (!spec.hyperparameterMetricTag || spec.hyperparameterMetricTag.trim() === '') {
    issues.push({ field: `${SPEC_PATH}.hyperparameterMetricTag`, message: 'is required: the metric the trials report' });
  }
  if (issues.length) {
    const message = issues.map(i => `${i.field}: ${i.message}`).join('; ');
    throw new ServiceError('invalid_argument', message, issues[0].field);
  }
}

/** Keys sorted, so two specs compare equal whatever order their fields were written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The objective of a trial from its intermediate values: the last one, or the best for the goal. */
export function selectObjective(
  values: readonly HyperparameterOutputMetric[],
  spec: Pick<HyperparameterSpecBody, 'goal' | 'metricSelection'>
): HyperparameterOutputMetric | null {
  if (values.length === 0) {
    return null;
  }
  if (spec.metricSelection !== 'BEST') {
    return values[values.length - 1];
  }
  const better = (a: number, b: number) => (spec.goal === 'MINIMIZE' ? a < b : a > b);
  return values.reduce((best, v) => (better(v.objectiveValue, best.objectiveValue) ? v : best));
}

/** A trial's record seen as a run of the backend. */
function trialView(record: TrialRecord, spec: HyperparameterSpecBody): RunView {
  const { trial } = record;
  return {
    get owner() {
      return record.owner;
    },
    get state() {
      return trial.state;
    },
    get startTime() {
      return trial.startTime;
    },
    get runtime() {
      return record.runtime;
    },
    set runtime(value) {
      record.runtime = value as TrialRecord['runtime'];
    },
    get output() {
      return record.runtime.output;
    },
    set output(value) {
      record.runtime.output = value;
    },
    get errorMessage() {
      return trial.errorMessage;
    },
    set errorMessage(value) {
      trial.errorMessage = value;
    },
    transition(to: JobState, reason: string) {
      let target = to;
      if (to === 'SUCCEEDED' && record.runtime.infeasible) {
        // A diverged objective is no measurement: the trial fails as infeasible and the search avoids it.
        target = 'FAILED';
        trial.finalMetric = null;
        trial.errorMessage = `infeasible: ${record.runtime.infeasible}`;
      } else if (to === 'SUCCEEDED' && !trial.finalMetric) {
        // A trial without its objective says nothing to the search: it counts as failed.
        target = 'FAILED';
        trial.errorMessage = `metric ${spec.hyperparameterMetricTag} was never reported`;
      }
      assertTransition(trial.state, target);
      const time = new Date().toISOString();
      trial.state = target;
      if (target === 'PREPARING' && !trial.startTime) {
        trial.startTime = time;
      }
      if (isTerminal(target)) {
        trial.endTime = time;
      }
      void reason;
    },
    recordMetrics(metrics: Metric[]) {
      for (const m of metrics) {
        if (m.name === spec.hyperparameterMetricTag) {
          trial.allMetrics.push({ trainingStep: m.step, objectiveValue: m.value });
        }
      }
      trial.finalMetric = selectObjective(trial.allMetrics, spec);
    },
    recordNonFinite(name: string, step: number, value: string) {
      if (name === spec.hyperparameterMetricTag && !record.runtime.infeasible) {
        record.runtime.infeasible = `metric ${name} was ${value} at step ${step}`;
      }
    }
  };
}

/** What the experiment controller needs from the rest of the service. */
export interface ExperimentDeps {
  store: Store;
  jobs: JobUpdater;
  backend: Backend;
  bus: EventBus;
  log: FastifyBaseLogger;
  rootDir: string;
  /** SIGTERM-to-SIGKILL time for early-stopped trials. */
  stopGraceMs?: number;
  /** How much of each trial's log is kept. */
  logRetention?: LogRetention;
}

/**
 * Most trials created in one reconcile pass. The store, the search and the queue work synchronously, so a
 * 1,000-parallel-trial job created in one pass held the event loop (and every other request) for seconds.
 */
export const TRIAL_BATCH = 10;

/**
 * Runs HPO jobs: keeps up to maxParallelTrials trials in flight through the job's backend, asks the
 * search algorithm for new points with everything known so far, stops unpromising trials early and
 * ends the job as the contract says. Every decision is re-derived from the store ("reconcile"), so a
 * restarted service simply reconciles every unfinished experiment and carries on.
 */
export class Experiments implements RunKind {
  private readonly trialLocks = new Map<string, Promise<unknown>>();
  private readonly reconciling = new Map<string, { running: Promise<void>; again: boolean }>();
  private started = false;

  constructor(private readonly deps: ExperimentDeps) {}

  // ---- the run kind: trials as runs of the backend ----

  owns(runId: string): boolean {
    return runId.includes('/trials/');
  }

  async update(runId: string, mutate: (run: RunView) => boolean | void): Promise<RunView | undefined> {
    const { jobId, trialId } = parseRunId(runId);
    const spec = await this.specOf(jobId);
    if (!spec) {
      return undefined;
    }
    let view: RunView | undefined;
    const record = await this.updateTrial(jobId, trialId, rec => {
      view = trialView(rec, spec);
      return mutate(view);
    });
    return record ? view : undefined;
  }

  async recoverable(): Promise<RecoveredRun[]> {
    const out: RecoveredRun[] = [];
    const jobs = new Map<string, JobRecord | undefined>();
    for (const rec of await this.deps.store.listTrialsInStates(['QUEUED', ...ACTIVE_STATES])) {
      const { jobId, trialId } = rec.trial;
      if (!jobs.has(jobId)) {
        jobs.set(jobId, await this.deps.store.getJob(jobId));
      }
      const job = jobs.get(jobId);
      const spec = job?.job.trainingInput.hyperparameters;
      if (!job || !spec) {
        continue;
      }
      const runId = trialRunId(jobId, trialId);
      const queue =
        rec.trial.state === 'QUEUED' && !isTerminal(job.job.state) && job.job.state !== 'CANCELLING'
          ? { runId, priority: rec.runtime.queue.priority, order: rec.runtime.queue.order, request: rec.runtime.request! }
          : undefined;
      // A queued trial of an ended job is left to the reconcile, which cancels it.
      out.push({ runId, run: trialView(rec, spec), queue });
    }
    return out;
  }

  async produced(runId: string, owner: string, texts: NewLogLine[], metrics: Metric[]): Promise<void> {
    if (texts.length) {
      const lines = await this.deps.store.appendLogs(runId, texts, this.deps.logRetention ?? LOG_RETENTION);
      this.deps.bus.publish({ type: 'log', owner, jobId: runId, lines });
    }
    if (metrics.length) {
      await this.deps.store.addMetrics(runId, metrics, METRIC_RETENTION);
    }
  }

  // ---- the controller ----

  /** Resumes every unfinished experiment; call after the backend has recovered its runs. */
  async start(): Promise<void> {
    this.started = true;
    const records = await this.deps.store.listJobsInStates(['QUEUED', ...ACTIVE_STATES]);
    await Promise.all(records.filter(isHpoJob).map(r => this.reconcile(r.job.jobId)));
  }

  /** Stops reacting (the service is shutting down); running trials keep running. */
  stop(): void {
    this.started = false;
  }

  /** Checks the resume source of a new HPO job: the caller's own HPO job with the same params. */
  async checkResume(owner: string, spec: HyperparameterSpecBody): Promise<void> {
    const previous = spec.resumePreviousJobId;
    if (!previous) {
      return;
    }
    const field = `${SPEC_PATH}.resumePreviousJobId`;
    const record = await this.deps.store.getJob(previous);
    const shown = publicJobId(previous);
    const prevSpec = record?.job.trainingInput.hyperparameters;
    if (!record || record.job.owner !== owner || !prevSpec) {
      throw new ServiceError('invalid_argument', `${field}: no HPO job ${shown} to resume from`, field);
    }
    if (canonical(prevSpec.params) !== canonical(spec.params)) {
      throw new ServiceError('invalid_argument', `${field}: job ${shown} searched different params`, field);
    }
    if ((prevSpec.hyperparameterMetricTag ?? '') !== (spec.hyperparameterMetricTag ?? '')) {
      throw new ServiceError('invalid_argument', `${field}: job ${shown} optimized another metric`, field);
    }
  }

  /** The trainingOutput fields of a new HPO job. */
  initialOutput(spec: HyperparameterSpecBody): Partial<Job['trainingOutput']> {
    return {
      isHyperparameterTuningJob: true,
      hyperparameterMetricTag: spec.hyperparameterMetricTag,
      completedTrialCount: 0,
      trialCounts: {},
      bestTrial: null
    };
  }

  /** Stop without delete: no new trials; the job succeeds once running trials have ended. */
  async requestStop(jobId: string): Promise<JobRecord | undefined> {
    let error: ServiceError | undefined;
    const record = await this.deps.jobs.update(jobId, r => {
      if (!isHpoJob(r)) {
        error = new ServiceError('failed_precondition', `job ${publicJobId(jobId)} is not an HPO job; use cancel`);
        return false;
      }
      if (isTerminal(r.job.state) || r.job.state === 'CANCELLING') {
        error = new ServiceError('failed_precondition', `job ${publicJobId(jobId)} has already ended (${r.job.state})`);
        return false;
      }
      r.runtime.hpo = { ...r.runtime.hpo, stopRequested: true };
      r.job.stateHistory.push({ state: r.job.state, time: new Date().toISOString(), reason: 'stop requested: no new trials' });
    });
    if (error) {
      throw error;
    }
    this.schedule(jobId);
    return record;
  }

  /** Resolves once no experiment is being reconciled (tests and shutdown wait on it). */
  async idle(): Promise<void> {
    while (this.reconciling.size > 0 || this.trialLocks.size > 0) {
      await Promise.all([...this.reconciling.values()].map(e => e.running));
      await Promise.all([...this.trialLocks.values()].map(p => p.catch(() => undefined)));
    }
  }

  /** Re-examines a job soon (after a trial or the job changed); calls coalesce. */
  schedule(jobId: string): void {
    if (!this.started) {
      return;
    }
    void this.reconcile(jobId);
  }

  private reconcile(jobId: string): Promise<void> {
    const current = this.reconciling.get(jobId);
    if (current) {
      current.again = true;
      return current.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          await this.reconcileOnce(jobId);
        } while (entry.again && this.started);
      } catch (err) {
        this.deps.log.error({ err, jobId }, 'reconciling the HPO job failed');
      } finally {
        this.reconciling.delete(jobId);
      }
    })();
    this.reconciling.set(jobId, entry);
    return entry.running;
  }

  private async reconcileOnce(jobId: string): Promise<void> {
    const { store, backend } = this.deps;
    const record = await store.getJob(jobId);
    const spec = record?.job.trainingInput.hyperparameters;
    if (!record || !spec) {
      return;
    }
    const trials = await store.listAllTrials(jobId);
    const active = trials.filter(t => !isTerminal(t.trial.state));
    const job = record.job;

    if (isTerminal(job.state) || job.state === 'CANCELLING' || record.runtime.hpo?.stopRequested) {
      // Ending: nothing new starts; queued trials are dropped, running ones end (unless merely stopping).
      const stopping = !isTerminal(job.state) && job.state !== 'CANCELLING';
      for (const t of active) {
        if (!stopping || t.trial.state === 'QUEUED') {
          await this.cancelTrial(t);
        }
      }
    } else if (spec.enableTrialEarlyStopping) {
      await this.applyEarlyStopping(spec, trials);
    }

    const fresh = await store.listAllTrials(jobId);
    const stillActive = fresh.filter(t => !isTerminal(t.trial.state));
    let created: TrialRecord[] = [];
    let exhausted = false;
    let more = false;
    if (!isTerminal(job.state) && job.state !== 'CANCELLING' && !record.runtime.hpo?.stopRequested) {
      const maxTrials = spec.maxTrials ?? 1;
      const free = Math.min((spec.maxParallelTrials ?? 1) - stillActive.length, maxTrials - fresh.length);
      if (free > 0 && !this.failedTooOften(spec, fresh)) {
        // A bounded batch per pass; the next pass comes after the event loop has served other requests.
        const batch = Math.min(free, TRIAL_BATCH);
        created = await this.suggestTrials(record, spec, fresh, batch);
        exhausted = created.length === 0;
        more = free > batch && created.length === batch;
      }
    }
    const all = [...fresh, ...created];
    const after = await this.updateJob(jobId, spec, all, exhausted);
    const endedNow = after && isTerminal(after.job.state) && !isTerminal(job.state) && job.state !== 'CANCELLING';
    if (endedNow && stillActive.length > 0) {
      // The job has just ended (too many failures): another pass cancels the trials still in flight.
      this.schedule(jobId);
    }
    for (const t of created) {
      backend.enqueue({
        runId: trialRunId(jobId, t.trial.trialId),
        priority: t.runtime.queue.priority,
        order: t.runtime.queue.order,
        request: t.runtime.request!
      });
    }
    if (more) {
      await new Promise(resolve => setImmediate(resolve));
      this.schedule(jobId);
    }
  }

  private failedTooOften(spec: HyperparameterSpecBody, trials: TrialRecord[]): boolean {
    const failed = trials.filter(t => t.trial.state === 'FAILED').length;
    return (spec.maxFailedTrials ?? 0) > 0 && failed > spec.maxFailedTrials!;
  }

  /** Asks the search algorithm for up to `count` points and stores them as QUEUED trials before anything runs. */
  private async suggestTrials(record: JobRecord, spec: HyperparameterSpecBody, trials: TrialRecord[], count: number): Promise<TrialRecord[]> {
    const { jobId } = record.job;
    const history: SearchTrial[] = [];
    for (const t of [...(await this.warmStart(spec)), ...trials]) {
      const searchTrial = toSearchTrial(t.trial);
      if (searchTrial) {
        history.push(searchTrial);
      }
    }
    const pending: Assignment[] = trials.filter(t => !isTerminal(t.trial.state)).map(t => t.trial.hyperparameters);
    const engineSpec = spec as unknown as HyperparameterSpec;
    // Seeded by the job id and the number of trials so far: a restart proposes the same next points.
    const suggester = createSuggester(engineSpec, { seed: createRng(`seed/${jobId}`).int(0x7fffffff) });
    const points = suggester.suggest(history, pending, count, createRng(`${jobId}/${trials.length}`));
    const plan = record.runtime.plan as { kind: 'notebook' | 'module' };
    const now = new Date().toISOString();
    const created: TrialRecord[] = points.map((hyperparameters, i) => {
      const trialId = String(trials.length + i + 1);
      const runId = trialRunId(jobId, trialId);
      const runtime = this.deps.backend.derive(record.runtime, runId, {
        ...(plan.kind === 'notebook'
          ? { parameters: hyperparameters }
          : { extraArgs: Object.entries(hyperparameters).map(([k, v]) => `--${k}=${v}`) }),
        env: { LAKETAHOE_JOB_ID: jobId, LAKETAHOE_TRIAL_ID: trialId }
      });
      return {
        owner: record.job.owner,
        trial: {
          jobId,
          trialId,
          state: 'QUEUED',
          hyperparameters,
          finalMetric: null,
          allMetrics: [],
          isTrialStoppedEarly: false,
          createTime: now,
          startTime: null,
          endTime: null,
          errorMessage: ''
        },
        runtime: {
          ...runtime,
          output: {
            completedCells: 0,
            totalCells: 0,
            latestMetrics: {},
            exitCode: null,
            resources: { ...record.job.trainingOutput.resources, gpus: [] }
          },
          // Trials of one job queue in trial order, right where the job itself would have queued.
          queue: { priority: record.job.trainingInput.priority ?? 'middle', order: queueOrder(record.job.createTime, (trials.length + i + 1) / 1e6) }
        }
      };
    });
    if (created.length) {
      await this.deps.store.createTrials(created);
      for (const t of created) {
        this.deps.bus.publish({ type: 'trial', owner: t.owner, jobId, trial: t.trial });
      }
    }
    return created;
  }

  /** Finished trials of the job this one resumes from. */
  private async warmStart(spec: HyperparameterSpecBody): Promise<TrialRecord[]> {
    if (!spec.resumePreviousJobId) {
      return [];
    }
    return (await this.deps.store.listAllTrials(spec.resumePreviousJobId)).filter(t => isTerminal(t.trial.state));
  }

  private async applyEarlyStopping(spec: HyperparameterSpecBody, trials: TrialRecord[]): Promise<void> {
    const goal = spec.goal === 'MINIMIZE' ? 'MINIMIZE' : 'MAXIMIZE';
    const es = spec.earlyStopping ?? {};
    const rule: StoppingRule =
      es.kind === 'asha'
        ? { kind: 'asha', goal, minResource: es.minStep && es.minStep > 0 ? es.minStep : 1, reductionFactor: es.reductionFactor }
        : { kind: 'median', goal, minStep: es.minStep, minCompletedTrials: es.minCompletedTrials };
    const curve = (t: Trial): TrialCurve => ({
      values: t.allMetrics.map(m => ({ step: m.trainingStep, value: m.objectiveValue })),
      completed: t.state === 'SUCCEEDED'
    });
    for (const t of trials) {
      if (t.trial.state !== 'RUNNING' || t.runtime.stoppedEarly || t.trial.allMetrics.length === 0) {
        continue;
      }
      const others = trials.filter(o => o !== t).map(o => curve(o.trial));
      const decision = shouldStopTrial(curve(t.trial), others, rule);
      if (!decision.stop) {
        continue;
      }
      const runId = trialRunId(t.trial.jobId, t.trial.trialId);
      const saved = await this.updateTrial(t.trial.jobId, t.trial.trialId, r => {
        if (r.trial.state !== 'RUNNING') {
          return false;
        }
        r.runtime.stoppedEarly = true;
        r.trial.isTrialStoppedEarly = true;
      });
      if (saved?.runtime.stoppedEarly) {
        this.deps.log.info({ runId, reason: decision.reason }, 'stopping trial early');
        this.deps.backend.terminate(runId, this.deps.stopGraceMs ?? 2000);
      }
    }
  }

  private async cancelTrial(t: TrialRecord): Promise<void> {
    const { jobId, trialId } = t.trial;
    const runId = trialRunId(jobId, trialId);
    let changed = false;
    const saved = await this.updateTrial(jobId, trialId, r => {
      const view = trialView(r, {} as HyperparameterSpecBody);
      if (r.trial.state === 'QUEUED') {
        view.transition('CANCELLED', 'cancelled while queued');
      } else if (r.trial.state === 'PREPARING' || r.trial.state === 'RUNNING') {
        view.transition('CANCELLING', 'the job is ending');
      } else {
        return false;
      }
      changed = true;
    });
    // A trial already CANCELLING was signalled when it got there (or on recovery, by the backend).
    if (changed && saved?.trial.state === 'CANCELLED') {
      this.deps.backend.dequeue(runId);
    } else if (changed && saved?.trial.state === 'CANCELLING') {
      this.deps.backend.terminate(runId);
    }
  }

  /** Brings the job's state and trainingOutput in line with its trials. */
  private updateJob(jobId: string, spec: HyperparameterSpecBody, trials: TrialRecord[], exhausted: boolean): Promise<JobRecord | undefined> {
    return this.deps.jobs.update(jobId, r => {
      const job = r.job;
      const counts: Record<string, number> = {};
      for (const t of trials) {
        counts[t.trial.state] = (counts[t.trial.state] ?? 0) + 1;
      }
      const out = job.trainingOutput;
      out.isHyperparameterTuningJob = true;
      out.hyperparameterMetricTag = spec.hyperparameterMetricTag;
      out.trialCounts = counts;
      out.completedTrialCount = trials.filter(t => isTerminal(t.trial.state)).length;
      out.bestTrial = bestTrial(trials.map(t => t.trial), spec);
      if (out.bestTrial?.finalMetric && spec.hyperparameterMetricTag) {
        out.latestMetrics = { [spec.hyperparameterMetricTag]: out.bestTrial.finalMetric.objectiveValue };
      }
      if (isTerminal(job.state)) {
        return;
      }
      const active = trials.filter(t => !isTerminal(t.trial.state));
      const started = trials.some(t => t.trial.state !== 'QUEUED' && t.trial.startTime);
      if (job.state === 'QUEUED' && started) {
        transition(r, 'PREPARING', 'the first trial was allocated');
      }
      if (job.state === 'PREPARING' && trials.some(t => t.trial.state === 'RUNNING' || (isTerminal(t.trial.state) && t.trial.startTime))) {
        transition(r, 'RUNNING', 'the first trial started');
      }
      if (job.state === 'CANCELLING') {
        if (active.length === 0) {
          transition(r, 'CANCELLED', 'cancelled by the user');
        }
        return;
      }
      const failed = counts.FAILED ?? 0;
      if (this.failedTooOften(spec, trials)) {
        job.errorMessage = `${failed} trials failed, more than maxFailedTrials (${spec.maxFailedTrials})`;
        end(r, 'FAILED', job.errorMessage);
        return;
      }
      if (active.length > 0) {
        return;
      }
      if (r.runtime.hpo?.stopRequested) {
        end(r, 'SUCCEEDED', 'stopped by the user; running trials have ended');
        return;
      }
      if (trials.length >= (spec.maxTrials ?? 1) || exhausted) {
        const succeeded = counts.SUCCEEDED ?? 0;
        if (succeeded === 0) {
          job.errorMessage = `all ${trials.length} trials failed`;
          end(r, 'FAILED', job.errorMessage);
        } else {
          end(r, 'SUCCEEDED', exhausted ? 'the search space has no more points' : `${trials.length} trials have ended`);
        }
      }
    });
  }

  // ---- trial records ----

  private async specOf(jobId: string): Promise<HyperparameterSpecBody | undefined> {
    return (await this.deps.store.getJob(jobId))?.job.trainingInput.hyperparameters;
  }

  /**
   * The one place a trial is changed after creation: serialises read-modify-write per trial, publishes
   * a `trial` event when it changed and re-examines its job.
   */
  private updateTrial(jobId: string, trialId: string, mutate: (record: TrialRecord) => boolean | void): Promise<TrialRecord | undefined> {
    const key = trialRunId(jobId, trialId);
    const previous = this.trialLocks.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const record = await this.deps.store.getTrial(jobId, trialId);
        if (!record) {
          return undefined;
        }
        const before = JSON.stringify(record.trial);
        if (mutate(record) === false) {
          return record;
        }
        record.trial.outputNotebook = record.runtime.output.outputNotebook;
        if (record.trial.outputNotebook === undefined) {
          delete record.trial.outputNotebook;
        }
        await this.deps.store.saveTrial(record);
        if (JSON.stringify(record.trial) !== before) {
          this.deps.bus.publish({ type: 'trial', owner: record.owner, jobId, trial: record.trial });
          this.schedule(jobId);
        }
        return record;
      });
    this.trialLocks.set(key, next);
    void next
      .finally(() => {
        if (this.trialLocks.get(key) === next) {
          this.trialLocks.delete(key);
        }
      })
      .catch(() => undefined);
    return next;
  }

  // ---- queries behind the routes (the caller already owns the job) ----

  /** A page of a job's trials. */
  listTrials(jobId: string, query: { state?: JobState; pageSize?: number; pageToken?: string }): Promise<TrialPage> {
    return this.deps.store.listTrials({ jobId, state: query.state, pageSize: query.pageSize ?? 1000, pageToken: query.pageToken });
  }

  /** One trial, or 404. */
  async getTrial(jobId: string, trialId: string): Promise<Trial> {
    const record = await this.deps.store.getTrial(jobId, trialId);
    if (!record) {
      throw new ServiceError('not_found', `trial ${trialId} of job ${publicJobId(jobId)} not found`);
    }
    return record.trial;
  }

  /** Log lines of a trial after `after`. */
  async trialLogs(jobId: string, trialId: string, after: number, limit: number): Promise<LogPage> {
    await this.getTrial(jobId, trialId);
    return readLogPage(this.deps.store, trialRunId(jobId, trialId), after, limit);
  }

  /** Absolute path of a trial's output file, or 404. */
  async trialOutputFile(jobId: string, trialId: string, name: (typeof TRIAL_OUTPUT_NAMES)[number]): Promise<string> {
    await this.getTrial(jobId, trialId);
    const file = path.join(this.deps.backend.workdir(trialRunId(jobId, trialId)), name);
    if (!fs.existsSync(file)) {
      throw new ServiceError('not_found', `trial ${trialId} of job ${publicJobId(jobId)} has no ${name} yet`);
    }
    return file;
  }
}

/** Moves an HPO job to an end state, passing through the states the state machine requires. */
function end(record: JobRecord, to: 'SUCCEEDED' | 'FAILED', reason: string): void {
  if (record.job.state === 'QUEUED' && to === 'SUCCEEDED') {
    transition(record, 'PREPARING', 'no trial had started');
  }
  transition(record, to, reason);
}

/** A finished trial as the search algorithm sees it; undefined for unfinished or cancelled ones. */
function toSearchTrial(t: Trial): SearchTrial | undefined {
  if (t.state === 'SUCCEEDED' && t.finalMetric) {
    return { hyperparameters: t.hyperparameters, state: t.isTrialStoppedEarly ? 'STOPPED' : 'SUCCEEDED', objectiveValue: t.finalMetric.objectiveValue };
  }
  if (t.state === 'FAILED') {
    return { hyperparameters: t.hyperparameters, state: 'FAILED' };
  }
  return undefined;
}

/** The succeeded trial with the best objective for the goal (the earliest on a tie). */
export function bestTrial(trials: readonly Trial[], spec: Pick<HyperparameterSpecBody, 'goal'>): Trial | null {
  let best: Trial | null = null;
  for (const t of trials) {
    if (t.state !== 'SUCCEEDED' || !t.finalMetric) {
      continue;
    }
    const v = t.finalMetric.objectiveValue;
    if (!best || (spec.goal === 'MINIMIZE' ? v < best.finalMetric!.objectiveValue : v > best.finalMetric!.objectiveValue)) {
      best = t;
    }
  }
  return best;
}
