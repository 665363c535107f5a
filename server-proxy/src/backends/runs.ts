import type { Resources } from '../jobs/resources.js';
import type { JobState, LogLine, Metric, Priority } from '../schemas/jobs.js';
import type { JobRuntime, RunOutput } from '../schemas/runtime.js';

export type { RunOutput, SavedModelRef } from '../schemas/runtime.js';


/**
 * A mutable view of one run's stored record, handed to the mutate callback of {@link RunKind.update}.
 * The backend only ever changes a run through it, so it does not care whether the run is a training
 * job or a trial of an HPO job.
 */
export interface RunView {
  readonly owner: string;
  readonly state: JobState;
  readonly startTime: string | null;
  runtime: JobRuntime;
  output: RunOutput;
  errorMessage: string;
  /** Records why the run is still in its state (a queue reason) in its history, where it has one. */
  note?(reason: string): void;
  /** Moves the run to `to`; throws on an illegal move. */
  transition(to: JobState, reason: string): void;
  /**
   * Takes metric values the runner just reported, in the same update that advances the log offsets,
   * so a restart can neither lose nor repeat them (trials derive their objective from them).
   */
  recordMetrics?(metrics: Metric[]): void;
  /** Hears of a metric reported as NaN or infinite (`value` spelled as the runner sent it). */
  recordNonFinite?(name: string, step: number, value: string): void;
}

/** Most warnings a run keeps: one per metric name, so a loop reporting NaN cannot grow the record. */
export const MAX_RUN_WARNINGS = 20;

/** A run waiting for resources. */
export interface RunRequest {
  runId: string;
  priority: Priority;
  /** Submission order within a priority, earlier first. */
  order: number;
  request: Resources;
}

/** A run found in the store at start, to be re-queued (with `queue`) or re-adopted. */
export interface RecoveredRun {
  runId: string;
  run: RunView;
  queue?: RunRequest;
}

/**
 * Persistence and notifications of one kind of run (training jobs, HPO trials). The backend launches,
 * tails, re-adopts and kills runs; each kind decides where a run's record lives and who hears of it.
 */
export interface RunKind {
  /** Whether the run id belongs to this kind. */
  owns(runId: string): boolean;
  /**
   * Loads the run, lets `mutate` change it and saves it (skipped when `mutate` returns false).
   * Resolves to the view after saving, or undefined when the run does not exist.
   */
  update(runId: string, mutate: (run: RunView) => boolean | void): Promise<RunView | undefined>;
  /** Runs to recover when the backend starts: QUEUED ones (re-queued) and active ones (re-adopted or settled). */
  recoverable(): Promise<RecoveredRun[]>;
  /** Stores log lines and metric values the backend read, and tells whoever listens. */
  produced(runId: string, owner: string, lines: { time: string; stream: LogLine['stream']; text: string }[], metrics: Metric[]): Promise<void>;
}

/** The kinds of run a backend serves, and the one that owns each run id. */
export class RunKinds implements Iterable<RunKind> {
  private readonly kinds: RunKind[] = [];

  add(kind: RunKind): void {
    this.kinds.push(kind);
  }

  [Symbol.iterator](): Iterator<RunKind> {
    return this.kinds[Symbol.iterator]();
  }

  /** The kind that owns the run; throws when none does. */
  of(runId: string): RunKind {
    const kind = this.kinds.find(k => k.owns(runId));
    if (!kind) {
      throw new Error(`no run kind owns ${runId}`);
    }
    return kind;
  }

  /** {@link RunKind.update} of the run's kind. */
  update(runId: string, mutate: (run: RunView) => boolean | void): Promise<RunView | undefined> {
    return this.of(runId).update(runId, mutate);
  }

  /** The run as stored, without saving it. */
  read(runId: string): Promise<RunView | undefined> {
    return this.of(runId).update(runId, () => false);
  }
}
