/**
 * Largest delay `setTimeout` honours: 2^31-1 ms (about 24.8 days). A longer delay overflows, and Node
 * fires the timer after 1 ms instead (with a TimeoutOverflowWarning).
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A timer made by {@link setLongTimeout}. */
export interface LongTimer {
  /** Cancels the timer; safe to call more than once, or after it fired. */
  clear(): void;
}

/**
 * Like `setTimeout`, for any delay: delays past {@link MAX_TIMEOUT_MS} are waited out as a chain of
 * shorter timers, each re-checking the wall clock, so a job may run for months without being killed at once.
 */
export function setLongTimeout(fn: () => void, delayMs: number, now: () => number = Date.now): LongTimer {
  const due = now() + Math.max(0, delayMs);
  let handle: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = due - now();
    if (left <= 0) {
      handle = undefined;
      fn();
      return;
    }
    handle = setTimeout(arm, Math.min(left, MAX_TIMEOUT_MS));
  };
  arm();
  return {
    clear() {
      clearTimeout(handle);
      handle = undefined;
    }
  };
}
