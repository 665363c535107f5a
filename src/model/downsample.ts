/**
 * Fewer points for plots that cannot show every one: a plot 600 pixels
 * wide draws 10,000 trials onto the same few hundred columns, so points
 * that land on the same pixel cell are drawn once, and long curves keep
 * the points that shape them (largest-triangle-three-buckets).
 */

/** Cells across and down a scatter plot is thinned to (about 2 px each). */
export const SCATTER_CELLS = { x: 400, y: 120 };

/** Most points kept of one learning curve. */
export const MAX_CURVE_POINTS = 400;

/**
 * Indices of the points of a scatter to draw: the first point of each
 * cell of a `cells.x` by `cells.y` grid over the data's range, in input
 * order. `logX` grids x on a log scale (positive values only).
 */
export function thinScatter(
  x: ArrayLike<number>,
  y: ArrayLike<number | null>,
  logX = false,
  cells = SCATTER_CELLS
): number[] {
  const n = x.length;
  const tx = (v: number) => (logX ? Math.log(v) : v);
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v === null) {
      continue;
    }
    x0 = Math.min(x0, tx(x[i]));
    x1 = Math.max(x1, tx(x[i]));
    y0 = Math.min(y0, v);
    y1 = Math.max(y1, v);
  }
  const sx = x1 > x0 ? (cells.x - 1) / (x1 - x0) : 0;
  const sy = y1 > y0 ? (cells.y - 1) / (y1 - y0) : 0;
  const taken = new Uint8Array(cells.x * cells.y);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v === null) {
      continue;
    }
    const cell =
      Math.round((tx(x[i]) - x0) * sx) * cells.y + Math.round((v - y0) * sy);
    if (!taken[cell]) {
      taken[cell] = 1;
      kept.push(i);
    }
  }
  return kept;
}

/**
 * Largest-triangle-three-buckets: `threshold` indices of a line (x
 * ascending) that keep its shape, the first and last point included.
 */
export function lttb(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  threshold: number
): number[] {
  const n = x.length;
  if (threshold >= n || threshold < 3) {
    return Array.from({ length: n }, (_, i) => i);
  }
  const kept = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    // The average of the next bucket is the third corner of the triangle.
    const nextStart = Math.floor((bucket + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((bucket + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      avgX += x[i];
      avgY += y[i];
    }
    const count = Math.max(1, nextEnd - nextStart);
    avgX /= count;
    avgY /= count;
    const start = Math.floor(bucket * every) + 1;
    const end = Math.floor((bucket + 1) * every) + 1;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const area = Math.abs(
        (x[a] - avgX) * (y[i] - y[a]) - (x[a] - x[i]) * (avgY - y[a])
      );
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(n - 1);
  return kept;
}
