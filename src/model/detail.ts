import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { LakeTahoeClient } from '../api';
import {
  IJob,
  ILogLine,
  IMetricEvent,
  IMetricPoint,
  ITrial,
  ITrialEvent
} from '../wire';
import { TERMINAL_STATES } from './states';
import { isJob } from './events';
import { IJobsModel, IPushEvents, StreamStatus } from '../tokens';
import { isHpoJob } from './jobs';
import { compareIds } from './trialTable';
import { LogStreamModel } from './stream';
import { toError } from './errors';
import { USAGE_CHART_POINTS, UsageModel } from './usage';

/** Most log lines kept in memory; older ones are dropped (and counted). */
export const MAX_LOG_LINES = 5000;

/**
 * Values per metric fetched for the charts: the service thins longer series
 * evenly (first and last kept), so a run with 100,000 values loads quickly.
 */
export const CHART_POINTS = 2000;

/** One metric's values in step order. */
export interface IMetricSeries {
  /** Metric name. */
  name: string;
  /** Steps, ascending. */
  steps: number[];
  /** Values, aligned with `steps`. */
  values: number[];
}

/**
 * One job with its logs and metrics, for the detail view.
 *
 * Logs come from the job's log stream, resumed after the last sequence
 * number on reconnect; state and metrics come from the shared JobsModel's
 * event stream, so one detail view opens at most one extra connection.
 */
export class JobDetailModel implements IDisposable {
  /**
   * Create a model; call {@link start} to load and stream.
   * @param jobId the job to follow
   * @param jobs the shared jobs model (client and pushed updates)
   */
  constructor(jobId: string, jobs: IJobsModel) {
    this.jobId = jobId;
    this._jobs = jobs;
    this._client = jobs.client;
    this._job = jobs.get(jobId) ?? null;
    this._log = new LogStreamModel({
      open: (after, signal) =>
        this._client.openLogStream(jobId, { after, signal }),
      maxLines: MAX_LOG_LINES,
      onEnd: data => {
        // The end event carries the final job, which may beat the push.
        if (isJob(data)) {
          this._jobs.applyJob(data);
        }
      }
    });
    this._log.changed.connect(() => this._logsChanged.emit(), this);
    this.usage = new UsageModel(
      signal =>
        this._client.getUsage(jobId, { maxPoints: USAGE_CHART_POINTS, signal }),
      () => !this._job || !TERMINAL_STATES.has(this._job.state)
    );
    jobs.jobChanged.connect(this._onJobChanged, this);
    jobs.metricReceived.connect(this._onMetric, this);
    jobs.events.trialReceived.connect(this._onTrial, this);
  }

  /** The job's id. */
  readonly jobId: string;

  /** CPU, memory and GPU use of the job, for its charts. */
  readonly usage: UsageModel;

  /** Emitted when the job or the load error changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when log lines were appended. */
  get logsChanged(): ISignal<this, void> {
    return this._logsChanged;
  }

  /** Emitted when metric values were added. */
  get metricsChanged(): ISignal<this, void> {
    return this._metricsChanged;
  }

  /** The job, null until loaded. */
  get job(): IJob | null {
    return this._job;
  }

  /** The last load error. */
  get error(): Error | null {
    return this._error;
  }

  /** Log lines kept, oldest first. */
  get logs(): readonly ILogLine[] {
    return this._log.lines;
  }

  /** How many old log lines were dropped to bound memory. */
  get droppedLines(): number {
    return this._log.droppedLines;
  }

  /** Status of the log stream. */
  get logStatus(): StreamStatus {
    return this._log.status;
  }

  /** Every metric series, by name in first-seen order. */
  get metrics(): readonly IMetricSeries[] {
    return [...this._metrics.values()];
  }

  /** Emitted when trials of an HPO job were loaded or changed. */
  get trialsChanged(): ISignal<this, void> {
    return this._trialsChanged;
  }

