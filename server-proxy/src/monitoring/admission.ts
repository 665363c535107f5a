/**
 * Which answered requests give rows to a deployment's drift windows. A window holds at most `capacity`
 * rows of the last `windowSeconds`; when more arrive than that over the window's width, keeping every row
 * would leave it holding only the last few seconds of traffic (20,000 rows are 17 s at 600 requests of
 * two rows a second), and decoding and storing rows that are overwritten before drift is next computed is
 * most of what monitoring costs per request. So rows enter at up to capacity / windowSeconds a second (a
 * token bucket counted in rows) and the window holds a sample spread over its whole width. After a quiet
 * spell a tenth of the window (never fewer than the rows drift needs) enters at once, so that drift is
 * known soon after traffic starts; below the rate every row enters.
 */

/** How much of a window may enter at once: a tenth. */
const BURST_SHARE = 0.1;

/** The rate and burst of the rows entering one deployment's windows. */
export class RowAdmission {
  private readonly rowsPerMs: number;
  private readonly burst: number;
  private tokens: number;
  private lastTime: number | undefined;

  /** `minBurst`: the rows drift needs before it is computed at all. */
  constructor(capacity: number, windowSeconds: number, minBurst: number) {
    this.rowsPerMs = capacity / (windowSeconds * 1000);
    this.burst = Math.min(capacity, Math.max(minBurst, Math.ceil(capacity * BURST_SHARE)));
    this.tokens = this.burst;
  }

  /**
   * Whether the rows of a request answered at `time` (epoch ms) enter the windows. An admitted request
   * may take more rows than are left ({@link spend}): the next ones then wait until the bucket refills.
   */
  admits(time: number): boolean {
    if (this.lastTime !== undefined && time > this.lastTime) {
      this.tokens = Math.min(this.burst, this.tokens + (time - this.lastTime) * this.rowsPerMs);
    }
    this.lastTime = Math.max(time, this.lastTime ?? time);
    return this.tokens > 0;
  }

  /** Counts the rows an admitted request added. */
  spend(rows: number): void {
    this.tokens -= rows;
  }
}
