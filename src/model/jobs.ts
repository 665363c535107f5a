import { ISignal, Signal } from '@lumino/signaling';

import { LakeTahoeClient } from '../api';
import {
  IJobSearch,
  IJobsModel,
  IPushEvents,
  JobFilter,
  StreamStatus
} from '../tokens';
import { IDeleteOutcome, IJob, IMetricEvent } from '../wire';
import { toError } from './errors';
import { PushEvents } from './events';
import { TERMINAL_STATES } from './states';

export type { IJobSearch, JobFilter };
export { isJob } from './events';

/** Largest number of jobs the list loads; older ones are not shown. */
export const MAX_LISTED_JOBS = 500;

/**
 * The caller's jobs, kept current by the service's event stream.
 *
 * The list is loaded once per connection (so nothing missed while
 * disconnected is lost) and then patched by `job` events; there is no
 * periodic polling.
 */
export class JobsModel implements IJobsModel {
  /**
   * Create a model.
   * @param client the API client
   * @param events the push connection; one of its own by default
   */
  constructor(client: LakeTahoeClient, events?: IPushEvents) {
    this.client = client;
    this.events = events ?? new PushEvents(client);
    this.events.connected.connect(() => void this.refresh(), this);
    this.events.jobReceived.connect((_, job) => this.applyJob(job), this);
    this.events.metricReceived.connect(
      (_, metric) => this.applyMetric(metric),
      this
    );
    // Jobs deleted elsewhere (another tab, the CLI, a kernel, retention) leave the list too.
    this.events.otherEventReceived.connect((_, event) => {
      if (event.event === 'deleted') {
        try {
          const { jobId } = JSON.parse(event.data) as { jobId?: unknown };
          if (typeof jobId === 'string') {
            this.removeJob(jobId);
          }
        } catch {
          // Not JSON: nothing to remove.
        }
      }
    }, this);
  }

  /** The API client the model uses. */
  readonly client: LakeTahoeClient;

  /** The push connection, shared with the other models. */
  readonly events: IPushEvents;

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

  /** Emitted when the push connection opens, drops or stops. */
  get connectionChanged(): ISignal<IPushEvents, StreamStatus> {
    return this.events.statusChanged;
  }

