import type { Rng } from './rng.js';
import { assignmentKey, gridPoint, gridSize, type SearchSpace } from './space.js';
import { usedKeys, type Suggester } from './suggester.js';
import type { Assignment, TrialRecord } from './types.js';

/**
 * Exhaustive search over INTEGER, CATEGORICAL and DISCRETE parameters.
 *
 * Keeps no cursor: each call walks the grid in its fixed order and skips
 * points already in `history` or `pending`. Every point is therefore proposed
 * exactly once across calls, even across a service restart, and a failed
 * point is not retried.
 */
export class GridSearch implements Suggester {
  private readonly size: number;

  /** @param space - A space without DOUBLE parameters. */
  constructor(private readonly space: SearchSpace) {
    this.size = gridSize(space);
    if (!Number.isFinite(this.size)) {
      throw new Error('GRID_SEARCH needs INTEGER, CATEGORICAL or DISCRETE parameters only');
    }
  }

  /** Number of points in the grid. */
  get totalPoints(): number {
    return this.size;
  }

  /** See {@link Suggester.suggest}; returns fewer points once the grid is exhausted. */
  suggest(history: readonly TrialRecord[], pending: readonly Assignment[], count: number, _rng?: Rng): Assignment[] {
    const used = usedKeys(this.space, history, pending);
    const out: Assignment[] = [];
    for (let i = 0; i < this.size && out.length < count; i++) {
      const a = gridPoint(this.space, i);
      const key = assignmentKey(this.space, a);
      if (!used.has(key)) {
        used.add(key);
        out.push(a);
      }
    }
    return out;
  }
}
