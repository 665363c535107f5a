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
  type TrialRecord as SearchTrial
} from '../hpo/index.js';
import type { JobRecord, LogRetention, Store, TrialRecord } from '../store/store.js';
import type { HyperparameterSpecBody, Trial } from '../schemas/jobs.js';
import { ACTIVE_STATES, isTerminal } from '../jobs/states.js';
import { isHpoJob } from './jobRuns.js';
import { transition, type JobUpdater } from './statusUpdater.js';
import { TrialRuns, trialRunId } from './trialRuns.js';
import { publicJobId } from '../jobs/ids.js';
import { TrialLedger, toSearchTrial, trialCurve, type TrialView } from './trialLedger.js';
import { doublingDelay } from '../doublingDelay.js';

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

/** The pause before a failed reconcile pass is tried again, doubled on each failure in a row up to the last. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;

/**
 * Runs HPO jobs: keeps up to maxParallelTrials trials in flight through the job's backend, asks the
 * search algorithm for new points with everything known so far, stops unpromising trials early and
 * ends the job as the contract says. Every decision is re-derived from the store ("reconcile"), so a
 * restarted service simply reconciles every unfinished experiment and carries on; a pass reads only the
 * unfinished trials, the finished ones being kept per job in a {@link TrialLedger} built from the store. The trials themselves
 * (creating, adopting, recording and cancelling one) are {@link TrialRuns}.
 */
export class Experiments {
  /** The trials as runs of the backend; register them with the backend as a run kind. */
  readonly trials: TrialRuns;
  private readonly reconciling = new Map<string, { running: Promise<void>; again: boolean }>();
  /** Per job, its finished trials as parsed once; rebuilt from the store by each new controller. */
  private readonly ledgers = new Map<string, TrialLedger>();
  /** Search history of ended jobs that others resume from (warm start). */
  private readonly warmStarts = new Map<string, SearchTrial[]>();
  private started = false;
  /** Jobs whose last reconcile pass failed: failures in a row, and the timer of the next try. */
  private readonly retries = new Map<string, { failures: number; timer: NodeJS.Timeout }>();

  constructor(private readonly deps: ExperimentDeps) {
    this.trials = new TrialRuns({
      store: deps.store,
      backend: deps.backend,
      bus: deps.bus,
      logRetention: deps.logRetention,
      changed: (jobId, trial) => {
        this.ledgers.get(jobId)?.noteSaved(trial);
        this.schedule(jobId);
      }
    });
  }

  // ---- the controller ----

  /** Resumes every unfinished experiment; call after the backend has recovered its runs. */
  async start(): Promise<void> {
    this.started = true;
    // Another process may have run the jobs meanwhile (leader change): the store is the truth.
    this.ledgers.clear();
    this.warmStarts.clear();
    const records = await this.deps.store.listJobsInStates(['QUEUED', ...ACTIVE_STATES]);
    await Promise.all(records.filter(isHpoJob).map(r => this.reconcile(r.job.jobId)));
  }

