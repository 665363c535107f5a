import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IAlert,
  ICreateDeploymentRequest,
  IDeployment,
  IInferRequest,
  IJob,
  IJobList,
  IModel,
  IModelVersion,
  IMonitoring,
  IUpdateDeploymentRequest,
  IVersionComparison,
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
  /** Send `body` (a string) as is instead of serializing it. */
  rawBody?: boolean;
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

  /** GET /models: the caller's models, newest first (without versions). */
  async listModels(signal?: AbortSignal): Promise<IModel[]> {
    const body = await this._json<{ models: IModel[] }>('GET', 'models', {
      signal
    });
    return body.models ?? [];
  }

  /** GET /models/{name}: a model with its versions, newest first. */
  getModel(name: string, signal?: AbortSignal): Promise<IModel> {
    return this._json<IModel>('GET', modelPath(name), { signal });
  }

  /** GET /models/{name}/versions/{version}. */
  getModelVersion(
    name: string,
    version: number,
    signal?: AbortSignal
  ): Promise<IModelVersion> {
    return this._json<IModelVersion>(
      'GET',
      `${modelPath(name)}/versions/${encodeURIComponent(String(version))}`,
      { signal }
    );
  }

  /** POST /models: register a saved model folder (relative to the root). */
  registerModel(
    request: { path: string; name?: string },
    signal?: AbortSignal
  ): Promise<IModelVersion> {
    return this._json<IModelVersion>('POST', 'models', {
      body: request,
      signal
    });
  }

  /** GET /deployments: the caller's deployments. */
  async listDeployments(signal?: AbortSignal): Promise<IDeployment[]> {
    const body = await this._json<{ deployments: IDeployment[] }>(
      'GET',
      'deployments',
      { signal }
    );
    return body.deployments ?? [];
  }

  /** GET /deployments/{name}. */
  getDeployment(name: string, signal?: AbortSignal): Promise<IDeployment> {
    return this._json<IDeployment>('GET', deploymentPath(name), { signal });
  }

  /** POST /deployments: serve a model version, or a job's saved model. */
  createDeployment(
    request: ICreateDeploymentRequest,
    signal?: AbortSignal
  ): Promise<IDeployment> {
    return this._json<IDeployment>('POST', 'deployments', {
      body: request,
      signal
    });
  }

  /** PATCH /deployments/{name}: switch the version or the monitoring. */
  updateDeployment(
    name: string,
    request: IUpdateDeploymentRequest,
    signal?: AbortSignal
  ): Promise<IDeployment> {
    return this._json<IDeployment>('PATCH', deploymentPath(name), {
      body: request,
      signal
    });
  }

  /** POST /jobs/{jobId}/models: register the model a job (or one trial) saved. */
  registerJobModel(
    jobId: string,
    trialId?: string,
    signal?: AbortSignal
  ): Promise<IModelVersion> {
    return this._json<IModelVersion>(
      'POST',
      `jobs/${encodeURIComponent(jobId)}/models`,
      { body: trialId === undefined ? {} : { trialId }, signal }
    );
  }

  /** POST /deployments/{name}/promote: the ready challenger becomes the champion. */
  promoteDeployment(name: string, signal?: AbortSignal): Promise<IDeployment> {
    return this._json<IDeployment>('POST', `${deploymentPath(name)}/promote`, {
      signal
    });
  }

  /** GET /deployments/{name}/monitoring/versions: champion and challenger side by side. */
  getVersionComparison(
    name: string,
    signal?: AbortSignal
  ): Promise<IVersionComparison> {
    return this._json<IVersionComparison>(
      'GET',
      `${deploymentPath(name)}/monitoring/versions`,
      { signal }
    );
  }

  /** DELETE /deployments/{name}: stop serving and forget it. */
  deleteDeployment(name: string, signal?: AbortSignal): Promise<IDeployment> {
    return this._json<IDeployment>('DELETE', deploymentPath(name), {
      signal
    });
  }

  /**
   * POST an OIP v2 inference request to a deployment's model. The body is
   * sent as given (text), so what the user typed is what the server reads.
   */
  infer(
    deployment: string,
    model: string,
    body: IInferRequest | string,
    signal?: AbortSignal
  ): Promise<Record<string, unknown>> {
    return this._json('POST', inferPath(deployment, model), {
      body,
      rawBody: typeof body === 'string',
      signal
    });
  }

  /** GET /deployments/{name}/monitoring: request series, drift and alerts. */
  getMonitoring(
    name: string,
    options: { since?: string; step?: number; signal?: AbortSignal } = {}
  ): Promise<IMonitoring> {
    const { since, step, signal } = options;
    return this._json<IMonitoring>(
      'GET',
      `${deploymentPath(name)}/monitoring`,
      { query: { since, step }, signal }
    );
  }

  /** GET /deployments/{name}/alerts: firing and resolved, newest first. */
  async listAlerts(name: string, signal?: AbortSignal): Promise<IAlert[]> {
    const body = await this._json<{ alerts: IAlert[] }>(
      'GET',
      `${deploymentPath(name)}/alerts`,
      { signal }
    );
    return body.alerts ?? [];
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
      init.body = options.rawBody
        ? String(options.body)
        : JSON.stringify(options.body);
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

/** Path of one model, with its name encoded. */
function modelPath(name: string): string {
  return `models/${encodeURIComponent(name)}`;
}

/** Path of one deployment, with its name encoded. */
function deploymentPath(name: string): string {
  return `deployments/${encodeURIComponent(name)}`;
}

/** Inference path of a deployment's model (the `endpoint` of a deployment). */
export function inferPath(deployment: string, model: string): string {
  return `${deploymentPath(deployment)}/v2/models/${encodeURIComponent(model)}/infer`;
}

/** Whether an error comes from an aborted request. */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AbortError'
  );
}
