import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal } from '@lumino/signaling';

import {
  IAlert,
  IDeleteOutcome,
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
  JobState,
  JsonAnswer,
  JsonBody
} from '../wire';
import { Query, Requester } from './request';
import {
  API_PREFIX,
  deploymentPath,
  inferPath,
  jobPath,
  modelPath,
  OutputName,
  SERVICE_MOUNT,
  trialPath
} from './routes';

/** Most trials {@link LakeTahoeClient.listAllTrials} reads. */
export const MAX_TRIALS = 10000;

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
   * @param options `reconnectDelaysMs`: waits between attempts while the
   *   service is unreachable (default RECONNECT_DELAYS_MS)
   */
  constructor(
    serverSettings?: ServerConnection.ISettings,
    options: { reconnectDelaysMs?: readonly number[] } = {}
  ) {
    this.serverSettings = serverSettings ?? ServerConnection.makeSettings();
    this._requester = new Requester(
      this.serverSettings,
      (path, query) => this.url(path, query),
      options.reconnectDelaysMs
    );
  }

  /** Whether requests are waiting for the service to come back (it died or restarts). */
  get reconnecting(): boolean {
    return this._requester.reconnecting;
  }

  /** Emitted when {@link reconnecting} changes. */
  get reconnectingChanged(): ISignal<Requester, boolean> {
    return this._requester.reconnectingChanged;
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
    return this._requester.json<IServiceInfo>('GET', 'info', { signal });
  }

  /** GET /openapi.json: the OpenAPI document. */
  getOpenApi(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this._requester.json('GET', 'openapi.json', { signal });
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
    return this._requester.json<IJobList>('GET', 'jobs', {
      query: { state, pageSize, pageToken },
      signal
    });
  }

  /** GET /jobs/{jobId}. */
  getJob(jobId: string, signal?: AbortSignal): Promise<IJob> {
    return this._requester.json<IJob>('GET', jobPath(jobId), { signal });
  }

  /** POST /jobs: submit a job; answers the created job. */
  submitJob(request: ISubmitJobRequest, signal?: AbortSignal): Promise<IJob> {
    return this._requester.json<IJob>('POST', 'jobs', {
      body: request,
      signal
    });
  }

  /** POST /jobs/{jobId}/cancel. */
  cancelJob(jobId: string, signal?: AbortSignal): Promise<IJob> {
    return this._requester.json<IJob>('POST', `${jobPath(jobId)}/cancel`, {
      signal
    });
  }

  /**
   * POST /jobs/batch-delete: delete jobs with their outputs, logs, metrics and trials (running ones are
   * cancelled first); one result per id, in order. A job a model version was registered from is kept.
   */
  async deleteJobs(
    jobIds: string[],
    signal?: AbortSignal
  ): Promise<IDeleteOutcome[]> {
    const answer = await this._requester.json<{ results: IDeleteOutcome[] }>(
      'POST',
      'jobs/batch-delete',
      { body: { jobIds }, signal }
    );
    return answer.results;
  }

  /** GET /jobs/{jobId}/logs: a page of log lines after `after`. */
  getLogs(
    jobId: string,
    options: { after?: number; limit?: number; signal?: AbortSignal } = {}
  ): Promise<ILogPage> {
    const { after, limit, signal } = options;
    return this._requester.json<ILogPage>('GET', `${jobPath(jobId)}/logs`, {
      query: { after, limit },
      signal
    });
  }

  /**
   * GET /jobs/{jobId}/metrics, following every page. With `maxPoints` the service
   * thins each metric to at most that many evenly spaced values (first and last
   * kept): enough for a chart, bounded however long the run.
   */
  async getMetrics(
    jobId: string,
    options: { maxPoints?: number; signal?: AbortSignal } = {}
  ): Promise<IMetricPoint[]> {
    const points: IMetricPoint[] = [];
    let pageToken: string | undefined;
    do {
      const body = await this._requester.json<
        JsonAnswer<'/api/v1/jobs/{jobId}/metrics'>
      >('GET', `${jobPath(jobId)}/metrics`, {
        query: { maxPoints: options.maxPoints, pageToken },
        signal: options.signal
      });
      points.push(...(body.metrics ?? []));
      pageToken = body.nextPageToken;
    } while (pageToken);
    return points;
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
    return this._requester.send('GET', `${jobPath(jobId)}/outputs/${name}`, {
      signal
    });
  }

  /**
   * GET /jobs/{jobId}/logs/stream: an open event-stream response of `log`
   * events, ending with `end` once the job has ended.
   */
  openLogStream(
    jobId: string,
    options: { after?: number; signal?: AbortSignal } = {}
  ): Promise<Response> {
    return this._requester.send('GET', `${jobPath(jobId)}/logs/stream`, {
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
    return this._requester.send('GET', 'events', {
      query: { jobId: options.jobId },
      signal: options.signal,
      headers: { Accept: 'text/event-stream' }
    });
  }

  /** POST /jobs/{jobId}/stop: an HPO job starts no new trials. */
  stopJob(jobId: string, signal?: AbortSignal): Promise<IJob> {
    return this._requester.json<IJob>('POST', `${jobPath(jobId)}/stop`, {
      signal
    });
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
    return this._requester.json<ITrialList>('GET', `${jobPath(jobId)}/trials`, {
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
    return this._requester.json<ITrial>('GET', trialPath(jobId, trialId), {
      signal
    });
  }

  /** GET /jobs/{jobId}/trials/{trialId}/logs: a page of a trial's log. */
  getTrialLogs(
    jobId: string,
    trialId: string,
    options: { after?: number; limit?: number; signal?: AbortSignal } = {}
  ): Promise<ILogPage> {
    const { after, limit, signal } = options;
    return this._requester.json<ILogPage>(
      'GET',
      `${trialPath(jobId, trialId)}/logs`,
      {
        query: { after, limit },
        signal
      }
    );
  }

  /** GET /jobs/{jobId}/trials/{trialId}/logs/stream, as {@link openLogStream}. */
  openTrialLogStream(
    jobId: string,
    trialId: string,
    options: { after?: number; signal?: AbortSignal } = {}
  ): Promise<Response> {
    return this._requester.send(
      'GET',
      `${trialPath(jobId, trialId)}/logs/stream`,
      {
        query: { after: options.after },
        signal: options.signal,
        headers: { Accept: 'text/event-stream' }
      }
    );
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
    return this._requester.send(
      'GET',
      `${trialPath(jobId, trialId)}/outputs/${name}`,
      {
        signal
      }
    );
  }

  /** GET /models: the caller's models, newest first (without versions). */
  async listModels(signal?: AbortSignal): Promise<IModel[]> {
    const body = await this._requester.json<JsonAnswer<'/api/v1/models'>>(
      'GET',
      'models',
      {
        signal
      }
    );
    return body.models ?? [];
  }

  /** GET /models/{name}: a model with its versions, newest first. */
  getModel(name: string, signal?: AbortSignal): Promise<IModel> {
    return this._requester.json<IModel>('GET', modelPath(name), { signal });
  }

  /** GET /models/{name}/versions/{version}. */
  getModelVersion(
    name: string,
    version: number,
    signal?: AbortSignal
  ): Promise<IModelVersion> {
    return this._requester.json<IModelVersion>(
      'GET',
      `${modelPath(name)}/versions/${encodeURIComponent(String(version))}`,
      { signal }
    );
  }

  /** POST /models: register a saved model folder (relative to the root). */
  registerModel(
    request: JsonBody<'/api/v1/models', 'post'>,
    signal?: AbortSignal
  ): Promise<IModelVersion> {
    return this._requester.json<IModelVersion>('POST', 'models', {
      body: request,
      signal
    });
  }

  /** GET /deployments: the caller's deployments. */
  async listDeployments(signal?: AbortSignal): Promise<IDeployment[]> {
    const body = await this._requester.json<JsonAnswer<'/api/v1/deployments'>>(
      'GET',
      'deployments',
      { signal }
    );
    return body.deployments ?? [];
  }

  /** GET /deployments/{name}. */
  getDeployment(name: string, signal?: AbortSignal): Promise<IDeployment> {
    return this._requester.json<IDeployment>('GET', deploymentPath(name), {
      signal
    });
  }

  /** POST /deployments: serve a model version, or a job's saved model. */
  createDeployment(
    request: ICreateDeploymentRequest,
    signal?: AbortSignal
  ): Promise<IDeployment> {
    return this._requester.json<IDeployment>('POST', 'deployments', {
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
    return this._requester.json<IDeployment>('PATCH', deploymentPath(name), {
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
    return this._requester.json<IModelVersion>(
      'POST',
      `${jobPath(jobId)}/models`,
      { body: trialId === undefined ? {} : { trialId }, signal }
    );
  }

  /** POST /deployments/{name}/promote: the ready challenger becomes the champion. */
  promoteDeployment(name: string, signal?: AbortSignal): Promise<IDeployment> {
    return this._requester.json<IDeployment>(
      'POST',
      `${deploymentPath(name)}/promote`,
      {
        signal
      }
    );
  }

  /** GET /deployments/{name}/monitoring/versions: champion and challenger side by side. */
  getVersionComparison(
    name: string,
    signal?: AbortSignal
  ): Promise<IVersionComparison> {
    return this._requester.json<IVersionComparison>(
      'GET',
      `${deploymentPath(name)}/monitoring/versions`,
      { signal }
    );
  }

  /** DELETE /deployments/{name}: stop serving and forget it. */
  deleteDeployment(name: string, signal?: AbortSignal): Promise<IDeployment> {
    return this._requester.json<IDeployment>('DELETE', deploymentPath(name), {
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
    return this._requester.json('POST', inferPath(deployment, model), {
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
    return this._requester.json<IMonitoring>(
      'GET',
      `${deploymentPath(name)}/monitoring`,
      { query: { since, step }, signal }
    );
  }

  /** GET /deployments/{name}/alerts: firing and resolved, newest first. */
  async listAlerts(name: string, signal?: AbortSignal): Promise<IAlert[]> {
    const body = await this._requester.json<
      JsonAnswer<'/api/v1/deployments/{name}/alerts'>
    >('GET', `${deploymentPath(name)}/alerts`, { signal });
    return body.alerts ?? [];
  }

  private _requester: Requester;
}
