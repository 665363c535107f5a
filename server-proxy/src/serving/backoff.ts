import { doublingDelay } from '../doublingDelay.js';

/**
 * When to restart a model server that died: 1 s after the first crash, doubling with each crash in a row
 * up to 60 s, and back to 1 s once a server stayed ready for a healthy period (60 s) before dying.
 * The clock is injected so the schedule can be checked without waiting for it.
 */
export class RestartBackoff {
  private streak = 0;
  private readySince = Number.NEGATIVE_INFINITY;

  /**
   * @param firstMs the first delay (tests shorten it)
   * @param maxMs the longest delay
   * @param stableMs how long a server must stay ready for its next crash to start a new streak
   * @param now the clock
   */
  constructor(
    private readonly firstMs = 1000,
    private readonly maxMs = 60_000,
    private readonly stableMs = 60_000,
    private readonly now: () => number = Date.now
  ) {}

  /** The server answered ready: the healthy period counts from now. */
  ready(): void {
    this.readySince = this.now();
  }

  /** The server died: how long to wait before starting it again. */
  next(): number {
    if (this.now() - this.readySince > this.stableMs) {
      this.streak = 0;
    }
    const delay = doublingDelay(this.firstMs, this.maxMs, this.streak);
    this.streak += 1;
    return delay;
  }
}
