import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { LakeTahoeClient } from '../api';
import { IServerSentEvent } from '../sse';
import { IJob, IMetricEvent, ITrialEvent, JobState } from '../wire';
import { TERMINAL_STATES } from './states';
import { ReconnectingEventStream, StreamStatus } from './stream';
import { toError } from './errors';

/** A state to filter on, or every job. */
export type JobFilter = JobState | 'ALL';

/** Largest number of jobs the list loads; older ones are not shown. */
export const MAX_LISTED_JOBS = 500;

/**
 * The caller's jobs, kept current by the service's event stream.
 *
 * The list is loaded once per connection (so nothing missed while
 * disconnected is lost) and then patched by `job` events; there is no
 * periodic polling.
 */
export class JobsModel implements IDisposable {
  /**
   * Create a model.
   * @param client the API client
   */
  constructor(client: LakeTahoeClient) {
    this.client = client;
  }

  /** The API client the model uses. */
  readonly client: LakeTahoeClient;

  /** Emitted whenever the list, the filter, or the loading state changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted with every job that was added or updated. */
  get jobChanged(): ISignal<this, IJob> {
    return this._jobChanged;
  }

  /** Emitted with every metric pushed by the service. */
  get metricReceived(): ISignal<this, IMetricEvent> {
    return this._metricReceived;
  }

  /** Emitted with every trial change of an HPO job pushed by the service. */
  get trialReceived(): ISignal<this, ITrialEvent> {
    return this._trialReceived;
  }

  /**
   * Emitted with every other event of the stream (`deployment`, `alert`, ...),
   * so other models share the one connection.
   */
  get otherEventReceived(): ISignal<this, IServerSentEvent> {
    return this._otherEventReceived;
  }

  /**
   * Emitted each time the push connection (re)opens: trial views reload
   * then, since events missed while disconnected are not replayed.
   */
  get connected(): ISignal<this, void> {
    return this._connected;
  }

  /** Emitted when the push connection opens, drops or stops. */
  get connectionChanged(): ISignal<this, StreamStatus> {
    return this._connectionChanged;
  }

  /** Push connection status; 'stopped' before {@link start}. */
  get connection(): StreamStatus {
    return this._stream?.status ?? 'stopped';
  }

  /** Whether the list is being (re)loaded. */
  get loading(): boolean {
    return this._loading;
  }

  /** The error of the last list load, cleared by a successful one. */
  get error(): Error | null {
    return this._error;
  }

  /** Every known job, newest first. */
  get jobs(): readonly IJob[] {
    if (!this._sorted) {
      this._sorted = [...this._jobs.values()].sort(compareJobs);
    }
    return this._sorted;
  }

  /** The jobs passing the state filter, newest first. */
  get filteredJobs(): readonly IJob[] {
    const filter = this._filter;
    return filter === 'ALL'
      ? this.jobs
      : this.jobs.filter(job => job.state === filter);
  }

  /** The state filter. */
  get filter(): JobFilter {
    return this._filter;
  }
  set filter(value: JobFilter) {
    if (value !== this._filter) {
      this._filter = value;
      this._changed.emit();
    }
  }

