/**
 * Durations of the steps of one request, sent back as a `Server-Timing` header (RFC-style metrics
 * browsers and benches read), so a slow submit shows which step took the time.
 */
export class StepTimes {
  private last = performance.now();
  private readonly steps: Array<[string, number]> = [];

  /** Ends the current step under `name`; the next one starts now. */
  mark(name: string): void {
    const now = performance.now();
    this.steps.push([name, now - this.last]);
    this.last = now;
  }

  /** `validate;dur=0.8, store;dur=2.1`: milliseconds, in the order the steps ran. */
  header(): string {
    return this.steps.map(([name, ms]) => `${name};dur=${ms.toFixed(1)}`).join(', ');
  }
}
