import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IUsage } from '../wire';
import { toError } from './errors';

/** Samples fetched for the usage charts. */
export const USAGE_CHART_POINTS = 500;

/** How often usage is fetched again while the job runs (the service samples every few seconds). */
export const USAGE_REFRESH_MS = 5000;

/** Chart series of a usage answer: times in seconds, values in chart units. */
export interface IUsageSeries {
  /** Unix seconds of each sample. */
  times: number[];
  /** CPU cores in use. */
  cpuCores: number[];
  /** Memory in GiB. */
  memoryGiB: number[];
  /** Mean GPU utilization in percent; null where not measured. */
  gpuUtilization: (number | null)[] | null;
}

/** The series a chart draws from a usage answer (GPU only when some sample has it). */
export function usageSeries(usage: IUsage): IUsageSeries {
  const samples = usage.samples;
  const hasGpu = samples.some(s => s.gpuUtilization !== undefined);
  return {
    times: samples.map(s => Date.parse(s.time) / 1000),
    cpuCores: samples.map(s => s.cpuCores),
    memoryGiB: samples.map(s => s.memoryBytes / 1024 ** 3),
    gpuUtilization: hasGpu ? samples.map(s => s.gpuUtilization ?? null) : null
  };
}

/** Bytes as people read them: GiB with one decimal from 1 GiB up, else whole MiB. */
export function formatBytes(bytes: number): string {
  const gib = 1024 ** 3;
  return bytes >= gib
    ? `${(bytes / gib).toFixed(1)} GiB`
    : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/**
 * A job's resource usage: loaded once, then again every few seconds while
 * `isActive()` says the job runs, and once more after it ended.
 */
export class UsageModel implements IDisposable {
  /**
   * @param load fetches the usage (the API client's getUsage)
   * @param isActive whether the job still runs
   */
  constructor(
    private readonly _load: (signal: AbortSignal) => Promise<IUsage>,
    private readonly _isActive: () => boolean
  ) {}

  /** Emitted when usage or the load error changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The latest answer, null until loaded. */
  get usage(): IUsage | null {
    return this._usage;
  }

  /** Why the last load failed, or null. */
  get error(): Error | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Load now and keep loading while the job runs. */
  start(): void {
    void this._tick();
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    clearTimeout(this._timer);
    this._abort.abort();
    Signal.clearData(this);
  }

  private async _tick(): Promise<void> {
    const active = this._isActive();
    try {
      this._usage = await this._load(this._abort.signal);
      this._error = null;
    } catch (err) {
      this._error = toError(err);
    }
    if (this._disposed) {
      return;
    }
    this._changed.emit();
    // One more load after the job ended picks up its last samples.
    if (active) {
      this._timer = setTimeout(() => void this._tick(), USAGE_REFRESH_MS);
    }
  }

  private _usage: IUsage | null = null;
  private _error: Error | null = null;
  private _disposed = false;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private readonly _abort = new AbortController();
  private readonly _changed = new Signal<this, void>(this);
}
