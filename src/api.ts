import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IJob,
  IJobList,
  ILogPage,
  IMetricPoint,
  IServiceInfo,
  ISubmitJobRequest,
  ITrial,
  ITrialList,
  JobState
} from './types';

/** Most trials {@link LakeTahoeClient.listAllTrials} reads. */
export const MAX_TRIALS = 10000;

/** Path under the Jupyter base URL where jupyter-server-proxy mounts the service. */
export const SERVICE_MOUNT = 'laketahoe';

/** Version prefix of every route. */
export const API_PREFIX = 'api/v1';

/** Names of the files a job can serve from its outputs. */
export type OutputName = 'output.ipynb' | 'output.html';

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
        error?: { code?: string; message?: string; field?: string };
      };
      if (body && body.error && typeof body.error.message === 'string') {
        return new LakeTahoeError(
          response.status,
          body.error.code || codeForStatus(response.status),
          body.error.message,
          body.error.field || undefined
        );
      }
    } catch {
      // Not JSON: typically an HTML page from the proxy while the service starts.
    }
    const code = codeForStatus(response.status);
    const message =
      code === 'unavailable'
        ? 'The LakeTahoe service is not reachable (it may still be starting).'
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

/** Query values; undefined ones are left out. */
type Query = { [key: string]: string | number | undefined };

/** Options of a single request. */
interface IRequestOptions {
  /** Query string values. */
  query?: Query;
  /** JSON body. */
  body?: unknown;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Extra headers. */
  headers?: { [key: string]: string };
}

/**
 * Typed client for the LakeTahoe REST API (docs/contracts.md).
 *
 * Every request goes through `ServerConnection.makeRequest`, so Jupyter's
 * token and XSRF headers apply; jupyter-server-proxy adds the service's
 * bearer token, which the browser never sees.
 */
