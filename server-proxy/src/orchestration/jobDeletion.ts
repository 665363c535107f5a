import path from 'node:path';
import { ServiceError } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import type { EventBus } from '../events.js';
import { publicJobId } from '../jobs/ids.js';
import { isInside } from '../jobs/paths.js';
import { isTerminal } from '../jobs/states.js';
import type { JobRecord, Store } from '../store/store.js';
import type { JobService } from './jobService.js';

/** What deleting jobs needs from the rest of the service. */
export interface JobDeletionDeps {
  store: Store;
  jobs: JobService;
  backend: Backend;
  bus: EventBus;
  rootDir: string;
  /** How long a running job may take to end once cancelled before the deletion gives up (409). */
  endWaitMs: number;
  pollMs?: number;
}

/** The outcome of deleting one job of a batch. */
export interface DeleteOutcome {
  jobId: string;
  deleted: boolean;
  error?: { code: string; message: string };
}

/**
 * Deletes the caller's jobs with everything they left: output folders, uploaded files, logs, metrics and
 * trials. A job that still runs is cancelled first. A job a registered model version was made from is
 * refused (409 naming the version): the version's lineage and often its files live in the job's folder.
 */
export class JobDeleter {
  /** Deletions in flight by key: a second request for the same job waits for the first. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly deps: JobDeletionDeps) {}

  /** Deletes one job of the caller; 404 when unknown, 409 when lineage needs it or it will not end. */
  async delete(owner: string, jobId: string): Promise<void> {
    const record = await this.deps.store.findJob(owner, jobId);
    if (!record) {
      throw new ServiceError('not_found', `job ${jobId} not found`);
    }
    const key = record.job.jobId;
    let running = this.inFlight.get(key);
    if (!running) {
      running = this.deleteRecord(owner, record).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    await running;
  }

  /** Deletes several jobs one after the other; each answers for itself, as the single route would. */
  async deleteMany(owner: string, jobIds: string[]): Promise<DeleteOutcome[]> {
    const outcomes: DeleteOutcome[] = [];
    for (const jobId of jobIds) {
      try {
        await this.delete(owner, jobId);
        outcomes.push({ jobId, deleted: true });
      } catch (err) {
        if (!(err instanceof ServiceError)) {
          throw err;
        }
        outcomes.push({ jobId, deleted: false, error: { code: err.code, message: err.message } });
      }
    }
    return outcomes;
  }

  private async deleteRecord(owner: string, record: JobRecord): Promise<void> {
    const { store, backend, bus } = this.deps;
    const key = record.job.jobId;
    await this.checkLineage(owner, record);
    if (!isTerminal(record.job.state)) {
      await this.cancelAndWait(owner, record);
    }
    const trials = await store.listAllTrials(key);
    await backend.purge(key, owner, [key, ...trials.map(t => `${key}/trials/${t.trial.trialId}`)]);
    await store.deleteJob(key);
    bus.publish({ type: 'jobDeleted', owner, jobId: key });
  }

  /** Refuses a job whose runs a registered model version came from or whose folder holds its files. */
  private async checkLineage(owner: string, record: JobRecord): Promise<void> {
    const { store, backend, rootDir } = this.deps;
    const jobId = publicJobId(record.job.jobId);
    const folder = backend.workdir(record.job.jobId);
    for (const model of await store.listModels(owner)) {
      for (const version of await store.listModelVersions(owner, model.name)) {
        const fromRun = version.source.jobId !== null && publicJobId(version.source.jobId) === jobId;
        if (fromRun || isInside(folder, path.resolve(rootDir, version.artifactDir))) {
          throw new ServiceError(
            'conflict',
            `job ${jobId} is kept: model ${model.name} version ${version.version} was registered from it and its lineage needs it`
          );
        }
      }
    }
  }

  private async cancelAndWait(owner: string, record: JobRecord): Promise<void> {
    const { store, jobs, endWaitMs, pollMs = 100 } = this.deps;
    const jobId = publicJobId(record.job.jobId);
    if (record.job.state !== 'CANCELLING') {
      try {
        await jobs.cancel(owner, jobId);
      } catch (err) {
        // It ended on its own meanwhile.
        if (!(err instanceof ServiceError && err.code === 'failed_precondition')) {
          throw err;
        }
      }
    }
    const deadline = Date.now() + endWaitMs;
    for (;;) {
      const now = await store.getJob(record.job.jobId);
      if (!now || isTerminal(now.job.state)) {
        return;
      }
      if (Date.now() > deadline) {
        throw new ServiceError('conflict', `job ${jobId} was cancelled but has not ended yet (${now.job.state}); delete it again once it has`);
      }
      await new Promise(resolve => setTimeout(resolve, pollMs));
    }
  }
}
