import { ServiceError } from '../errors.js';
import { isTerminal } from '../jobs/states.js';
import { summarizeUsage, thinSamples, USAGE_DEFAULT_POINTS } from '../jobs/usage.js';
import type { UsageAnswer } from '../schemas/usage.js';
import type { JobRuntime, Store } from '../store/store.js';
import type { JobState } from '../schemas/jobs.js';

/** Reads what a job or trial used, for its owner (another user's job is unknown: 404). */
export class UsageService {
  constructor(private readonly store: Store) {}

  /** Samples (thinned to `maxPoints`) and summary of the owner's job. */
  async ofJob(owner: string, jobId: string, maxPoints = USAGE_DEFAULT_POINTS): Promise<UsageAnswer> {
    const record = await this.store.findJob(owner, jobId);
    if (!record) {
      throw new ServiceError('not_found', `job ${jobId} not found`);
    }
    return this.answer(record.job.jobId, record.job.state, record.runtime, 'job', maxPoints);
  }

  /** The same for one trial of the owner's HPO job. */
  async ofTrial(owner: string, jobId: string, trialId: string, maxPoints = USAGE_DEFAULT_POINTS): Promise<UsageAnswer> {
    const record = await this.store.findJob(owner, jobId);
    if (!record) {
      throw new ServiceError('not_found', `job ${jobId} not found`);
    }
    const trial = await this.store.getTrial(record.job.jobId, trialId);
    if (!trial) {
      throw new ServiceError('not_found', `trial ${trialId} of job ${jobId} not found`);
    }
    return this.answer(`${record.job.jobId}/trials/${trial.trial.trialId}`, trial.trial.state, trial.runtime, 'trial', maxPoints);
  }

  private async answer(runId: string, state: JobState, runtime: JobRuntime, what: 'job' | 'trial', maxPoints: number): Promise<UsageAnswer> {
    const samples = await this.store.getUsage(runId);
    const summary = summarizeUsage(samples, { memoryBytes: runtime.request?.memoryBytes, ended: isTerminal(state), what });
    const answer: UsageAnswer = { available: runtime.usageUnavailable === undefined, samples: thinSamples(samples, maxPoints), summary };
    if (runtime.usageUnavailable !== undefined) {
      answer.note = runtime.usageUnavailable;
    }
    return answer;
  }
}
