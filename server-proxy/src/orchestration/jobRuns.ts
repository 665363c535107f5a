import { queueOrder } from '../jobs/queueOrder.js';
import type { RecoveredRun, RunKind, RunView } from '../backends/runs.js';
import type { EventBus } from '../events.js';
import type { JobRecord, LogRetention, NewLogLine, Store } from '../store/store.js';
import { LOG_RETENTION } from './logs.js';
import { METRIC_RETENTION } from '../jobs/metrics.js';
import type { JobState, Metric } from '../schemas/jobs.js';
import { ACTIVE_STATES } from '../jobs/states.js';
import { transition, type JobUpdater } from './statusUpdater.js';

/** A training job's record seen as a run of the backend: its trainingOutput is the run output. */
export function jobView(record: JobRecord): RunView {
  return {
    get owner() {
      return record.job.owner;
    },
    get state() {
      return record.job.state;
    },
    get startTime() {
      return record.job.startTime;
    },
    get runtime() {
      return record.runtime;
    },
    set runtime(value) {
      record.runtime = value;
    },
    get output() {
      return record.job.trainingOutput;
    },
    set output(value) {
      record.job.trainingOutput = value;
    },
    get errorMessage() {
      return record.job.errorMessage;
    },
    set errorMessage(value) {
      record.job.errorMessage = value;
    },
    transition(to: JobState, reason: string) {
      transition(record, to, reason);
    },
    note(reason: string) {
      record.job.stateHistory.push({ state: record.job.state, time: new Date().toISOString(), reason });
    }
  };
}

/** Whether a job is an HPO job: it runs no runner itself, its trials do. */
export function isHpoJob(record: JobRecord): boolean {
  return record.job.trainingInput.hyperparameters !== undefined;
}

/** Training jobs as runs: run id = job id; logs and metrics under the job id, pushed as job events. */
export class JobRunKind implements RunKind {
  constructor(
    private readonly store: Store,
    private readonly updater: JobUpdater,
    private readonly bus: EventBus,
    private readonly logRetention: LogRetention = LOG_RETENTION
  ) {}

  owns(runId: string): boolean {
    return !runId.includes('/');
  }

  async update(runId: string, mutate: (run: RunView) => boolean | void): Promise<RunView | undefined> {
    const record = await this.updater.update(runId, rec => mutate(jobView(rec)));
    return record ? jobView(record) : undefined;
  }

  async recoverable(): Promise<RecoveredRun[]> {
    const records = await this.store.listJobsInStates(['QUEUED', ...ACTIVE_STATES]);
    return records
      .filter(r => !isHpoJob(r))
      .map(r => ({
        runId: r.job.jobId,
        run: jobView(r),
        queue:
          r.job.state === 'QUEUED'
            ? { runId: r.job.jobId, priority: r.job.trainingInput.priority ?? 'middle', order: queueOrder(r.job.createTime), request: r.runtime.request! }
            : undefined
      }));
  }

  async produced(runId: string, owner: string, texts: NewLogLine[], metrics: Metric[]): Promise<void> {
    if (texts.length) {
      const lines = await this.store.appendLogs(runId, texts, this.logRetention);
      this.bus.publish({ type: 'log', owner, jobId: runId, lines });
    }
    if (metrics.length) {
      await this.store.addMetrics(runId, metrics, METRIC_RETENTION);
      for (const m of metrics) {
        this.bus.publish({ type: 'metric', owner, jobId: runId, ...m });
      }
    }
  }
}
