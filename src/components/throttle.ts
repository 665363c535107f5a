/**
 * Leading- and trailing-edge throttle for redraws: the first call runs at
 * once, later calls within `ms` collapse into one run at the end of the
 * window, so a burst of trial events costs at most one redraw per window.
 */
export class Throttle {
  /**
   * Create a throttle.
   * @param fn what to run
   * @param ms the window in milliseconds
   */
  constructor(
    private readonly fn: () => void,
    private readonly ms: number
  ) {}

  /** Ask for a run. */
  invoke(): void {
    if (this._disposed) {
      return;
    }
    if (this._timer !== null) {
      this._pending = true;
      return;
    }
    this.fn();
    this._timer = setTimeout(() => this._tick(), this.ms);
  }

  /** Cancel a pending run and never run again. */
  dispose(): void {
    this._disposed = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _tick(): void {
    this._timer = null;
    if (this._pending && !this._disposed) {
      this._pending = false;
      this.invoke();
    }
  }

  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _pending = false;
  private _disposed = false;
}
