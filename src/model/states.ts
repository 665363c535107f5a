import type { JobState } from '../wire';

/** States after which a job never changes again. */
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set<JobState>([
  'SUCCEEDED',
  'FAILED',
  'CANCELLED'
]);

/** States from which the service accepts a cancel request. */
export const CANCELLABLE_STATES: ReadonlySet<JobState> = new Set<JobState>([
  'QUEUED',
  'PREPARING',
  'RUNNING'
]);
