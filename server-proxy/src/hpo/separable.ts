/**
 * Coordinate moves for objectives the additive kernel models well
 * (after Kandasamy et al., 2015, "High dimensional Bayesian optimisation
 * and bandits via additive models", Add-GP-UCB).
 *
 * With an additive kernel the posterior is a sum of one-dimensional
 * components, so each parameter's best value is a one-dimensional grid
 * search of its own component. A move takes the incumbent and sets one
 * parameter to that value: on sums of rippled terms (Levy, Rastrigin,
 * Schwefel) it leaves a side trough in one dimension without giving up the
 * troughs the incumbent already found in the others, which neither the
 * joint acquisition maximizer nor setting every parameter at once (where
 * one poorly modelled component spoils the whole point) does reliably.
 */
import type { GaussianProcess } from './gp.js';
import { dimFromUnit, toUnitScale, type Dim, type SearchSpace } from './space.js';

/** Grid points per parameter, then as many again around the best one. */
const GRID = 128;
const REFINE = 16;

/**
 * The incumbent with one parameter moved to the minimum of its additive
 * component's mean - beta * sd inside `bounds`: one point per parameter
 * whose move lowers that bound, the largest decrease first. Categorical
 * parameters are never moved (their one-hot features are not single axes).
 *
 * @param gp - A process with an additive kernel.
 * @param space - The search space the features encode.
 * @param center - Unit coordinates of the incumbent.
 * @param bounds - Per-parameter unit interval to search.
 * @param beta - Weight of the standard deviation (0: the mean's minimizer).
 */
export function coordinateMoves(
  gp: GaussianProcess,
  space: SearchSpace,
  center: readonly number[],
  bounds: readonly [number, number][],
  beta: number
): number[][] {
  const moves: { d: number; u: number; gain: number }[] = [];
  space.dims.forEach((dim, d) => {
    if (dim.kind === 'categorical') return;
    const f = space.featureOffset[d];
    const bound = (u: number): number => {
      const p = gp.predictComponent(f, featureOf(dim, u));
      return p.mean - beta * Math.sqrt(p.variance);
    };
    const [lo, hi] = bounds[d];
    const step = (hi - lo) / GRID;
    const atCenter = bound(center[d]);
    let bestU = center[d];
    let bestV = atCenter;
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
    if (bestV < atCenter) moves.push({ d, u: bestU, gain: atCenter - bestV });
  });
  return moves.sort((a, b) => b.gain - a.gain).map(({ d, u }) => center.map((c, i) => (i === d ? u : c)));
}

/** The model feature of a numeric or discrete parameter at unit coordinate u (as `encode` computes it). */
function featureOf(dim: Exclude<Dim, { kind: 'categorical' }>, u: number): number {
  if (dim.kind === 'discrete') return dim.positions[dim.values.indexOf(dimFromUnit(dim, u) as number)];
  const v = dimFromUnit(dim, u) as number;
  return toUnitScale(v, dim.lo, dim.hi, dim.scale);
}
