// How sure a p50 difference between two paths of one run is. The latency benches send their requests in
// interleaved blocks (every path one block in turn), so block k of one path and block k of another saw the
// same moment of the machine's load: resampling whole blocks, the same ones for both paths, keeps that
// pairing and the correlation within a block. The interval is a percentile bootstrap of
// p50(a) - p50(b) over such resamples, with a fixed seed so that one run prints one answer.

/** A small seeded generator (mulberry32): reproducible resamples without a dependency. */
function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The p-th percentile (0-100) of ascending `sorted` by the rule every latency bench prints. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const median = values => percentile(Float64Array.from(values).sort(), 50);

/**
 * p50(a) - p50(b) in the run, and its 95% interval: `a` and `b` are the two paths' latencies in the order
 * they were measured, `blockSize` requests per block.
 */
export function p50Difference(a, b, blockSize, { resamples = 1000, seed = 1 } = {}) {
  const blocks = Math.min(Math.floor(a.length / blockSize), Math.floor(b.length / blockSize));
  if (blocks < 2) throw new Error(`need at least two blocks of ${blockSize} requests per path`);
  const block = (values, k) => values.slice(k * blockSize, (k + 1) * blockSize);
  const blocksA = Array.from({ length: blocks }, (_, k) => block(a, k));
  const blocksB = Array.from({ length: blocks }, (_, k) => block(b, k));
  const random = seeded(seed);
  const differences = [];
  for (let r = 0; r < resamples; r++) {
    const picked = Array.from({ length: blocks }, () => Math.floor(random() * blocks));
    differences.push(median(picked.flatMap(k => blocksA[k])) - median(picked.flatMap(k => blocksB[k])));
  }
  differences.sort((x, y) => x - y);
  const at = q => differences[Math.min(resamples - 1, Math.floor(q * resamples))];
  return { difference: median(blocksA.flat()) - median(blocksB.flat()), low: at(0.025), high: at(0.975) };
}

/** `+0.052 ms (95% interval +0.031 to +0.070)`. */
export function formatDifference({ difference, low, high }, digits = 3) {
  const signed = v => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
  return `${signed(difference)} ms (95% interval ${signed(low)} to ${signed(high)})`;
}