  /** Trials of an HPO job in trial order; empty for a training job. */
  get trials(): readonly ITrial[] {
    if (!this._sortedTrials) {
      this._sortedTrials = [...this._trials.values()].sort((a, b) =>
        compareIds(a.trialId, b.trialId)
      );
    }
    return this._sortedTrials;
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Load the job and its metrics and start streaming logs. */
  start(): void {
    void this.reload();
    this._log.start();
    this.usage.start();
  }

  /** Reload the job and its metrics. */
  async reload(): Promise<void> {
    try {
      const [job, metrics] = await Promise.all([
        this._client.getJob(this.jobId),
        this._client.getMetrics(this.jobId, { maxPoints: CHART_POINTS })
      ]);
      if (this._isDisposed) {
        return;
      }
      this._error = null;
      // Shared with the list; the jobChanged signal brings it back here.
      this._jobs.applyJob(job);
      if (this._job !== job) {
        this._setJob(job);
      }
      this._metrics.clear();
      this.addMetrics(metrics);
      if (isHpoJob(job)) {
        // The job reports no metrics of its own: its summary is its trials'.
        const trials = await this._client.listAllTrials(this.jobId);
        if (this._isDisposed) {
          return;
        }
        this._trials.clear();
        this.addTrials(trials);
      }
    } catch (error) {
      if (this._isDisposed) {
        return;
      }
      this._error = toError(error);
      this._changed.emit();
    }
  }

  /** Cancel the job. */
  async cancel(): Promise<void> {
    await this._jobs.cancel(this.jobId);
  }

  /** Append log lines, skipping ones already seen, and bound the buffer. */
  addLogLines(lines: ILogLine[]): void {
    this._log.addLines(lines);
  }

  /** Merge metric points; a repeated step replaces the earlier value. */
  addMetrics(points: IMetricPoint[]): void {
    if (points.length === 0) {
      return;
    }
    for (const point of points) {
      let series = this._metrics.get(point.name);
      if (!series) {
        series = { name: point.name, steps: [], values: [] };
        this._metrics.set(point.name, series);
      }
      const { steps, values } = series;
      // Points nearly always arrive in order, so search from the end.
      let i = steps.length;
      while (i > 0 && steps[i - 1] > point.step) {
        i--;
      }
      if (i > 0 && steps[i - 1] === point.step) {
        values[i - 1] = point.value;
      } else {
        steps.splice(i, 0, point.step);
        values.splice(i, 0, point.value);
      }
    }
    this._metricsChanged.emit();
  }

  /** Merge trials (a newer copy of a trial replaces the older one). */
  addTrials(trials: readonly ITrial[]): void {
    if (trials.length === 0) {
      return;
    }
    for (const trial of trials) {
      this._trials.set(trial.trialId, trial);
    }
    this._sortedTrials = null;
    this._trialsChanged.emit();
  }

  /** Stop streaming and release resources. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._log.dispose();
    this.usage.dispose();
    Signal.clearData(this);
  }

  private _onJobChanged(_: IJobsModel, job: IJob): void {
    if (job.jobId === this.jobId) {
      this._setJob(job);
    }
  }

  private _onTrial(_: IPushEvents, event: ITrialEvent): void {
    if (event.jobId === this.jobId && event.trial) {
      this.addTrials([event.trial]);
    }
  }

  private _onMetric(_: IJobsModel, metric: IMetricEvent): void {
    if (metric.jobId === this.jobId) {
      this.addMetrics([metric]);
    }
  }

  private _setJob(job: IJob): void {
    const previous = this._job;
    this._job = job;
    this._changed.emit();
    // Seen ending live: fetch the final metrics in case a push was missed.
    if (
      previous &&
      !TERMINAL_STATES.has(previous.state) &&
      TERMINAL_STATES.has(job.state)
    ) {
      this._client
        .getMetrics(this.jobId, { maxPoints: CHART_POINTS })
        .then(points => {
          if (!this._isDisposed) {
            this.addMetrics(points);
          }
        })
        .catch(() => undefined);
    }
  }

  private _client: LakeTahoeClient;
  private _jobs: IJobsModel;
  private _job: IJob | null;
  private _error: Error | null = null;
  private _metrics = new Map<string, IMetricSeries>();
  private _trials = new Map<string, ITrial>();
  private _sortedTrials: ITrial[] | null = null;
  private _trialsChanged = new Signal<this, void>(this);
  private _log: LogStreamModel;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _logsChanged = new Signal<this, void>(this);
  private _metricsChanged = new Signal<this, void>(this);
}
