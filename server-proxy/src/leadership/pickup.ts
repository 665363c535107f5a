/**
 * Work a follower accepted, carried out by the leader. A follower serves the API: it validates, stages
 * and stores a submission, a cancel or a stop, and publishes the change; it starts nothing. The leader
 * hears the change through the event relay and does what the accepting replica would have done alone.
 * A short poll of the store covers changes whose notification was missed (a listener reconnecting). Every
 * action is idempotent (queueing a queued run, terminating an ending one), so hearing twice is harmless.
 */
import type { Backend } from '../backends/backend.js';
import type { ServiceEvent } from '../events.js';
import { queueOrder } from '../jobs/queueOrder.js';
import type { Experiments } from '../orchestration/experiments.js';
import { isHpoJob } from '../orchestration/jobRuns.js';
import type { JobRecord } from '../store/store.js';
import { RemotePickup, type RemotePickupDeps } from './remotePickup.js';

/** What the pick-up needs. */
export interface PickupDeps extends RemotePickupDeps {
  backend: Backend;
  experiments: Experiments;
}

/** The leader's side of follower work: a controller that starts with leadership. */
export class FollowerWorkPickup extends RemotePickup {
  readonly name = 'follower work';
  protected readonly pollFailed = 'polling for work other replicas accepted failed';

  constructor(private readonly deps: PickupDeps) {
    super(deps);
  }

  protected heard(event: ServiceEvent): void {
    if (event.type !== 'job') {
      return;
    }
    this.deps.store.getJob(event.jobId).then(
      record => record && this.act(record),
      err => this.log.warn({ err, jobId: event.jobId }, 'could not read a job another replica changed')
    );
  }

  /** Jobs waiting or ending: whatever a missed notification left undone. */
  protected async pollOnce(): Promise<void> {
    for (const record of await this.deps.store.listJobsInStates(['QUEUED', 'CANCELLING'])) {
      this.act(record);
    }
  }

  /** Does for a stored job what the replica that changed it would have done as leader. */
  private act(record: JobRecord): void {
    const { jobId, state } = record.job;
    if (isHpoJob(record)) {
      // The controller re-derives everything from the store: new trials, cancels, stop requests.
      this.deps.experiments.schedule(jobId);
      return;
    }
    if (state === 'QUEUED' && record.runtime.request) {
      const priority = record.job.trainingInput.priority ?? 'middle';
      this.deps.backend.enqueue({ runId: jobId, priority, order: queueOrder(record.job.createTime), request: record.runtime.request });
    } else if (state === 'CANCELLING') {
      this.deps.backend.terminate(jobId);
    } else if (state === 'CANCELLED') {
      this.deps.backend.dequeue(jobId);
    }
  }
}
