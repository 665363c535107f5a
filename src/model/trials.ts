import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { LakeTahoeClient } from '../api';
import { IServerSentEvent } from '../sse';
import { HpoGoal, IJob, IParameterSpec, ITrial, ITrialEvent } from '../wire';
import { IJobsModel, IPushEvents } from '../tokens';
import { TERMINAL_STATES } from './states';
import { toError } from './errors';
import { loadTrials } from './trialsLoad';
import {
  TrialSortKey,
  ITrialSort,
  TrialFilter,
  findBestTrial,
  goalOf,
  compareIds,
  sortTrials
} from './trialTable';

/**
 * The trials of one HPO job, kept current by `trial` events of the shared
 * jobs model, with the grid's sort, state filter and selection.
 *
 * Every change emits {@link changed} at once; views throttle their redraws.
 * Changes of the trials or the job also emit {@link trialsChanged} and bump
 * {@link version}, so plots skip sorting, filtering and selecting. A trial
 * event updates the cached trial order, counts and best trial in place.
 */
export class TrialsModel implements IDisposable {
  /**
   * Create a model; call {@link start} to load and follow.
   * @param jobId the HPO job
   * @param jobs the shared jobs model (client and pushed updates)
   */
  constructor(jobId: string, jobs: IJobsModel) {
    this.jobId = jobId;
    this._jobs = jobs;
    this.client = jobs.client;
    this._job = jobs.get(jobId) ?? null;
    jobs.events.trialReceived.connect(this._onTrial, this);
    jobs.jobChanged.connect(this._onJob, this);
    jobs.events.connected.connect(this._onConnected, this);
  }

  /** The HPO job's id. */
  readonly jobId: string;

  /** The API client. */
  readonly client: LakeTahoeClient;

  /** Emitted on any change of trials, job, sort, filter or loading state. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when trials or the job change (not sort, filter, selection). */
  get trialsChanged(): ISignal<this, void> {
    return this._trialsChanged;
  }

  /** Bumped on each change of the trials or the job (for memoized views). */
  get version(): number {
    return this._version;
  }

  /** Emitted when the selected trial changes (not when it updates). */
  get selectionChanged(): ISignal<this, string | null> {
    return this._selectionChanged;
  }

  /** The HPO job, null until loaded. */
  get job(): IJob | null {
    return this._job;
  }

  /** Whether trials are being loaded. */
  get loading(): boolean {
    return this._loading;
  }

  /** The error of the last load. */
  get error(): Error | null {
    return this._error;
  }

  /** MAXIMIZE unless the spec says MINIMIZE. */
  get goal(): HpoGoal {
    return goalOf(this._job);
  }

  /** The metric tuned. */
  get metricTag(): string {
    return (
      this._job?.trainingInput?.hyperparameters?.hyperparameterMetricTag ??
      this._job?.trainingOutput?.hyperparameterMetricTag ??
      ''
    );
  }

  /** Parameter specs of the job, in spec order. */
  get parameterSpecs(): readonly IParameterSpec[] {
    return this._job?.trainingInput?.hyperparameters?.params ?? [];
  }

  /**
   * Names of the searched parameters: the spec's, then any other name seen
   * on a trial (a warm-started job may carry more).
   */
  get parameterNames(): readonly string[] {
    if (!this._names) {
      const names = this.parameterSpecs.map(p => p.parameterName);
      const seen = new Set(names);
      for (const trial of this._trials.values()) {
        for (const name of Object.keys(trial.hyperparameters ?? {})) {
          if (!seen.has(name)) {
            seen.add(name);
            names.push(name);
          }
        }
      }
      this._names = names;
    }
    return this._names;
  }

  /** Every trial in trial order. */
  get trials(): readonly ITrial[] {
    if (!this._ordered) {
      this._ordered = [...this._trials.values()].sort((a, b) =>
        compareIds(a.trialId, b.trialId)
      );
      this._positions = new Map(this._ordered.map((t, i) => [t.trialId, i]));
    }
    return this._ordered;
  }

