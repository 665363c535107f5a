/**
 * A delay that doubles with each step, capped: `firstMs` at step 0, then 2x, 4x ... up to `maxMs`. The
 * pauses between retries of a failed read, a restarted server or a reconnected stream.
 */
export function doublingDelay(firstMs: number, maxMs: number, step: number): number {
  return Math.min(maxMs, firstMs * 2 ** step);
}
