/** Errors of the LakeTahoe API client. */

/**
 * An error answered by the service, or the failure to reach it.
 *
 * `code` is the service's error code (`invalid_argument`, `not_found`,
 * `failed_precondition`, ...) or `unavailable` when no answer came back;
 * `field` is a dotted path into the request body when one field is to blame.
 */
export class LakeTahoeError extends Error {
  /**
   * Create an error.
   * @param status HTTP status, 0 when the request did not complete
   * @param code machine-readable error code
   * @param message human-readable message
   * @param field dotted path of the offending request field
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string
  ) {
    super(message);
    this.name = 'LakeTahoeError';
  }

  /** Build an error from a failed response, whatever its body holds. */
  static async fromResponse(response: Response): Promise<LakeTahoeError> {
    let text = '';
    try {
      text = await response.text();
    } catch {
      // The body is unreadable; the status alone must do.
    }
    try {
      const body = JSON.parse(text) as {
        error?: { code?: string; message?: string; field?: string } | string;
      };
      // Model servers answer inference errors as {"error": "<reason>"}.
      if (body && typeof body.error === 'string') {
        return new LakeTahoeError(
          response.status,
          codeForStatus(response.status),
          body.error
        );
      }
      const error = body?.error;
      if (
        error &&
        typeof error === 'object' &&
        typeof error.message === 'string'
      ) {
        return new LakeTahoeError(
          response.status,
          error.code || codeForStatus(response.status),
          error.message,
          error.field || undefined
        );
      }
    } catch {
      // Not JSON: typically an HTML page from the proxy while the service starts.
    }
    // A 5xx that is not the service's own JSON comes from jupyter-server-proxy: the service is down
    // or restarting, not failing.
    const code =
      response.status >= 500 ? 'unavailable' : codeForStatus(response.status);
    const message =
      code === 'unavailable'
        ? 'The LakeTahoe service is not reachable (it may be starting or restarting).'
        : `The LakeTahoe service answered ${response.status} ${response.statusText}`.trim();
    return new LakeTahoeError(response.status, code, message);
  }
}

/** Map an HTTP status to an error code when the body does not give one. */
function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_argument';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'permission_denied';
    case 404:
      return 'not_found';
    case 409:
      return 'already_exists';
    case 413:
      return 'too_large';
    case 502:
    case 503:
    case 504:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal' : 'unknown';
  }
}

/** Whether an error comes from an aborted request. */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AbortError'
  );
}