  /** Trials passing the filter, in the sort order (cached). */
  get view(): readonly ITrial[] {
    if (!this._view) {
      const filter = this._filter;
      const shown =
        filter === 'ALL'
          ? this.trials
          : this.trials.filter(trial => trial.state === filter);
      this._view =
        this._sort.key === 'trial' && this._sort.ascending
          ? [...shown]
          : sortTrials(shown, this._sort);
    }
    return this._view;
  }

  /** The best trial for the job's goal. */
  get bestTrial(): ITrial | null {
    if (this._best === undefined) {
      this._best = findBestTrial(this._trials.values(), this.goal);
    }
    return this._best;
  }

  /** Count of trials in each state (cached; do not modify). */
  get counts(): { readonly [state: string]: number } {
    if (!this._counts) {
      const counts: { [state: string]: number } = {};
      for (const trial of this._trials.values()) {
        counts[trial.state] = (counts[trial.state] ?? 0) + 1;
      }
      this._counts = counts;
    }
    return this._counts;
  }

  /** The sort order. */
  get sort(): ITrialSort {
    return this._sort;
  }
  set sort(value: ITrialSort) {
    this._sort = { ...value };
    this._view = null;
    this._changed.emit();
  }

  /**
   * Sort by a column: a new column sorts ascending (objective in the
   * goal's best-first direction), the same column flips.
   */
  toggleSort(key: TrialSortKey): void {
    if (this._sort.key === key) {
      this.sort = { key, ascending: !this._sort.ascending };
    } else {
      this.sort = {
        key,
        ascending: key === 'objective' ? this.goal === 'MINIMIZE' : true
      };
    }
  }

  /** The state filter. */
  get filter(): TrialFilter {
    return this._filter;
  }
  set filter(value: TrialFilter) {
    if (value !== this._filter) {
      this._filter = value;
      this._view = null;
      this._changed.emit();
    }
  }

  /** The selected trial's id. */
  get selectedId(): string | null {
    return this._selected;
  }

  /** The selected trial, if still known. */
  get selected(): ITrial | null {
    return this._selected ? (this._trials.get(this._selected) ?? null) : null;
  }

  /** Select a trial by id, or none. */
  select(trialId: string | null): void {
    if (trialId !== this._selected) {
      this._selected = trialId;
      this._selectionChanged.emit(trialId);
      this._changed.emit();
    }
  }

