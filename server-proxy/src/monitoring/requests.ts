/**
 * Request aggregates of one time bucket: counts, errors by class and a latency histogram. Buckets
 * merge, so a series at any step (and the window's p99 and error rate) is built from the base buckets.
 */
import { LatencyHistogram, type HistogramJson } from './histogram.js';

/** Request aggregates of one time bucket of one deployment. */
export interface RequestBucketRecord {
  /** Epoch ms of the bucket's start. */
  start: number;
  widthMs: number;
  requests: number;
  errors: number;
  clientErrors: number;
  serverErrors: number;
  latencySumMs: number;
  histogram: HistogramJson;
}

/** One point of the monitoring answer's `series`. */
export interface SeriesPoint {
  time: string;
  requests: number;
  errors: number;
  clientErrors: number;
  serverErrors: number;
  errorRate: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; mean: number | null };
}

/** Requests of one bucket. */
export class RequestBucket {
  requests = 0;
  clientErrors = 0;
  serverErrors = 0;
  latencySumMs = 0;
  readonly latency = new LatencyHistogram();

  constructor(
    readonly start: number,
    readonly widthMs: number
  ) {}

  /** Status >= 400 is an error: 4xx the client's, 5xx the server's. */
  add(status: number, latencyMs: number): void {
    this.requests++;
    if (status >= 500) {
      this.serverErrors++;
    } else if (status >= 400) {
      this.clientErrors++;
    }
    if (Number.isFinite(latencyMs) && latencyMs >= 0) {
      this.latencySumMs += latencyMs;
      this.latency.record(latencyMs);
    }
  }

  get errors(): number {
    return this.clientErrors + this.serverErrors;
  }

  /** Adds another bucket's requests to this one. */
  merge(other: RequestBucket): void {
    this.requests += other.requests;
    this.clientErrors += other.clientErrors;
    this.serverErrors += other.serverErrors;
    this.latencySumMs += other.latencySumMs;
    this.latency.merge(other.latency);
  }

  /** The bucket as a series point; latencies are null when it saw no request. */
  point(): SeriesPoint {
    const empty = this.latency.total === 0;
    const q = (p: number) => (empty ? null : round(this.latency.quantile(p)));
    return {
      time: new Date(this.start).toISOString(),
      requests: this.requests,
      errors: this.errors,
      clientErrors: this.clientErrors,
      serverErrors: this.serverErrors,
      errorRate: this.requests ? this.errors / this.requests : 0,
      latencyMs: { p50: q(0.5), p95: q(0.95), p99: q(0.99), mean: empty ? null : round(this.latencySumMs / this.latency.total) }
    };
  }

  toRecord(): RequestBucketRecord {
    return {
      start: this.start,
      widthMs: this.widthMs,
      requests: this.requests,
      errors: this.errors,
      clientErrors: this.clientErrors,
      serverErrors: this.serverErrors,
      latencySumMs: this.latencySumMs,
      histogram: this.latency.toJSON()
    };
  }

  static fromRecord(r: RequestBucketRecord): RequestBucket {
    const b = new RequestBucket(r.start, r.widthMs);
    b.requests = r.requests;
    b.clientErrors = r.clientErrors;
    b.serverErrors = r.serverErrors;
    b.latencySumMs = r.latencySumMs;
    b.latency.merge(LatencyHistogram.fromJSON(r.histogram));
    return b;
  }
}

/**
 * Regroups base buckets into points of `stepMs` from `fromMs` to `toMs` (both aligned down to the
 * step), with a zero point where no request came, so charts show gaps as zero traffic.
 */
export function series(buckets: readonly RequestBucket[], fromMs: number, toMs: number, stepMs: number): SeriesPoint[] {
  const first = Math.floor(fromMs / stepMs) * stepMs;
  const points = new Map<number, RequestBucket>();
  for (let t = first; t <= toMs; t += stepMs) {
    points.set(t, new RequestBucket(t, stepMs));
  }
  for (const b of buckets) {
    points.get(Math.floor(b.start / stepMs) * stepMs)?.merge(b);
  }
  return [...points.values()].map(p => p.point());
}

/** Milliseconds to three decimals: finer than the histogram resolves. */
function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
