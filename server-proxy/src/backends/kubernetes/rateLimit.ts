/** Steady requests per second and burst of the service's Kubernetes client when not configured. */
export const DEFAULT_K8S_QPS = 50;
export const DEFAULT_K8S_BURST = 100;

/** Clock and timer of a {@link TokenBucket}; tests give it a manual one. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => performance.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms))
};

/**
 * Client-side rate limit of the calls to the API server, as client-go's QPS/Burst: the bucket holds up
 * to `burst` tokens, refills at `qps` per second, and every call takes one. A caller that finds it
 * empty reserves the next token and waits for it, so waiting callers go in the order they came.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock
  ) {
    if (!(qps > 0) || !Number.isFinite(qps)) {
      throw new Error(`qps must be a positive number, got ${qps}`);
    }
    if (!Number.isInteger(burst) || burst < 1) {
      throw new Error(`burst must be a whole number of at least 1, got ${burst}`);
    }
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Resolves when the caller may make its call. */
  async take(): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) {
      await this.clock.sleep(waitMs);
    }
  }

  /** Takes a token, possibly one not yet refilled (the balance goes below zero); returns how long until it is. */
  private reserve(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
}