export class LakeTahoeClient {
  /**
   * Create a client.
   * @param serverSettings Jupyter server settings, defaults to the page's
   */
  constructor(serverSettings?: ServerConnection.ISettings) {
    this.serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  /** The Jupyter server settings requests are made with. */
  readonly serverSettings: ServerConnection.ISettings;

  /** Absolute URL of an API route, with an optional query string. */
  url(path: string, query?: Query): string {
    const url = URLExt.join(
      this.serverSettings.baseUrl,
      SERVICE_MOUNT,
      API_PREFIX,
      path
    );
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== '') {
        params.append(key, String(value));
      }
    }
    const search = params.toString();
    return search ? `${url}?${search}` : url;
  }

  /** GET /info: version, capacity and the resources behind each tier. */
  getInfo(signal?: AbortSignal): Promise<IServiceInfo> {
    return this._json<IServiceInfo>('GET', 'info', { signal });
  }

  /** GET /openapi.json: the OpenAPI document. */
  getOpenApi(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this._json('GET', 'openapi.json', { signal });
  }

  /** GET /jobs: one page of the caller's jobs, newest first. */
  listJobs(
    options: {
      state?: JobState;
      pageSize?: number;
      pageToken?: string;
      signal?: AbortSignal;
    } = {}
  ): Promise<IJobList> {
    const { state, pageSize, pageToken, signal } = options;
    return this._json<IJobList>('GET', 'jobs', {
      query: { state, pageSize, pageToken },
      signal
    });
  }

  /** GET /jobs/{jobId}. */
  getJob(jobId: string, signal?: AbortSignal): Promise<IJob> {
    return this._json<IJob>('GET', jobPath(jobId), { signal });
  }

  /** POST /jobs: submit a job; answers the created job. */
  submitJob(request: ISubmitJobRequest, signal?: AbortSignal): Promise<IJob> {
    return this._json<IJob>('POST', 'jobs', { body: request, signal });
  }

  /** POST /jobs/{jobId}/cancel. */
  cancelJob(jobId: string, signal?: AbortSignal): Promise<IJob> {
    return this._json<IJob>('POST', `${jobPath(jobId)}/cancel`, { signal });
  }

  /** GET /jobs/{jobId}/logs: a page of log lines after `after`. */
  getLogs(
    jobId: string,
    options: { after?: number; limit?: number; signal?: AbortSignal } = {}
  ): Promise<ILogPage> {
    const { after, limit, signal } = options;
    return this._json<ILogPage>('GET', `${jobPath(jobId)}/logs`, {
      query: { after, limit },
      signal
    });
  }

  /** GET /jobs/{jobId}/metrics: every reported metric value. */
  async getMetrics(
    jobId: string,
    signal?: AbortSignal
  ): Promise<IMetricPoint[]> {
    const body = await this._json<{ metrics: IMetricPoint[] }>(
      'GET',
      `${jobPath(jobId)}/metrics`,
      { signal }
    );
    return body.metrics ?? [];
  }

  /** URL of an output file served by the service. */
  outputUrl(jobId: string, name: OutputName): string {
    return this.url(`${jobPath(jobId)}/outputs/${name}`);
  }

  /** GET /jobs/{jobId}/outputs/{name}: the raw response. */
  getOutput(
    jobId: string,
    name: OutputName,
    signal?: AbortSignal
  ): Promise<Response> {
    return this._send('GET', `${jobPath(jobId)}/outputs/${name}`, { signal });
  }

  /**
   * GET /jobs/{jobId}/logs/stream: an open event-stream response of `log`
   * events, ending with `end` once the job has ended.
   */
  openLogStream(
    jobId: string,
    options: { after?: number; signal?: AbortSignal } = {}
  ): Promise<Response> {
    return this._send('GET', `${jobPath(jobId)}/logs/stream`, {
      query: { after: options.after },
      signal: options.signal,
      headers: { Accept: 'text/event-stream' }
    });
  }

  /**
   * GET /events: an open event-stream response of `job` and `metric` events
   * for the caller's jobs, optionally for one job only.
   */
  openEventStream(
    options: { jobId?: string; signal?: AbortSignal } = {}
  ): Promise<Response> {
    return this._send('GET', 'events', {
      query: { jobId: options.jobId },
      signal: options.signal,
      headers: { Accept: 'text/event-stream' }
    });
  }

  /** POST /jobs/{jobId}/stop: an HPO job starts no new trials. */
  stopJob(jobId: string, signal?: AbortSignal): Promise<IJob> {
    return this._json<IJob>('POST', `${jobPath(jobId)}/stop`, { signal });
  }

  /** GET /jobs/{jobId}/trials: one page of an HPO job's trials. */
  listTrials(
    jobId: string,
    options: {
      state?: JobState;
      pageSize?: number;
      pageToken?: string;
      signal?: AbortSignal;
    } = {}
  ): Promise<ITrialList> {
    const { state, pageSize, pageToken, signal } = options;
    return this._json<ITrialList>('GET', `${jobPath(jobId)}/trials`, {
      query: { state, pageSize, pageToken },
      signal
    });
  }

  /**
   * Every trial of an HPO job, in trial order, following page tokens up to
   * `limit` trials (at most {@link MAX_TRIALS}).
   */
  async listAllTrials(
    jobId: string,
    options: { limit?: number; pageSize?: number; signal?: AbortSignal } = {}
  ): Promise<ITrial[]> {
    const limit = Math.min(options.limit ?? MAX_TRIALS, MAX_TRIALS);
    const pageSize = options.pageSize ?? 1000;
    const trials: ITrial[] = [];
    let pageToken: string | undefined = undefined;
    do {
      const page: ITrialList = await this.listTrials(jobId, {
        pageSize: Math.min(pageSize, limit - trials.length),
        pageToken,
        signal: options.signal
      });
      trials.push(...(page.trials ?? []));
      pageToken = page.nextPageToken;
    } while (pageToken && trials.length < limit);
    return trials.slice(0, limit);
  }

  /** GET /jobs/{jobId}/trials/{trialId}. */
  getTrial(
    jobId: string,
    trialId: string,
    signal?: AbortSignal
  ): Promise<ITrial> {
    return this._json<ITrial>('GET', trialPath(jobId, trialId), { signal });
  }

  /** GET /jobs/{jobId}/trials/{trialId}/logs: a page of a trial's log. */
  getTrialLogs(
    jobId: string,
    trialId: string,
    options: { after?: number; limit?: number; signal?: AbortSignal } = {}
  ): Promise<ILogPage> {
    const { after, limit, signal } = options;
    return this._json<ILogPage>('GET', `${trialPath(jobId, trialId)}/logs`, {
      query: { after, limit },
      signal
    });
  }

  /** GET /jobs/{jobId}/trials/{trialId}/logs/stream, as {@link openLogStream}. */
  openTrialLogStream(
    jobId: string,
    trialId: string,
    options: { after?: number; signal?: AbortSignal } = {}
  ): Promise<Response> {
    return this._send('GET', `${trialPath(jobId, trialId)}/logs/stream`, {
      query: { after: options.after },
      signal: options.signal,
      headers: { Accept: 'text/event-stream' }
    });
  }

  /** URL of a trial's output file. */
  trialOutputUrl(jobId: string, trialId: string, name: OutputName): string {
    return this.url(`${trialPath(jobId, trialId)}/outputs/${name}`);
  }

  /** GET /jobs/{jobId}/trials/{trialId}/outputs/{name}: the raw response. */
  getTrialOutput(
    jobId: string,
    trialId: string,
    name: OutputName,
    signal?: AbortSignal
  ): Promise<Response> {
    return this._send('GET', `${trialPath(jobId, trialId)}/outputs/${name}`, {
      signal
    });
  }

  /** Send a request and parse a JSON answer. */
  private async _json<T>(
    method: string,
    path: string,
    options: IRequestOptions
  ): Promise<T> {
    const response = await this._send(method, path, options);
    try {
      return (await response.json()) as T;
    } catch {
      throw new LakeTahoeError(
        response.status,
        'unavailable',
        'The LakeTahoe service sent an answer that is not JSON.'
      );
    }
  }

  /** Send a request; a non-2xx answer or a network failure throws LakeTahoeError. */
  private async _send(
    method: string,
    path: string,
    options: IRequestOptions
  ): Promise<Response> {
    const init: RequestInit = {
      method,
      // 'no-store' (Jupyter's default) appends a cache-busting query key the
      // service's strict query validation would reject; 'no-cache' still
      // never answers from a stale cache.
      cache: 'no-cache',
      signal: options.signal,
      headers: { ...(options.headers ?? {}) }
    };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      (init.headers as Record<string, string>)['Content-Type'] =
        'application/json';
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        this.url(path, options.query),
        init,
        this.serverSettings
      );
    } catch (error) {
      // makeRequest wraps aborts in NetworkError; the signal tells them apart.
      if (options.signal?.aborted || isAbortError(error)) {
        throw error;
      }
      throw new LakeTahoeError(
        0,
        'unavailable',
        'Could not reach the LakeTahoe service: ' +
          (error instanceof Error ? error.message : String(error))
      );
    }
    if (!response.ok) {
      throw await LakeTahoeError.fromResponse(response);
    }
    return response;
  }
}

/** Path of one job, with its id encoded. */
function jobPath(jobId: string): string {
  return `jobs/${encodeURIComponent(jobId)}`;
}

/** Path of one trial of a job, with both ids encoded. */
function trialPath(jobId: string, trialId: string): string {
  return `${jobPath(jobId)}/trials/${encodeURIComponent(trialId)}`;
}

/** Whether an error comes from an aborted request. */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AbortError'
  );
}
