/**
 * Output transforms applied to the losses before a fit, with the log
 * Jacobian that makes fits on different transforms comparable: the
 * marginal density of the raw losses is the density of the transformed ones
 * times |dz/dy| at each point.
 *
 * - robust: centre on the median, scale by the interquartile range,
 *   compress values worse than the median logarithmically, standardize. A
 *   few disastrous trials (diverged training, Rosenbrock-like valleys)
 *   would otherwise dominate the fit and flatten the model near the
 *   optimum, where precision matters.
 * - linear: standardize only. The log compression bends a sum of
 *   per-parameter effects into a function where they interact, so an
 *   additive kernel fits separable objectives (Levy, Rastrigin) best on the
 *   raw scale.
 */
export type OutputWarp = 'robust' | 'linear';

/** Transformed losses and the sum over points of log dz/dy. */
export interface WarpedOutputs {
  z: number[];
  logJacobian: number;
}

/** Applies `warp` to `losses` (see the module comment). */
export function warpOutputs(losses: readonly number[], warp: OutputWarp = 'robust'): WarpedOutputs {
  let scale = 1;
  let u: number[];
  let logSlope = 0;
  if (warp === 'linear') {
    u = [...losses];
  } else {
    const sorted = [...losses].sort((a, b) => a - b);
    const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))];
    const med = q(0.5);
    scale = q(0.75) - q(0.25);
    if (!(scale > 0)) scale = sorted[sorted.length - 1] - sorted[0];
    if (!(scale > 0)) scale = 1;
    u = losses.map((l) => {
      const v = (l - med) / scale;
      if (v <= 0) return v;
      logSlope -= Math.log1p(v);
      return Math.log1p(v);
    });
  }
  const mean = u.reduce((s, v) => s + v, 0) / u.length;
  const sd = Math.sqrt(u.reduce((s, v) => s + (v - mean) * (v - mean), 0) / u.length) || 1;
  return {
    z: u.map((v) => (v - mean) / sd),
    logJacobian: logSlope - losses.length * Math.log(scale * sd)
  };
}
