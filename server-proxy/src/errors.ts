/**
 * Errors meant for the caller, thrown anywhere below the HTTP layer (validation, jobs, serving,
 * backends). Each carries a code saying what kind of failure it is and, for bad input, the path of the
 * field to blame; the HTTP layer alone turns codes into status codes and the one error body.
 */

/** What kind of failure an error is; the HTTP layer maps each to one status code. */
export type ErrorCode =
  | 'invalid_argument'
  | 'failed_precondition'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'already_exists'
  | 'conflict'
  | 'payload_too_large'
  | 'internal'
  | 'model_server_error'
  | 'unavailable';

/** An error whose message is shown to the caller as is, so it must never carry internals. */
export class ServiceError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
