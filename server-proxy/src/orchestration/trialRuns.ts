import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../errors.js';
import type { Backend, RecoveredRun, RunKind, RunView } from '../backends/backend.js';
import type { EventBus } from '../events.js';
import { queueOrder } from '../jobs/queueOrder.js';
import { METRIC_RETENTION } from '../jobs/metrics.js';
import { ACTIVE_STATES, assertTransition, isTerminal } from '../jobs/states.js';
import type { Assignment } from '../hpo/index.js';
import type { JobRecord, LogRetention, NewLogLine, Store, TrialRecord } from '../store/store.js';
import type { TrialRowPage } from '../store/rows.js';
import type { HyperparameterOutputMetric, HyperparameterSpecBody, JobState, Metric, Trial } from '../schemas/jobs.js';
import { LOG_RETENTION, readLogPage, type LogPage } from './logs.js';
import { publicJobId } from '../jobs/ids.js';

/** Output files a trial may serve. */
export const TRIAL_OUTPUT_NAMES = ['output.ipynb', 'output.html'] as const;

/** The run id of a trial: its logs and metrics are stored under it, its folder is `<jobs-dir>/<runId>`. */
export function trialRunId(jobId: string, trialId: string): string {
  return `${jobId}/trials/${trialId}`;
}

function parseRunId(runId: string): { jobId: string; trialId: string } {
  const [jobId, , trialId] = runId.split('/');
  return { jobId, trialId };
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

/** What trial runs need from the rest of the service. */
export interface TrialRunDeps {
  store: Store;
  backend: Backend;
  bus: EventBus;
  /** Called after a trial changed (with the trial as saved), so that the experiment controller re-examines its job. */
  changed: (jobId: string, trial: TrialRecord) => void;
  /** How much of each trial's log is kept. */
  logRetention?: LogRetention;
}

/**
 * The trials of HPO jobs as runs of the backend: creating them, adopting them after a restart, recording
 * what they produce, cancelling them and answering the trial routes. Deciding which trials to run is the
 * experiment controller's job.
 */
export class TrialRuns implements RunKind {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: TrialRunDeps) {}

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

  // ---- starting and ending trials ----

  /**
   * Stores the points as QUEUED trials of the job (numbered after trial `after`) and publishes
   * them; the caller queues them on the backend.
   */
  async create(record: JobRecord, after: number, points: Assignment[]): Promise<TrialRecord[]> {
    const { jobId } = record.job;
    const plan = record.runtime.plan as { kind: 'notebook' | 'module' };
    const now = new Date().toISOString();
    const created: TrialRecord[] = points.map((hyperparameters, i) => {
      const trialId = String(after + i + 1);
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
          queue: { priority: record.job.trainingInput.priority ?? 'middle', order: queueOrder(record.job.createTime, (after + i + 1) / 1e6) }
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

  /** Queues created trials on the backend. */
  enqueue(trials: readonly TrialRecord[]): void {
    for (const t of trials) {
      this.deps.backend.enqueue({
        runId: trialRunId(t.trial.jobId, t.trial.trialId),
        priority: t.runtime.queue.priority,
        order: t.runtime.queue.order,
        request: t.runtime.request!
      });
    }
  }

  /** Marks a running trial as stopped early and signals it; false when it was no longer running. */
  async stopEarly(t: TrialRecord, graceMs: number): Promise<boolean> {
    const saved = await this.updateTrial(t.trial.jobId, t.trial.trialId, r => {
      if (r.trial.state !== 'RUNNING') {
        return false;
      }
      r.runtime.stoppedEarly = true;
      r.trial.isTrialStoppedEarly = true;
    });
    if (!saved?.runtime.stoppedEarly) {
      return false;
    }
    this.deps.backend.terminate(trialRunId(t.trial.jobId, t.trial.trialId), graceMs);
    return true;
  }

  /** Cancels a queued trial, or starts cancelling one that is in flight. */
  async cancel(t: TrialRecord): Promise<void> {
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

  /** Resolves once no trial change is in flight. */
  async settled(): Promise<void> {
    while (this.locks.size > 0) {
      await Promise.all([...this.locks.values()].map(p => p.catch(() => undefined)));
    }
  }

  /** Whether a trial change is in flight. */
  get busy(): boolean {
    return this.locks.size > 0;
  }

  private async specOf(jobId: string): Promise<HyperparameterSpecBody | undefined> {
    return (await this.deps.store.getJob(jobId))?.job.trainingInput.hyperparameters;
  }

  /**
   * The one place a trial is changed after creation: serialises read-modify-write per trial, publishes
   * a `trial` event when it changed and re-examines its job.
   */
  private updateTrial(jobId: string, trialId: string, mutate: (record: TrialRecord) => boolean | void): Promise<TrialRecord | undefined> {
    const key = trialRunId(jobId, trialId);
    const previous = this.locks.get(key) ?? Promise.resolve();
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
          this.deps.changed(jobId, record);
        }
        return record;
      });
    this.locks.set(key, next);
    void next
      .finally(() => {
        if (this.locks.get(key) === next) {
          this.locks.delete(key);
        }
      })
      .catch(() => undefined);
    return next;
  }

  // ---- queries behind the routes (the caller already owns the job) ----

  /** A page of a job's trials (only `trialIds` if given), as the stored columns the API shows. */
  listRows(
    jobId: string,
    query: { state?: JobState; pageSize?: number; pageToken?: string; trialIds?: readonly number[] }
  ): Promise<TrialRowPage> {
    const { state, pageToken, trialIds } = query;
    return this.deps.store.listTrialRows({ jobId, state, pageSize: query.pageSize ?? 1000, pageToken, trialIds });
  }

  /** One trial, or 404. */
  async get(jobId: string, trialId: string): Promise<Trial> {
    const record = await this.deps.store.getTrial(jobId, trialId);
    if (!record) {
      throw new ServiceError('not_found', `trial ${trialId} of job ${publicJobId(jobId)} not found`);
    }
    return record.trial;
  }

  /** Log lines of a trial after `after`. */
  async logs(jobId: string, trialId: string, after: number, limit: number): Promise<LogPage> {
    await this.get(jobId, trialId);
    return readLogPage(this.deps.store, trialRunId(jobId, trialId), after, limit);
  }

  /** Absolute path of a trial's output file, or 404. */
  async outputFile(jobId: string, trialId: string, name: (typeof TRIAL_OUTPUT_NAMES)[number]): Promise<string> {
    await this.get(jobId, trialId);
    const file = path.join(this.deps.backend.workdir(trialRunId(jobId, trialId)), name);
    if (!fs.existsSync(file)) {
      throw new ServiceError('not_found', `trial ${trialId} of job ${publicJobId(jobId)} has no ${name} yet`);
    }
    return file;
  }
}
