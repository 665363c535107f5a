/**
 * A bounded latency histogram with log-spaced buckets: constant memory and O(1) recording whatever
 * the traffic, mergeable across time buckets, and percentiles within about 2% of the true value.
 */

/** Buckets per doubling: each bucket spans a factor 2^(1/16) = 1.044, so a midpoint is within 2.2%. */
const PER_DOUBLING = 16;
/** Lower end of the first regular bucket, in milliseconds. */
const MIN_MS = 0.01;
/** Doublings covered: 0.01 ms up to 0.01 * 2^28 ms = 45 minutes. */
const DOUBLINGS = 28;
/** Regular buckets plus one underflow bucket (index 0) and one overflow bucket (last index). */
export const BUCKET_COUNT = PER_DOUBLING * DOUBLINGS + 2;

/** Bucket index of a latency. */
export function bucketOf(ms: number): number {
  if (!(ms >= MIN_MS)) {
    return 0;
  }
  return Math.min(BUCKET_COUNT - 1, Math.floor(Math.log2(ms / MIN_MS) * PER_DOUBLING) + 1);
}

/** Geometric middle of a regular bucket: the value reported for every latency that fell into it. */
function middleOf(index: number): number {
  return MIN_MS * 2 ** ((index - 0.5) / PER_DOUBLING);
}

/** The serialised form kept in the store: only non-empty buckets, as [index, count] pairs. */
export interface HistogramJson {
  buckets: [number, number][];
  min: number;
  max: number;
}

/** Latency counts in log-spaced buckets, plus the exact minimum and maximum seen. */
export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKET_COUNT);
  total = 0;
  min = Infinity;
  max = -Infinity;

  /** Counts one latency in milliseconds. */
  record(ms: number): void {
    this.counts[bucketOf(ms)]++;
    this.total++;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKET_COUNT; i++) {
      this.counts[i] += other.counts[i];
    }
    this.total += other.total;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /**
   * The q-quantile (0 < q <= 1) by the nearest-rank rule: the middle of the bucket holding the
   * ceil(q * n)-th smallest latency, clamped to the exact range seen. NaN when empty.
   */
  quantile(q: number): number {
    if (this.total === 0) {
      return Number.NaN;
    }
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        const estimate = i === 0 ? this.min : i === BUCKET_COUNT - 1 ? this.max : middleOf(i);
        return Math.min(this.max, Math.max(this.min, estimate));
      }
    }
    return this.max;
  }

  toJSON(): HistogramJson {
    const buckets: [number, number][] = [];
    this.counts.forEach((c, i) => {
      if (c > 0) buckets.push([i, c]);
    });
    return { buckets, min: this.total ? this.min : 0, max: this.total ? this.max : 0 };
  }

  /** Rebuilds a histogram from its stored form (unknown indices are clamped into range). */
  static fromJSON(json: HistogramJson): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [index, count] of json.buckets) {
      h.counts[Math.min(BUCKET_COUNT - 1, Math.max(0, index))] += count;
      h.total += count;
    }
    if (h.total > 0) {
      h.min = json.min;
      h.max = json.max;
    }
    return h;
  }
}
