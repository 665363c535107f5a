import { ServiceError } from '../errors.js';
import { TERMINAL_STATES, type JobState } from '../schemas/jobs.js';

/**
 * Allowed transitions. A runner may finish before it reported `started` (PREPARING -> SUCCEEDED/FAILED),
 * and a CANCELLING job ends CANCELLED whatever the runner did meanwhile.
 */
const ALLOWED: Record<JobState, readonly JobState[]> = {
  QUEUED: ['PREPARING', 'CANCELLED', 'FAILED'],
  PREPARING: ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING'],
  RUNNING: ['SUCCEEDED', 'FAILED', 'CANCELLING'],
  CANCELLING: ['CANCELLED'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: []
};

/** Whether `from -> to` is a legal move. */
export function canTransition(from: JobState, to: JobState): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws a failed_precondition error unless `from -> to` is legal. */
export function assertTransition(from: JobState, to: JobState): void {
  if (!canTransition(from, to)) {
    throw new ServiceError('failed_precondition', `a ${from} job cannot become ${to}`);
  }
}

/** Whether the job has ended. */
export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.has(state);
}

/** States in which a runner process may exist. */
export const ACTIVE_STATES: readonly JobState[] = ['PREPARING', 'RUNNING', 'CANCELLING'];
