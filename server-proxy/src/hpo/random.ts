import type { Rng } from './rng.js';
import { assignmentKey, fromUnit, gridSize, type SearchSpace } from './space.js';
import { usedKeys, type Suggester } from './suggester.js';
import { GridSearch } from './grid.js';
import type { Assignment, TrialRecord } from './types.js';

/**
 * Independent uniform sampling on each parameter's scale: log-uniform for
 * UNIT_LOG_SCALE, uniform over the listed values for DISCRETE and
 * CATEGORICAL.
 */
export class RandomSearch implements Suggester {
  /** @param space - The resolved search space. */
  constructor(private readonly space: SearchSpace) {}

  /** See {@link Suggester.suggest}. */
  suggest(history: readonly TrialRecord[], pending: readonly Assignment[], count: number, rng: Rng): Assignment[] {
    const used = usedKeys(this.space, history, pending);
    const out: Assignment[] = [];
    const dims = this.space.dims.length;
    // Rejection sampling; in a small finite space it can stall, so after a
    // bounded number of misses hand over to the grid for whatever is left.
    let misses = 0;
    while (out.length < count && misses < 200) {
      const u: number[] = [];
      for (let i = 0; i < dims; i++) u.push(rng.next());
      const a = fromUnit(this.space, u);
      const key = assignmentKey(this.space, a);
      if (used.has(key)) {
        misses++;
        continue;
      }
      used.add(key);
      out.push(a);
    }
    if (out.length < count && Number.isFinite(gridSize(this.space))) {
      out.push(...new GridSearch(this.space).suggest(history, [...pending, ...out], count - out.length, rng));
    }
    return out;
  }
}