  /** A trial by id. */
  get(trialId: string): ITrial | undefined {
    return this._trials.get(trialId);
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Load the job and its trials. */
  start(): void {
    void this.reload();
  }

  /**
   * (Re)load the job and every trial (up to 10,000; see {@link loadTrials}),
   * showing the first page in the grid while the rest loads.
   */
  async reload(): Promise<void> {
    const token = ++this._loadToken;
    this._loading = true;
    this._pending = [];
    this._changed.emit();
    try {
      const loadJob = this.client.getJob(this.jobId);
      const [job, trials] = await Promise.all([
        loadJob,
        loadTrials(this.client, this.jobId, loadJob, first => {
          void loadJob.then(
            loaded => this._preview(token, loaded, first),
            () => undefined
          );
        })
      ]);
      if (token !== this._loadToken || this._isDisposed) {
        return;
      }
      this._job = job;
      this._trials = new Map(trials.map(t => [t.trialId, t]));
      // Events that arrived while the pages loaded are newer than them.
      for (const trial of this._pending) {
        this._trials.set(trial.trialId, trial);
      }
      this._error = null;
      this._invalidate();
      // After the trials: the job's change (see _onJob) finds them all.
      this._jobs.applyJob(job);
      this._bump();
    } catch (error) {
      if (token !== this._loadToken || this._isDisposed) {
        return;
      }
      this._error = toError(error);
    } finally {
      if (token === this._loadToken && !this._isDisposed) {
        this._loading = false;
        this._pending = [];
        this._changed.emit();
      }
    }
  }

  /**
   * Show the first page of a load still in flight in the grid. Not a new
   * version: the plots redraw at most once a second, so plots of the first
   * page held back the ones of every trial by up to a second; they draw
   * once, when every trial and curve is there.
   */
  private _preview(token: number, job: IJob, trials: ITrial[]): void {
    if (token !== this._loadToken || !this._loading || this._isDisposed) {
      return;
    }
    this._job = job;
    this._trials = new Map(trials.map(t => [t.trialId, t]));
    for (const trial of this._pending) {
      this._trials.set(trial.trialId, trial);
    }
    this._invalidate();
    this._changed.emit();
  }

  /** Add or replace trials (from events or a load). */
  applyTrials(trials: readonly ITrial[]): void {
    if (this._isDisposed || trials.length === 0) {
      return;
    }
    for (const trial of trials) {
      if (this._loading) {
        this._pending.push(trial);
      }
      const previous = this._trials.get(trial.trialId);
      this._trials.set(trial.trialId, trial);
      this._patch(previous, trial);
    }
    // A new array, so whoever holds the old one sees a change.
    this._ordered = this._ordered?.slice() ?? null;
    this._view = null;
    this._bump();
    this._changed.emit();
  }

  /** Apply one event of a stream carrying `trial` events. */
  handleEvent(event: IServerSentEvent): void {
    if (event.event !== 'trial') {
      return;
    }
    try {
      const data = JSON.parse(event.data) as ITrialEvent;
      this._onTrial(this._jobs.events, data);
    } catch {
      // Not JSON: ignored like other malformed events.
    }
  }

  /** Stop following and release resources. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _onTrial(_: IPushEvents, event: ITrialEvent): void {
    if (event?.jobId === this.jobId && event.trial?.trialId) {
      this.applyTrials([event.trial]);
    }
  }

  private _onJob(_: IJobsModel, job: IJob): void {
    if (job.jobId === this.jobId) {
      this._job = job;
      this._names = null;
      this._best = undefined;
      this._bump();
      this._changed.emit();
    }
  }

  private _onConnected(): void {
    // Trial events missed while disconnected are not replayed.
    if (this._job && !TERMINAL_STATES.has(this._job.state)) {
      void this.reload();
    }
  }

  private _invalidate(): void {
    this._ordered = null;
    this._view = null;
    this._names = null;
    this._best = undefined;
    this._counts = null;
  }

  /** Data changed: a new version for the plots. */
  private _bump(): void {
    this._version++;
    this._trialsChanged.emit();
  }

  /**
   * Update the caches for one added or replaced trial instead of dropping
   * them: its place in trial order, the state counts, parameter names and
   * the best trial.
   */
  private _patch(previous: ITrial | undefined, trial: ITrial): void {
    const ordered = this._ordered;
    if (ordered) {
      const at = previous ? this._positions.get(trial.trialId) : undefined;
      const last = ordered[ordered.length - 1];
      if (at !== undefined) {
        ordered[at] = trial;
      } else if (!last || compareIds(last.trialId, trial.trialId) < 0) {
        this._positions.set(trial.trialId, ordered.length);
        ordered.push(trial);
      } else {
        this._ordered = null;
      }
    }
    if (this._counts) {
      const counts = { ...this._counts };
      if (previous) {
        counts[previous.state] -= 1;
      }
      counts[trial.state] = (counts[trial.state] ?? 0) + 1;
      this._counts = counts;
    }
    if (this._names) {
      const known = new Set(this._names);
      if (Object.keys(trial.hyperparameters ?? {}).some(n => !known.has(n))) {
        this._names = null;
      }
    }
    if (this._best !== undefined) {
      if (this._best?.trialId === trial.trialId) {
        this._best = undefined;
      } else {
        this._best = findBestTrial(
          this._best ? [this._best, trial] : [trial],
          this.goal
        );
      }
    }
  }

  private _jobs: IJobsModel;
  private _job: IJob | null;
  private _trials = new Map<string, ITrial>();
  private _pending: ITrial[] = [];
  private _ordered: ITrial[] | null = null;
  private _positions = new Map<string, number>();
  private _counts: { [state: string]: number } | null = null;
  private _version = 0;
  private _view: ITrial[] | null = null;
  private _names: string[] | null = null;
  private _best: ITrial | null | undefined = undefined;
  private _sort: ITrialSort = { key: 'trial', ascending: true };
  private _filter: TrialFilter = 'ALL';
  private _selected: string | null = null;
  private _loading = false;
  private _error: Error | null = null;
  private _loadToken = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _trialsChanged = new Signal<this, void>(this);
  private _selectionChanged = new Signal<this, string | null>(this);
}
