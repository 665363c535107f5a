/**
 * A point chosen one parameter at a time, for objectives the additive
 * kernel models well (Kandasamy et al., 2015, "High dimensional Bayesian
 * optimisation and bandits via additive models", Add-GP-UCB).
 *
 * With an additive kernel the posterior is a sum of one-dimensional
 * components. Minimizing each component's lower confidence bound along its
 * own axis is a handful of one-dimensional grid searches, yet it reaches
 * the model's optimum over the whole box: on sums of rippled terms
 * (Rastrigin, Levy, Schwefel) the joint maximizer rarely finds the right
 * trough in every dimension at once.
 */
import type { GaussianProcess } from './gp.js';
import { dimFromUnit, toUnitScale, type Dim, type SearchSpace } from './space.js';

/** Grid points per parameter, then as many again around the best one. */
const GRID = 128;
const REFINE = 16;

/**
 * Unit coordinates minimizing, per parameter, the additive component's
 * mean - beta * sd inside `bounds`; categorical parameters keep `center`'s
 * value (their one-hot features are not single axes).
 *
 * @param gp - A process with an additive kernel.
 * @param space - The search space the features encode.
 * @param center - Unit coordinates of the incumbent.
 * @param bounds - Per-parameter unit interval to search.
 * @param beta - Weight of the standard deviation (0: the mean's minimizer).
 */
export function separablePoint(
  gp: GaussianProcess,
  space: SearchSpace,
  center: readonly number[],
  bounds: readonly [number, number][],
  beta: number
): number[] {
  return space.dims.map((dim, d) => {
    if (dim.kind === 'categorical') return center[d];
    const f = space.featureOffset[d];
    const bound = (u: number): number => {
      const p = gp.predictComponent(f, featureOf(dim, u));
      return p.mean - beta * Math.sqrt(p.variance);
    };
    const [lo, hi] = bounds[d];
    const step = (hi - lo) / GRID;
    let bestU = center[d];
    let bestV = bound(bestU);
    const tryU = (u: number): void => {
      const v = bound(u);
      if (v < bestV) {
        bestV = v;
        bestU = u;
      }
    };
    for (let g = 0; g < GRID; g++) tryU(lo + (g + 0.5) * step);
    const mid = bestU;
    for (let r = 0; r < REFINE; r++) tryU(Math.min(hi, Math.max(lo, mid + ((r + 0.5) / REFINE - 0.5) * 2 * step)));
    return bestU;
  });
}

/** The model feature of a numeric or discrete parameter at unit coordinate u (as `encode` computes it). */
function featureOf(dim: Exclude<Dim, { kind: 'categorical' }>, u: number): number {
  if (dim.kind === 'discrete') return dim.positions[dim.values.indexOf(dimFromUnit(dim, u) as number)];
  const v = dimFromUnit(dim, u) as number;
  return toUnitScale(v, dim.lo, dim.hi, dim.scale);
}