  /** Stops reacting (the service is shutting down); running trials keep running. */
  stop(): void {
    this.started = false;
    for (const retry of this.retries.values()) {
      clearTimeout(retry.timer);
    }
    this.retries.clear();
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
        clearTimeout(this.retries.get(jobId)?.timer);
        this.retries.delete(jobId);
      } catch (err) {
        this.deps.log.error({ err, jobId }, 'reconciling the HPO job failed; trying again');
        this.retryLater(jobId);
      } finally {
        this.reconciling.delete(jobId);
      }
    })();
    this.reconciling.set(jobId, entry);
    return entry.running;
  }

  /**
   * Tries a failed pass again after a pause (a store error, say): the job may have no trial left whose end
   * would wake it, so without this it would stay running.
   */
  private retryLater(jobId: string): void {
    if (!this.started) {
      return;
    }
    const failures = (this.retries.get(jobId)?.failures ?? 0) + 1;
    const timer = setTimeout(() => this.schedule(jobId), doublingDelay(RETRY_FIRST_MS, RETRY_MAX_MS, failures - 1));
    timer.unref();
    this.retries.set(jobId, { failures, timer });
  }

  private async reconcileOnce(jobId: string): Promise<void> {
    const { store } = this.deps;
    const record = await store.getJob(jobId);
    const spec = record?.job.trainingInput.hyperparameters;
    if (!record || !spec) {
      this.ledgers.delete(jobId);
      return;
    }
    const job = record.job;
    const ending = isTerminal(job.state) || job.state === 'CANCELLING' || Boolean(record.runtime.hpo?.stopRequested);
    let { ledger, view } = await this.viewTrials(jobId, spec);
    let changed = false;
    if (ending) {
      // Ending: nothing new starts; queued trials are dropped, running ones end (unless merely stopping).
      const stopping = !isTerminal(job.state) && job.state !== 'CANCELLING';
      for (const t of view.active) {
        if (!stopping || t.trial.state === 'QUEUED') {
          await this.trials.cancel(t);
          changed = true;
        }
      }
    } else if (spec.enableTrialEarlyStopping) {
      changed = await this.applyEarlyStopping(spec, view.active, ledger);
    }
    if (changed) {
      ({ ledger, view } = await this.viewTrials(jobId, spec));
    }

    let created: TrialRecord[] = [];
    let exhausted = false;
    let more = false;
    if (!ending) {
      const maxTrials = spec.maxTrials ?? 1;
      const free = Math.min((spec.maxParallelTrials ?? 1) - view.active.length, maxTrials - view.total);
      if (free > 0 && !this.failedTooOften(spec, view.counts)) {
        // A bounded batch per pass; the next pass comes after the event loop has served other requests.
        const batch = Math.min(free, TRIAL_BATCH);
        created = await this.suggestTrials(record, spec, view, ledger.searchHistory(), batch);
        ledger.noteCreated(created);
        exhausted = created.length === 0;
        more = free > batch && created.length === batch;
      }
    }
    const after = await this.updateJob(jobId, spec, withCreated(view, created), ledger.best(), exhausted);
    const endedNow = after && isTerminal(after.job.state) && !isTerminal(job.state) && job.state !== 'CANCELLING';
    if (endedNow && view.active.length > 0) {
      // The job has just ended (too many failures): another pass cancels the trials still in flight.
      this.schedule(jobId);
    }
    if (after && isTerminal(after.job.state) && view.active.length === 0 && created.length === 0) {
      this.ledgers.delete(jobId);
    }
    this.trials.enqueue(created);
    if (more) {
      await new Promise(resolve => setImmediate(resolve));
      this.schedule(jobId);
    }
  }

  /** The job's trials for this pass: from the job's ledger, (re)built from the store when there is none or it is out of step. */
  private async viewTrials(jobId: string, spec: HyperparameterSpecBody): Promise<{ ledger: TrialLedger; view: TrialView }> {
    const ledger = this.ledgers.get(jobId);
    const view = ledger && (await ledger.view(this.deps.store, jobId));
    if (ledger && view) {
      return { ledger, view };
    }
    const loaded = await TrialLedger.load(this.deps.store, jobId, spec.goal);
    this.ledgers.set(jobId, loaded.ledger);
    return loaded;
  }

  private failedTooOften(spec: HyperparameterSpecBody, counts: Record<string, number>): boolean {
    return (spec.maxFailedTrials ?? 0) > 0 && (counts.FAILED ?? 0) > spec.maxFailedTrials!;
  }

  /** Asks the search algorithm for up to `count` points and stores them as QUEUED trials before anything runs. */
  private async suggestTrials(
    record: JobRecord,
    spec: HyperparameterSpecBody,
    view: TrialView,
    finished: SearchTrial[],
    count: number
  ): Promise<TrialRecord[]> {
    const { jobId } = record.job;
    const history: SearchTrial[] = [...(await this.warmStart(spec)), ...finished];
    const pending: Assignment[] = view.active.map(t => t.trial.hyperparameters);
    const engineSpec = spec as unknown as HyperparameterSpec;
    // Seeded by the job id and the number of trials so far: a restart proposes the same next points.
    const suggester = createSuggester(engineSpec, { seed: createRng(`seed/${jobId}`).int(0x7fffffff) });
    const points = suggester.suggest(history, pending, count, createRng(`${jobId}/${view.total}`));
    // Numbered after the highest trial, not the count: a job whose numbers have a gap (left by an older
    // version's miscount) would otherwise try to create an existing trial on every pass.
    return this.trials.create(record, view.lastNumber, points);
  }

  /** Finished trials of the job this one resumes from, as the search algorithm sees them (kept once that job has ended). */
  private async warmStart(spec: HyperparameterSpecBody): Promise<SearchTrial[]> {
    const previousId = spec.resumePreviousJobId;
    if (!previousId) {
      return [];
    }
    const kept = this.warmStarts.get(previousId);
    if (kept) {
      return kept;
    }
    const previous = await this.deps.store.getJob(previousId);
    const history: SearchTrial[] = [];
    for (const t of await this.deps.store.listAllTrials(previousId)) {
      const searchTrial = isTerminal(t.trial.state) ? toSearchTrial(t.trial) : undefined;
      if (searchTrial) {
        history.push(searchTrial);
      }
    }
    if (previous && isTerminal(previous.job.state)) {
      this.warmStarts.set(previousId, history);
    }
    return history;
  }

  /** Stops the running trials the rule finds unpromising; true when it stopped any. */
  private async applyEarlyStopping(spec: HyperparameterSpecBody, active: TrialRecord[], ledger: TrialLedger): Promise<boolean> {
    const goal = spec.goal === 'MINIMIZE' ? 'MINIMIZE' : 'MAXIMIZE';
    const es = spec.earlyStopping ?? {};
    const rule: StoppingRule =
      es.kind === 'asha'
        ? { kind: 'asha', goal, minResource: es.minStep && es.minStep > 0 ? es.minStep : 1, reductionFactor: es.reductionFactor }
        : { kind: 'median', goal, minStep: es.minStep, minCompletedTrials: es.minCompletedTrials };
    const finishedCurves = ledger.finishedCurves();
    let stopped = false;
    for (const t of active) {
      if (t.trial.state !== 'RUNNING' || t.runtime.stoppedEarly || t.trial.allMetrics.length === 0) {
        continue;
      }
      const others = [...finishedCurves, ...active.filter(o => o !== t).map(o => trialCurve(o.trial))];
      const decision = shouldStopTrial(trialCurve(t.trial), others, rule);
      if (!decision.stop) {
        continue;
      }
      if (await this.trials.stopEarly(t, this.deps.stopGraceMs ?? 2000)) {
        stopped = true;
        this.deps.log.info({ runId: trialRunId(t.trial.jobId, t.trial.trialId), reason: decision.reason }, 'stopping trial early');
      }
    }
    return stopped;
  }

  /** Brings the job's state and trainingOutput in line with its trials. */
  private updateJob(jobId: string, spec: HyperparameterSpecBody, trials: TrialView, best: Trial | null, exhausted: boolean): Promise<JobRecord | undefined> {
    return this.deps.jobs.update(jobId, r => {
      const job = r.job;
      const counts = trials.counts;
      const out = job.trainingOutput;
      out.isHyperparameterTuningJob = true;
      out.hyperparameterMetricTag = spec.hyperparameterMetricTag;
      out.trialCounts = { ...counts };
      out.completedTrialCount = trials.finished;
      out.bestTrial = best;
      if (out.bestTrial?.finalMetric && spec.hyperparameterMetricTag) {
        out.latestMetrics = { [spec.hyperparameterMetricTag]: out.bestTrial.finalMetric.objectiveValue };
      }
      if (isTerminal(job.state)) {
        return;
      }
      const active = trials.active.length;
      if (job.state === 'QUEUED' && trials.anyAllocated) {
        transition(r, 'PREPARING', 'the first trial was allocated');
      }
      if (job.state === 'PREPARING' && trials.anyStarted) {
        transition(r, 'RUNNING', 'the first trial started');
      }
      if (job.state === 'CANCELLING') {
        if (active === 0) {
          transition(r, 'CANCELLED', 'cancelled by the user');
        }
        return;
      }
      const failed = counts.FAILED ?? 0;
      if (this.failedTooOften(spec, counts)) {
        job.errorMessage = `${failed} trials failed, more than maxFailedTrials (${spec.maxFailedTrials})`;
        end(r, 'FAILED', job.errorMessage);
        return;
      }
      if (active > 0) {
        return;
      }
      if (r.runtime.hpo?.stopRequested) {
        end(r, 'SUCCEEDED', 'stopped by the user; running trials have ended');
        return;
      }
      if (trials.total >= (spec.maxTrials ?? 1) || exhausted) {
        const succeeded = counts.SUCCEEDED ?? 0;
        if (succeeded === 0) {
          job.errorMessage = `all ${trials.total} trials failed`;
          end(r, 'FAILED', job.errorMessage);
        } else {
          end(r, 'SUCCEEDED', exhausted ? 'the search space has no more points' : `${trials.total} trials have ended`);
        }
      }
    });
  }
}

/** The view with the trials created in this pass added (queued, not yet allocated). */
function withCreated(view: TrialView, created: TrialRecord[]): TrialView {
  if (created.length === 0) {
    return view;
  }
  const counts = { ...view.counts };
  for (const t of created) {
    counts[t.trial.state] = (counts[t.trial.state] ?? 0) + 1;
  }
  const lastNumber = view.lastNumber + created.length;
  return { ...view, active: [...view.active, ...created], total: view.total + created.length, lastNumber, counts };
}

/** Moves an HPO job to an end state, passing through the states the state machine requires. */
function end(record: JobRecord, to: 'SUCCEEDED' | 'FAILED', reason: string): void {
  if (record.job.state === 'QUEUED' && to === 'SUCCEEDED') {
    transition(record, 'PREPARING', 'no trial had started');
  }
  transition(record, to, reason);
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
