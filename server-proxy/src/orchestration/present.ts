import { publicJobId } from '../jobs/ids.js';
import type { Job, Trial } from '../schemas/jobs.js';

/**
 * What an owner is shown of their jobs and trials: the ids they chose, never the internal keys that
 * keep two owners' equal ids apart (see scopedJobKey).
 */
export function presentTrial(trial: Trial): Trial {
  return { ...trial, jobId: publicJobId(trial.jobId) };
}

/** A job as its owner sees it: its own id, its resume source's and best trial's ids as chosen. */
export function presentJob(job: Job): Job {
  const shown: Job = { ...job, jobId: publicJobId(job.jobId) };
  const spec = job.trainingInput.hyperparameters;
  if (spec?.resumePreviousJobId) {
    shown.trainingInput = { ...job.trainingInput, hyperparameters: { ...spec, resumePreviousJobId: publicJobId(spec.resumePreviousJobId) } };
  }
  const best = job.trainingOutput.bestTrial;
  if (best) {
    shown.trainingOutput = { ...job.trainingOutput, bestTrial: presentTrial(best) };
  }
  return shown;
}
