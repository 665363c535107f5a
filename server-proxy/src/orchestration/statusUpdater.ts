import type { EventBus } from '../events.js';
import { KeyedQueue } from '../keyedQueue.js';
import type { JobRecord, Store } from '../store/store.js';
import type { JobState } from '../schemas/jobs.js';
import { assertTransition } from '../jobs/states.js';

/**
 * The one place job records are changed after creation: serialises read-modify-write per job (the store
 * is async, so two updates could otherwise interleave), checks transitions and publishes the new job.
 */
export class JobUpdater {
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus
  ) {}

  /** Announces a job just inserted into the store, so subscribers see it before its first change. */
  announce(record: JobRecord): void {
    this.bus.publish({ type: 'job', owner: record.job.owner, jobId: record.job.jobId, job: record.job });
  }

  /** Announces that a job announced before is gone (its backend refused it). */
  announceGone(record: JobRecord): void {
    this.bus.publish({ type: 'jobDeleted', owner: record.job.owner, jobId: record.job.jobId });
  }

  /**
   * Replaces a job's labels, with the index they are searched by, in the same per-job queue as every
   * other change, so a status update in flight never writes the old labels back. Undefined when gone.
   */
  relabel(jobId: string, labels: Record<string, string>): Promise<JobRecord | undefined> {
    return this.queue.run(jobId, async () => {
      const record = await this.store.getJob(jobId);
      if (record) {
        record.job.labels = labels;
        await this.store.saveJobWithLabels(record);
        this.announce(record);
      }
      return record;
    });
  }

  /**
   * Loads the job, lets `mutate` change it and saves it. `mutate` may return false to skip saving.
   * Resolves to the saved record, or undefined when the job does not exist.
   */
  update(jobId: string, mutate: (record: JobRecord) => boolean | void): Promise<JobRecord | undefined> {
    return this.queue.run(jobId, async () => {
      const record = await this.store.getJob(jobId);
      if (!record) {
        return undefined;
      }
      const before = JSON.stringify(record.job);
      if (mutate(record) === false) {
        return record;
      }
      await this.store.saveJob(record);
      if (JSON.stringify(record.job) !== before) {
        this.bus.publish({ type: 'job', owner: record.job.owner, jobId, job: record.job });
      }
      return record;
    });
  }
}

/** Moves a job to `to`, recording why and stamping start/end times. Throws on an illegal move. */
export function transition(record: JobRecord, to: JobState, reason = '', now = new Date()): void {
  const job = record.job;
  assertTransition(job.state, to);
  const time = now.toISOString();
  job.state = to;
  job.stateHistory.push({ state: to, time, reason });
  if (to === 'PREPARING' && !job.startTime) {
    job.startTime = time;
  }
  if (to === 'SUCCEEDED' || to === 'FAILED' || to === 'CANCELLED') {
    job.endTime = time;
  }
}