  /** Push connection status; 'stopped' before {@link start}. */
  get connection(): StreamStatus {
    return this.events.status;
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

  /** The jobs passing the state filter and the search, newest first. */
  get filteredJobs(): readonly IJob[] {
    const filter = this._filter;
    const search = this._search;
    return this.jobs.filter(
      job =>
        (filter === 'ALL' || job.state === filter) && matchesSearch(job, search)
    );
  }

  /**
   * The search: text in a job's id or notebook path, and a label (`key` or
   * `key=value`). The service searches all jobs, not only the loaded ones;
   * jobs pushed later are matched here the same way.
   */
  get search(): IJobSearch {
    return this._search;
  }
  set search(value: IJobSearch) {
    const next = { text: value.text, label: value.label };
    if (next.text === this._search.text && next.label === this._search.label) {
      return;
    }
    this._search = next;
    this._changed.emit();
    // Typing waits for a pause before the service is asked again.
    clearTimeout(this._searchTimer);
    this._searchTimer = setTimeout(() => void this.refresh(), SEARCH_DELAY_MS);
  }

  /** PATCH a job's labels and apply the answer. */
  async setLabels(
    jobId: string,
    labels: { [key: string]: string }
  ): Promise<IJob> {
    const job = await this.client.setJobLabels(jobId, labels);
    this.applyJob(job);
    return job;
  }

  /** Submit a finished job again (same spec, parameters and labels). */
  async rerun(jobId: string): Promise<IJob> {
    const job = await this.client.rerunJob(jobId);
    this.applyJob(job);
    return job;
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
   * Open the push connection; the list is reloaded each time it opens.
   * Returns at once.
   */
  start(): void {
    if (!this._isDisposed) {
      this.events.start();
    }
  }

  /** Reconnect the push connection now, e.g. after the user asked to retry. */
  reconnect(): void {
    this.events.reconnect();
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
        const page = await this.client.listJobs({
          pageSize: 100,
          pageToken,
          q: this._search.text.trim() || undefined,
          label: this._search.label.trim() || undefined
        });
        jobs.push(...page.jobs);
        pageToken = page.nextPageToken;
      } while (pageToken && jobs.length < MAX_LISTED_JOBS);
      if (token !== this._refreshToken || this._isDisposed) {
        return;
      }
      this._jobs = new Map(jobs.map(job => [job.jobId, job]));
      // Events that arrived while the pages loaded are usually newer than them.
      for (const job of this._pending) {
        if (!isOlderSnapshot(job, this._jobs.get(job.jobId))) {
          this._jobs.set(job.jobId, job);
        }
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

  /** Add or replace a job, e.g. from an event or a submit/cancel answer. */
  applyJob(job: IJob): void {
    if (this._isDisposed) {
      return;
    }
    if (this._loading) {
      this._pending.push(job);
    }
    // A request's answer can arrive after a pushed update it predates (a cancel's CANCELLING after the
    // CANCELLED pushed 50 ms later): keep the newer one.
    if (isOlderSnapshot(job, this._jobs.get(job.jobId))) {
      return;
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

  /** Ids of the jobs selected in the list (for deleting several at once). */
  get selected(): ReadonlySet<string> {
    return this._selected;
  }

  /** Select or unselect a job. */
  setSelected(jobId: string, selected: boolean): void {
    if (selected === this._selected.has(jobId)) {
      return;
    }
    if (selected) {
      this._selected.add(jobId);
    } else {
      this._selected.delete(jobId);
    }
    this._changed.emit();
  }

  /** Unselect every job. */
  clearSelection(): void {
    if (this._selected.size > 0) {
      this._selected.clear();
      this._changed.emit();
    }
  }

  /**
   * Delete jobs (running ones are cancelled first) and drop those deleted from the list; one result
   * per id, in order.
   */
  async deleteJobs(jobIds: string[]): Promise<IDeleteOutcome[]> {
    const results = await this.client.deleteJobs(jobIds);
    for (const result of results) {
      if (result.deleted) {
        this.removeJob(result.jobId);
      }
    }
    return results;
  }

  /** Forget a job that no longer exists. */
  removeJob(jobId: string): void {
    const known = this._jobs.delete(jobId);
    const selected = this._selected.delete(jobId);
    if (known || selected) {
      this._sorted = null;
      this._changed.emit();
    }
  }

  /** Stop the stream and release resources. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    clearTimeout(this._searchTimer);
    this.events.dispose();
    Signal.clearData(this);
  }

  private _jobs = new Map<string, IJob>();
  private _selected = new Set<string>();
  private _sorted: IJob[] | null = null;
  private _pending: IJob[] = [];
  private _filter: JobFilter = 'ALL';
  private _search: IJobSearch = { text: '', label: '' };
  private _searchTimer: ReturnType<typeof setTimeout> | undefined;
  private _loading = false;
  private _error: Error | null = null;
  private _refreshToken = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _jobChanged = new Signal<this, IJob>(this);
  private _metricReceived = new Signal<this, IMetricEvent>(this);
}

/** How long the search waits after the last keystroke before asking the service. */
export const SEARCH_DELAY_MS = 300;

/**
 * Whether a job matches the search as the service's list route does: text
 * in the id or notebook path (any case), and the label's key (and value).
 */
export function matchesSearch(job: IJob, search: IJobSearch): boolean {
  const text = search.text.trim().toLowerCase();
  const label = search.label.trim();
  if (text) {
    const notebook = job.trainingInput?.notebook?.path ?? '';
    if (
      !job.jobId.toLowerCase().includes(text) &&
      !notebook.toLowerCase().includes(text)
    ) {
      return false;
    }
  }
  if (label) {
    const cut = label.indexOf('=');
    const key = cut < 0 ? label : label.slice(0, cut);
    const labels = job.labels ?? {};
    if (!(key in labels)) {
      return false;
    }
    if (cut >= 0 && labels[key] !== label.slice(cut + 1)) {
      return false;
    }
  }
  return true;
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

/**
 * Whether `incoming` is an earlier snapshot of the job `held` already shows: the same job (same create
 * time) with fewer state transitions. Transitions are only ever appended, so a shorter history is older.
 */
export function isOlderSnapshot(
  incoming: IJob,
  held: IJob | undefined
): boolean {
  return (
    held !== undefined &&
    held.createTime === incoming.createTime &&
    (incoming.stateHistory?.length ?? 0) < (held.stateHistory?.length ?? 0)
  );
}
