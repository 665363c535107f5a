import { BUCKET_COUNT, bucketOf, LatencyHistogram } from '../../src/monitoring/histogram.js';
import { RequestBucket, series } from '../../src/monitoring/requests.js';

/** Nearest-rank percentile of a list, the definition the histogram approximates. */
function exactQuantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(q * s.length)) - 1];
}

describe('latency histogram', () => {
  test('percentiles are within the bucket resolution (2.2%) of the exact ones', () => {
    // A skewed, long-tailed set: mostly fast answers, a few slow ones.
    const values = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? 400 + i / 10 : 1 + (i % 97) * 0.37));
    const h = new LatencyHistogram();
    values.forEach(v => h.record(v));
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = exactQuantile(values, q);
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThan(0.023);
    }
    expect(h.quantile(1)).toBe(Math.max(...values));
    expect(h.total).toBe(5000);
  });

  test('one value is reported exactly; an empty histogram has no percentile', () => {
    const h = new LatencyHistogram();
    expect(h.quantile(0.99)).toBeNaN();
    h.record(12.5);
    expect(h.quantile(0.5)).toBe(12.5);
    expect(h.quantile(0.99)).toBe(12.5);
  });

  test('memory is bounded: tiny, huge and invalid latencies land in the end buckets', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(1e12)).toBe(BUCKET_COUNT - 1);
    expect(BUCKET_COUNT).toBeLessThan(500);
  });

  test('merging and the stored form keep every count', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    [1, 2, 3].forEach(v => a.record(v));
    [100, 200].forEach(v => b.record(v));
    a.merge(b);
    const back = LatencyHistogram.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(back.total).toBe(5);
    expect(back.min).toBe(1);
    expect(back.max).toBe(200);
    expect(back.quantile(0.6)).toBeCloseTo(a.quantile(0.6), 12);
  });
});

describe('request buckets', () => {
  test('errors are counted by class and the error rate is errors / requests', () => {
    const b = new RequestBucket(0, 10_000);
    [200, 200, 404, 400, 500, 503, 200, 200].forEach((status, i) => b.add(status, i + 1));
    const p = b.point();
    expect(p).toMatchObject({ requests: 8, errors: 4, clientErrors: 2, serverErrors: 2, errorRate: 0.5 });
    expect(p.latencyMs.p99).toBe(8);
    expect(p.latencyMs.mean).toBe(4.5);
  });

  test('a series regroups base buckets by step and fills quiet steps with zeros', () => {
    const buckets = [0, 10_000, 20_000, 130_000].map(start => {
      const b = new RequestBucket(start, 10_000);
      b.add(200, 5);
      return b;
    });
    const points = series(buckets, 0, 179_999, 60_000);
    expect(points.map(p => p.requests)).toEqual([3, 0, 1]);
    expect(points.map(p => p.time)).toEqual(['1970-01-01T00:00:00.000Z', '1970-01-01T00:01:00.000Z', '1970-01-01T00:02:00.000Z']);
    expect(points[1].latencyMs.p50).toBeNull();
  });
});