  /** Whether any job is still moving (drives the elapsed-time clock). */
  get hasActiveJobs(): boolean {
    return this.jobs.some(job => !TERMINAL_STATES.has(job.state));
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** A job by id, if known. */
  get(jobId: string): IJob | undefined {
    return this._jobs.get(jobId);
  }

  /**
   * Subscribe to the event stream; the list is reloaded each time the
   * connection opens. Returns at once.
   */
  start(): void {
    if (this._isDisposed) {
      return;
    }
    if (!this._stream) {
      this._stream = new ReconnectingEventStream({
        open: signal => this.client.openEventStream({ signal }),
        onOpen: () => {
          void this.refresh();
          this._connected.emit();
        },
        onEvent: event => this.handleEvent(event)
      });
      this._stream.statusChanged.connect((_, status) => {
        this._connectionChanged.emit(status);
      }, this);
    }
    this._stream.start();
  }

  /** Reconnect the event stream now, e.g. after the user asked to retry. */
  reconnect(): void {
    if (this._stream && this._stream.status !== 'stopped') {
      this._stream.reconnectNow();
    } else {
      this.start();
    }
  }

  /** Reload the list from the service. */
  async refresh(): Promise<void> {
    const token = ++this._refreshToken;
    this._loading = true;
    this._pending = [];
    this._changed.emit();
    try {
      const jobs: IJob[] = [];
      let pageToken: string | undefined = undefined;
      do {
        const page = await this.client.listJobs({ pageSize: 100, pageToken });
        jobs.push(...page.jobs);
        pageToken = page.nextPageToken;
      } while (pageToken && jobs.length < MAX_LISTED_JOBS);
      if (token !== this._refreshToken || this._isDisposed) {
        return;
      }
      this._jobs = new Map(jobs.map(job => [job.jobId, job]));
      // Events that arrived while the pages loaded are newer than them.
      for (const job of this._pending) {
        this._jobs.set(job.jobId, job);
      }
      this._sorted = null;
      this._error = null;
    } catch (error) {
      if (token !== this._refreshToken) {
        return;
      }
      this._error = toError(error);
    } finally {
      if (token === this._refreshToken) {
        this._loading = false;
        this._pending = [];
        if (!this._isDisposed) {
          this._changed.emit();
        }
      }
    }
  }

  /** Apply one event of the /events stream. */
  handleEvent(event: IServerSentEvent): void {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (event.event === 'job' && isJob(data)) {
      this.applyJob(data);
    } else if (event.event === 'metric' && isMetric(data)) {
      this.applyMetric(data);
    } else if (event.event === 'trial' && isTrialEvent(data)) {
      this._trialReceived.emit(data);
    } else if (!['job', 'metric', 'trial'].includes(event.event)) {
      this._otherEventReceived.emit(event);
    }
  }

  /** Add or replace a job, e.g. from an event or a submit/cancel answer. */
  applyJob(job: IJob): void {
    if (this._isDisposed) {
      return;
    }
    if (this._loading) {
      this._pending.push(job);
    }
    this._jobs.set(job.jobId, job);
    this._sorted = null;
    this._jobChanged.emit(job);
    this._changed.emit();
  }

  /** Record a pushed metric on its job and re-emit it. */
  applyMetric(metric: IMetricEvent): void {
    const job = this._jobs.get(metric.jobId);
    if (job) {
      const output = job.trainingOutput ?? {};
      const updated: IJob = {
        ...job,
        trainingOutput: {
          ...output,
          latestMetrics: {
            ...(output.latestMetrics ?? {}),
            [metric.name]: metric.value
          }
        }
      };
      this._jobs.set(job.jobId, updated);
      this._sorted = null;
    }
    this._metricReceived.emit(metric);
    if (job) {
      this._changed.emit();
    }
  }

  /** Cancel a job and apply the answer. */
  async cancel(jobId: string): Promise<IJob> {
    const job = await this.client.cancelJob(jobId);
    this.applyJob(job);
    return job;
  }

  /** Stop the stream and release resources. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._stream?.dispose();
    Signal.clearData(this);
  }

  private _jobs = new Map<string, IJob>();
  private _sorted: IJob[] | null = null;
  private _pending: IJob[] = [];
  private _filter: JobFilter = 'ALL';
  private _loading = false;
  private _error: Error | null = null;
  private _refreshToken = 0;
  private _stream: ReconnectingEventStream | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _jobChanged = new Signal<this, IJob>(this);
  private _metricReceived = new Signal<this, IMetricEvent>(this);
  private _connectionChanged = new Signal<this, StreamStatus>(this);
  private _trialReceived = new Signal<this, ITrialEvent>(this);
  private _connected = new Signal<this, void>(this);
  private _otherEventReceived = new Signal<this, IServerSentEvent>(this);
}

/** Whether a parsed event payload looks like a trial event. */
function isTrialEvent(value: unknown): value is ITrialEvent {
  const event = value as ITrialEvent | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.jobId === 'string' &&
    typeof event.trial === 'object' &&
    event.trial !== null &&
    typeof event.trial.trialId === 'string'
  );
}

/** Newest first; ids break ties so the order is stable. */
function compareJobs(a: IJob, b: IJob): number {
  if (a.createTime !== b.createTime) {
    return a.createTime < b.createTime ? 1 : -1;
  }
  return a.jobId < b.jobId ? 1 : a.jobId > b.jobId ? -1 : 0;
}

/** Whether a job is a hyperparameter tuning (HPO) job. */
export function isHpoJob(job: IJob): boolean {
  return (
    !!job.trainingInput?.hyperparameters ||
    !!job.trainingOutput?.isHyperparameterTuningJob
  );
}

/** Whether a parsed event payload looks like a job. */
export function isJob(value: unknown): value is IJob {
  const job = value as IJob | null;
  return (
    typeof job === 'object' &&
    job !== null &&
    typeof job.jobId === 'string' &&
    typeof job.state === 'string'
  );
}

/** Whether a parsed event payload looks like a metric. */
function isMetric(value: unknown): value is IMetricEvent {
  const metric = value as IMetricEvent | null;
  return (
    typeof metric === 'object' &&
    metric !== null &&
    typeof metric.jobId === 'string' &&
    typeof metric.name === 'string' &&
    typeof metric.value === 'number'
  );
}
