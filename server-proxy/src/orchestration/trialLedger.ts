import type { TrialCurve, TrialRecord as SearchTrial } from '../hpo/index.js';
import type { HyperparameterSpecBody, JobState, Trial } from '../schemas/jobs.js';
import type { Store, TrialRecord } from '../store/store.js';
import { isTerminal } from '../jobs/states.js';
import { trialNumber } from '../store/rows.js';

/** One pass's view of an HPO job's trials: the unfinished ones from the store, the finished ones from the ledger. */
export interface TrialView {
  /** Unfinished trials, in trial order. */
  active: TrialRecord[];
  /** Every trial of the job. */
  total: number;
  /** The highest trial number: new trials are numbered after it (equal to `total` unless numbers were skipped). */
  lastNumber: number;
  /** Trials by state. */
  counts: Record<string, number>;
  /** Trials that have ended. */
  finished: number;
  /** A trial has been allocated (left QUEUED with a start time). */
  anyAllocated: boolean;
  /** A trial is running or has ended after starting. */
  anyStarted: boolean;
}

interface FinishedTrial {
  n: number;
  record: TrialRecord;
  search: SearchTrial | undefined;
  curve: TrialCurve;
}

/**
 * What an HPO controller keeps about one job's finished trials between passes, so a pass costs what changed
 * rather than the job's size: each finished trial is read and parsed once (a 1,000-trial job was re-read in
 * full after every trial change). Finished trials do not change state, so the ledger only grows; the store
 * stays the truth: {@link TrialLedger.view} checks the trial count against the store and the caller rebuilds
 * the ledger from it on a mismatch, and a new controller (restart, new leader) starts from the store.
 */
export class TrialLedger {
  /** Finished trials in trial order, as the search algorithm and early stopping see them. */
  private readonly finished: FinishedTrial[] = [];
  private readonly byId = new Map<string, FinishedTrial>();
  private readonly finishedCounts: Record<string, number> = {};
  private bestFinished: FinishedTrial | undefined;
  private lastFinishedNumber = 0;
  private anyStartedFinished = false;
  /** Trials unfinished at the last look: those missing from the next look have ended. */
  private lastActive = new Set<string>();

  private constructor(private readonly goal: HyperparameterSpecBody['goal']) {}

  /** A ledger built from every trial of the job, with the unfinished trials as they were read. */
  static async load(store: Store, jobId: string, goal: HyperparameterSpecBody['goal']): Promise<{ ledger: TrialLedger; view: TrialView }> {
    const ledger = new TrialLedger(goal);
    const all = await store.listAllTrials(jobId);
    const active: TrialRecord[] = [];
    for (const t of all) {
      if (isTerminal(t.trial.state)) {
        ledger.record(t);
      } else {
        active.push(t);
      }
    }
    return { ledger, view: ledger.viewOf(active) };
  }

  /** The job's trials now: reads the unfinished ones and those that ended since the last look. Undefined when out of step with the store. */
  async view(store: Store, jobId: string): Promise<TrialView | undefined> {
    const read = await store.listUnfinishedTrials(jobId);
    const count = await store.countTrials(jobId);
    const stillActive = new Set(read.map(t => t.trial.trialId));
    for (const id of this.lastActive) {
      if (!stillActive.has(id) && !this.byId.has(id)) {
        const ended = await store.getTrial(jobId, id);
        if (!ended || !isTerminal(ended.trial.state)) {
          return undefined;
        }
        this.record(ended);
      }
    }
    // A trial may have ended (and been noted) while the store was read: it is finished, not active, or
    // it would be counted twice and the next trial numbered past a gap. Nothing awaits from here on.
    const active = read.filter(t => !this.byId.has(t.trial.trialId));
    if (this.finished.length + active.length !== count) {
      return undefined;
    }
    return this.viewOf(active);
  }

  /** Trials this controller has just created (so their ending is noticed). */
  noteCreated(created: readonly TrialRecord[]): void {
    for (const t of created) {
      this.lastActive.add(t.trial.trialId);
    }
  }

  /** A trial as just saved: a finished one is taken (or replaced: its metrics may arrive after its end). */
  noteSaved(record: TrialRecord): void {
    if (isTerminal(record.trial.state)) {
      this.record(record);
    }
  }

