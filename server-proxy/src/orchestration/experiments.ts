import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import type { EventBus } from '../events.js';
import {
  createRng,
  createSuggester,
  shouldStopTrial,
  type Assignment,
  type HyperparameterSpec,
  type StoppingRule,
  type TrialCurve,
  type TrialRecord as SearchTrial
} from '../hpo/index.js';
import type { JobRecord, LogRetention, Store, TrialRecord } from '../store/store.js';
import type { HyperparameterSpecBody, Trial } from '../schemas/jobs.js';
import { ACTIVE_STATES, isTerminal } from '../jobs/states.js';
import { isHpoJob } from './jobRuns.js';
import { transition, type JobUpdater } from './statusUpdater.js';
import { TrialRuns, trialRunId } from './trialRuns.js';
import { publicJobId } from '../jobs/ids.js';

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
 * restarted service simply reconciles every unfinished experiment and carries on. The trials themselves
 * (creating, adopting, recording and cancelling one) are {@link TrialRuns}.
 */
export class Experiments {
  /** The trials as runs of the backend; register them with the backend as a run kind. */
  readonly trials: TrialRuns;
  private readonly reconciling = new Map<string, { running: Promise<void>; again: boolean }>();
  private started = false;

  constructor(private readonly deps: ExperimentDeps) {
    this.trials = new TrialRuns({
      store: deps.store,
      backend: deps.backend,
      bus: deps.bus,
      logRetention: deps.logRetention,
      changed: jobId => this.schedule(jobId)
    });
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
    while (this.reconciling.size > 0 || this.trials.busy) {
      await Promise.all([...this.reconciling.values()].map(e => e.running));
      await this.trials.settled();
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
    const { store } = this.deps;
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
          await this.trials.cancel(t);
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
    this.trials.enqueue(created);
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
    return this.trials.create(record, trials.length, points);
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
      if (await this.trials.stopEarly(t, this.deps.stopGraceMs ?? 2000)) {
        this.deps.log.info({ runId: trialRunId(t.trial.jobId, t.trial.trialId), reason: decision.reason }, 'stopping trial early');
      }
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
