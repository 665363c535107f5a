import { ISignal, Signal } from '@lumino/signaling';

import { LakeTahoeClient } from '../api';
import { IJob, IMetricPoint } from '../wire';
import { toError } from './errors';

/** Fewest and most jobs a comparison shows. */
export const MIN_COMPARED = 2;
export const MAX_COMPARED = 5;

/** Points per metric and job asked of the service: enough for an overlaid chart. */
export const COMPARE_MAX_POINTS = 300;

/** One row of a comparison table: a value per job, in the jobs' order. */
export interface ICompareRow {
  name: string;
  values: (string | undefined)[];
  /** Whether the jobs disagree (a job without the value counts as different). */
  differs: boolean;
}

/** One metric of every job on shared steps, for an overlaid chart (null where a job has no value). */
export interface IOverlaySeries {
  name: string;
  steps: number[];
  values: (number | null)[][];
}

/** Why a set of job ids cannot be compared, or null when it can. */
export function compareCountError(count: number): string | null {
  if (count < MIN_COMPARED) {
    return `select at least ${MIN_COMPARED} jobs to compare`;
  }
  if (count > MAX_COMPARED) {
    return `select at most ${MAX_COMPARED} jobs to compare`;
  }
  return null;
}

function shown(value: unknown): string | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function row(name: string, values: (string | undefined)[]): ICompareRow {
  return { name, values, differs: values.some(v => v !== values[0]) };
}

/** What each job ran with: notebook or module, arguments, scale tier, then every notebook parameter. */
export function parameterRows(jobs: readonly IJob[]): ICompareRow[] {
  const inputs = jobs.map(job => job.trainingInput ?? {});
  const rows = [
    row(
      'notebook',
      inputs.map(i => i.notebook?.path ?? i.pythonModule)
    ),
    row(
      'scaleTier',
      inputs.map(i => i.scaleTier)
    )
  ];
  if (inputs.some(i => (i.args ?? []).length > 0)) {
    rows.push(
      row(
        'args',
        inputs.map(i => (i.args ? i.args.join(' ') : undefined))
      )
    );
  }
  const names = new Set<string>();
  for (const input of inputs) {
    Object.keys(input.notebook?.parameters ?? {}).forEach(n => names.add(n));
  }
  for (const name of [...names].sort()) {
    rows.push(
      row(
        name,
        inputs.map(i => shown(i.notebook?.parameters?.[name]))
      )
    );
  }
  return rows;
}

/** The last value of every metric each job reported. */
export function finalMetricRows(jobs: readonly IJob[]): ICompareRow[] {
  const names = new Set<string>();
  for (const job of jobs) {
    Object.keys(job.trainingOutput?.latestMetrics ?? {}).forEach(n =>
      names.add(n)
    );
  }
  return [...names].sort().map(name =>
    row(
      name,
      jobs.map(job => shown(job.trainingOutput?.latestMetrics?.[name]))
    )
  );
}

/** Each metric's values of every job on the union of their steps. */
export function overlaySeries(
  metrics: readonly (readonly IMetricPoint[])[]
): IOverlaySeries[] {
  const byName = new Map<string, Map<number, number>[]>();
  metrics.forEach((points, jobIndex) => {
    for (const point of points) {
      let perJob = byName.get(point.name);
      if (!perJob) {
        perJob = metrics.map(() => new Map<number, number>());
        byName.set(point.name, perJob);
      }
      perJob[jobIndex].set(point.step, point.value);
    }
  });
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, perJob]) => {
      const steps = [
        ...new Set(perJob.flatMap(values => [...values.keys()]))
      ].sort((a, b) => a - b);
      return {
        name,
        steps,
        values: perJob.map(values => steps.map(s => values.get(s) ?? null))
      };
    });
}

/** Two to five jobs side by side: what they ran with, where they ended and their metric curves. */
export class CompareModel {
  /**
   * @param client the API client
   * @param jobIds the jobs, in the order shown (2 to 5)
   */
  constructor(
    readonly client: LakeTahoeClient,
    readonly jobIds: readonly string[]
  ) {}

  /** Emitted when the jobs, metrics or loading state change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The jobs, once loaded, in the order asked. */
  get jobs(): readonly IJob[] {
    return this._jobs;
  }

  /** Overlaid metric curves, once loaded. */
  get series(): readonly IOverlaySeries[] {
    return this._series;
  }

  /** Whether the jobs and metrics are loading. */
  get loading(): boolean {
    return this._loading;
  }

  /** Why loading failed, if it did. */
  get error(): Error | null {
    return this._error;
  }

  /** Load the jobs and their metrics; returns at once. */
  start(): void {
    void this.load();
  }

  /** Load (again) the jobs and their metrics. */
  async load(): Promise<void> {
    const problem = compareCountError(this.jobIds.length);
    if (problem) {
      this._error = new Error(problem);
      this._changed.emit();
      return;
    }
    this._loading = true;
    this._changed.emit();
    try {
      const signal = this._abort.signal;
      const [jobs, metrics] = await Promise.all([
        Promise.all(this.jobIds.map(id => this.client.getJob(id, signal))),
        Promise.all(
          this.jobIds.map(id =>
            this.client.getMetrics(id, {
              maxPoints: COMPARE_MAX_POINTS,
              signal
            })
          )
        )
      ]);
      this._jobs = jobs;
      this._series = overlaySeries(metrics);
      this._error = null;
    } catch (error) {
      if (this._disposed) {
        return;
      }
      this._error = toError(error);
    } finally {
      this._loading = false;
      if (!this._disposed) {
        this._changed.emit();
      }
    }
  }

  /** Stop loading and release listeners. */
  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this._abort.abort();
      Signal.clearData(this);
    }
  }

  private _jobs: IJob[] = [];
  private _series: IOverlaySeries[] = [];
  private _loading = false;
  private _error: Error | null = null;
  private _disposed = false;
  private _abort = new AbortController();
  private _changed = new Signal<this, void>(this);
}