  /** Finished trials as the search algorithm sees them, in trial order. */
  searchHistory(): SearchTrial[] {
    const history: SearchTrial[] = [];
    for (const f of this.finished) {
      if (f.search) {
        history.push(f.search);
      }
    }
    return history;
  }

  /** Learning curves of the finished trials, for early stopping. */
  finishedCurves(): TrialCurve[] {
    return this.finished.map(f => f.curve);
  }

  /** The succeeded trial with the best objective (the earliest on a tie). */
  best(): Trial | null {
    return this.bestFinished?.record.trial ?? null;
  }

  private viewOf(active: TrialRecord[]): TrialView {
    this.lastActive = new Set(active.map(t => t.trial.trialId));
    const counts: Record<string, number> = { ...this.finishedCounts };
    for (const t of active) {
      counts[t.trial.state] = (counts[t.trial.state] ?? 0) + 1;
    }
    let lastNumber = this.lastFinishedNumber;
    for (const t of active) {
      lastNumber = Math.max(lastNumber, trialNumber(t.trial.trialId) ?? 0);
    }
    return {
      active,
      total: this.finished.length + active.length,
      lastNumber,
      counts,
      finished: this.finished.length,
      anyAllocated: this.anyStartedFinished || active.some(t => t.trial.state !== 'QUEUED' && Boolean(t.trial.startTime)),
      anyStarted: this.anyStartedFinished || active.some(t => t.trial.state === 'RUNNING')
    };
  }

  private record(record: TrialRecord): void {
    const n = trialNumber(record.trial.trialId) ?? Number.MAX_SAFE_INTEGER;
    if (n !== Number.MAX_SAFE_INTEGER) {
      this.lastFinishedNumber = Math.max(this.lastFinishedNumber, n);
    }
    const entry: FinishedTrial = { n, record, search: toSearchTrial(record.trial), curve: trialCurve(record.trial) };
    const previous = this.byId.get(record.trial.trialId);
    this.byId.set(record.trial.trialId, entry);
    this.lastActive.delete(record.trial.trialId);
    if (previous) {
      this.finished[this.finished.indexOf(previous)] = entry;
      this.count(previous.record.trial.state, -1);
    } else {
      // Trials mostly end in the order they were created: the place is found from the end.
      let at = this.finished.length;
      while (at > 0 && this.finished[at - 1].n > n) {
        at -= 1;
      }
      this.finished.splice(at, 0, entry);
    }
    this.count(record.trial.state, 1);
    if (record.trial.startTime) {
      this.anyStartedFinished = true;
    }
    if (previous && previous === this.bestFinished) {
      this.bestFinished = undefined;
      for (const f of this.finished) {
        this.considerBest(f);
      }
    } else {
      this.considerBest(entry);
    }
  }

  private count(state: JobState, by: number): void {
    this.finishedCounts[state] = (this.finishedCounts[state] ?? 0) + by;
    if (this.finishedCounts[state] === 0) {
      delete this.finishedCounts[state];
    }
  }

  private considerBest(f: FinishedTrial): void {
    const t = f.record.trial;
    if (t.state !== 'SUCCEEDED' || !t.finalMetric) {
      return;
    }
    const best = this.bestFinished;
    const v = t.finalMetric.objectiveValue;
    const b = best?.record.trial.finalMetric?.objectiveValue;
    const better = b === undefined || (this.goal === 'MINIMIZE' ? v < b : v > b);
    if (!best || better || (v === b && f.n < best.n)) {
      this.bestFinished = f;
    }
  }
}

/** A trial's learning curve as the early-stopping rules see it. */
export function trialCurve(t: Trial): TrialCurve {
  return { values: t.allMetrics.map(m => ({ step: m.trainingStep, value: m.objectiveValue })), completed: t.state === 'SUCCEEDED' };
}

/** A finished trial as the search algorithm sees it; undefined for unfinished or cancelled ones. */
export function toSearchTrial(t: Trial): SearchTrial | undefined {
  if (t.state === 'SUCCEEDED' && t.finalMetric) {
    return { hyperparameters: t.hyperparameters, state: t.isTrialStoppedEarly ? 'STOPPED' : 'SUCCEEDED', objectiveValue: t.finalMetric.objectiveValue };
  }
  if (t.state === 'FAILED') {
    return { hyperparameters: t.hyperparameters, state: 'FAILED' };
  }
  return undefined;
}
