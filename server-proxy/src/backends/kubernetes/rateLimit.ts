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
 * Which calls go first when callers wait for the rate limit. `normal`: creates, deletes, lists, watch
 * reconnections, what the service's answers and the runs' progress wait on. `background`: log stream
 * (re)connections and node usage reads, which lose nothing by waiting a few seconds.
 */
export type CallPriority = 'normal' | 'background';

/** How long a background call waits at most while normal calls keep coming, before it takes its turn. */
export const BACKGROUND_MAX_WAIT_MS = 10_000;

interface Waiter {
  since: number;
  go: () => void;
}

/**
 * Client-side rate limit of the calls to the API server, as client-go's QPS/Burst: the bucket holds up
 * to `burst` tokens, refills at `qps` per second, and every call takes one. Callers that find it empty
 * wait in arrival order, normal calls before background ones; a background call that has waited
 * {@link BACKGROUND_MAX_WAIT_MS} goes next, so log streams are late under load but never starved.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiting: Record<CallPriority, Waiter[]> = { normal: [], background: [] };
  private timerSet = false;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock,
    private readonly backgroundMaxWaitMs = BACKGROUND_MAX_WAIT_MS
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
  take(priority: CallPriority = 'normal'): Promise<void> {
    this.refill();
    if (this.tokens >= 1 && this.waiting.normal.length === 0 && this.waiting.background.length === 0) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise(go => {
      this.waiting[priority].push({ since: this.clock.now(), go });
      this.drain();
    });
  }

  /** Hands the tokens there are to waiters; when some are left waiting, comes back when the next token is. */
  private drain(): void {
    this.refill();
    while (this.tokens >= 1) {
      const next = this.next();
      if (!next) {
        return;
      }
      this.tokens -= 1;
      next.go();
    }
    if (!this.timerSet && (this.waiting.normal.length > 0 || this.waiting.background.length > 0)) {
      this.timerSet = true;
      // At least 1 ms: a balance a hair under 1 (float rounding) must not spin with zero delays.
      const untilNextMs = Math.max(1, ((1 - this.tokens) / this.qps) * 1000);
      void this.clock.sleep(untilNextMs).then(() => {
        this.timerSet = false;
        this.drain();
      });
    }
  }

  private next(): Waiter | undefined {
    const background = this.waiting.background[0];
    const overdue = background !== undefined && this.clock.now() - background.since >= this.backgroundMaxWaitMs;
    return this.waiting.normal.length > 0 && !overdue ? this.waiting.normal.shift() : this.waiting.background.shift();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}
