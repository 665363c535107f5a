/** Multipliers of Kubernetes quantity suffixes. */
const SUFFIXES: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4
};

/** A Kubernetes quantity (`500m`, `8Gi`, `7`) as a number; NaN when it is not one. */
export function parseQuantity(text: string): number {
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text.trim());
  return m ? Number(m[1]) * SUFFIXES[m[2] ?? ''] : NaN;
}

/** `a=1,b=2Gi` -> {a: 1, b: 2147483648}. */
function parseList(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of text.split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) {
      out[item.slice(0, eq).trim()] = parseQuantity(item.slice(eq + 1));
    }
  }
  return out;
}

/**
 * Whether a ResourceQuota rejection ("exceeded quota: q, requested: r=9, used: r=0, limited: r=7")
 * says the request is larger than the quota itself: then no amount of waiting lets it in.
 */
export function quotaNeverFits(message: string): boolean {
  const m = /requested: ([^ ]+), used: ([^ ]+), limited: ([^ ]+)/.exec(message);
  if (!m) {
    return false;
  }
  const requested = parseList(m[1]);
  const limited = parseList(m[3].replace(/[.,]$/, ''));
  return Object.entries(requested).some(([name, value]) => limited[name] !== undefined && value > limited[name]);
}

/**
 * Runs whose Job the namespace quota refused (`count/jobs.batch`), by namespace, with their next retry
 * pause. A refused run is retried when one of its namespace's Jobs goes away (the quota controller then
 * frees its share) and, in case that came first, after a pause that doubles up to a minute.
 */
export class QuotaWaits {
  private readonly waiting = new Map<string, Map<string, number>>();

  /** `retry` creates a run again; `isStopped` ends the timers' work once the backend stops. */
  constructor(
    private readonly retry: (runId: string) => void,
    private readonly isStopped: () => boolean
  ) {}

  /** The quota refused the run's Job: wait for room. */
  wait(namespace: string, runId: string): void {
    let runs = this.waiting.get(namespace);
    if (!runs) {
      runs = new Map();
      this.waiting.set(namespace, runs);
    }
    const pauseMs = Math.min((runs.get(runId) ?? 2500) * 2, 60_000);
    runs.set(runId, pauseMs);
    setTimeout(() => {
      if (!this.isStopped() && this.waiting.get(namespace)?.has(runId)) {
        this.retry(runId);
      }
    }, pauseMs).unref();
  }

  /** A Job of the namespace is gone: runs the quota refused may fit now. */
  jobGone(namespace: string): void {
    for (const runId of this.waiting.get(namespace)?.keys() ?? []) {
      this.retry(runId);
    }
  }

  /** The run no longer waits (created, ended); without a namespace, in whichever it waited. */
  done(runId: string, namespace?: string): void {
    const maps = namespace ? [this.waiting.get(namespace)] : [...this.waiting.values()];
    for (const runs of maps) {
      runs?.delete(runId);
    }
  }
}
