/**
 * A trust region around the best point so far, for objectives with many
 * local minima (Eriksson et al., 2019, "Scalable global optimization via
 * local Bayesian optimization", TuRBO).
 *
 * On rugged objectives a global model sees only the trend; the ripples near
 * the best point look like noise, and a global acquisition keeps spending
 * trials far away. A box around the incumbent that grows after repeated
 * improvements and shrinks after repeated failures spends part of the
 * budget on the local descent CMA-ES-like methods do well.
 *
 * The region is replayed from the history in order, so it is a pure
 * function of the trials (the service rebuilds suggesters after restarts).
 */

/** The box: centre in unit coordinates and side length (fraction of each range). */
export interface TrustRegion {
  center: readonly number[];
  length: number;
}

/** Side length after the initial design and after a restart. */
export const INITIAL_LENGTH = 0.4;
const MAX_LENGTH = 0.8;
/** Below this the region has converged; it restarts wide. */
const MIN_LENGTH = 0.4 / 32;
const SUCCESSES_TO_GROW = 2;

/** Finished points in the order they finished: unit coordinates and loss. */
export interface RegionPoint {
  unit: readonly number[];
  loss: number;
}

/**
 * The trust region after replaying `points`.
 *
 * @param points - Finished points in history order (at least one).
 * @param warmup - How many leading points only set the incumbent (the
 *   initial design); every later point counts as a success when it beats
 *   the incumbent by a relative 1e-3, else as a failure.
 * @param failuresToShrink - Consecutive failures that halve the side;
 *   grows with the dimension, as in TuRBO.
 */
export function replayTrustRegion(points: readonly RegionPoint[], warmup: number, failuresToShrink: number): TrustRegion {
  let best = points[0];
  let length = INITIAL_LENGTH;
  let successes = 0;
  let failures = 0;
  points.forEach((p, i) => {
    const improved = p.loss < best.loss - 1e-3 * Math.abs(best.loss);
    if (i >= warmup && i > 0) {
      if (improved) {
        successes++;
        failures = 0;
      } else {
        failures++;
        successes = 0;
      }
      if (successes >= SUCCESSES_TO_GROW) {
        length = Math.min(MAX_LENGTH, 2 * length);
        successes = 0;
      } else if (failures >= failuresToShrink) {
        length /= 2;
        failures = 0;
        if (length < MIN_LENGTH) length = INITIAL_LENGTH;
      }
    }
    if (p.loss < best.loss) best = p;
  });
  return { center: best.unit, length };
}

/** The region's box along dimension `d`, cut at the unit cube's faces; at least `minWidth` wide. */
export function boxBounds(region: TrustRegion, d: number, minWidth = 0): [number, number] {
  const half = Math.max(region.length, minWidth) / 2;
  return [Math.max(0, region.center[d] - half), Math.min(1, region.center[d] + half)];
}
