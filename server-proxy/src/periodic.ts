/**
 * Runs an async task every `intervalMs` while started, never two rounds at once: a round still running
 * when the next tick comes makes that tick skip. The timer does not keep the process alive.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly intervalMs: number,
    private readonly round: () => Promise<void>,
    private readonly onError: (err: unknown) => void
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      if (this.busy) {
        return;
      }
      this.busy = true;
      this.round()
        .catch(this.onError)
        .finally(() => {
          this.busy = false;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
