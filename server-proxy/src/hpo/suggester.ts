import type { Rng } from './rng.js';
import { assignmentKey, type SearchSpace } from './space.js';
import type { Assignment, GoalType, TrialRecord } from './types.js';

/**
 * A search algorithm. Implementations are deterministic functions of their
 * inputs and the random stream, so the service can rebuild one after a
 * restart from the trials in its store.
 */
export interface Suggester {
  /**
   * Proposes up to `count` new points.
   *
   * @param history - Finished trials (succeeded, stopped early or failed),
   *   including warm-start trials from a previous job.
   * @param pending - Points already handed out whose trials have not finished.
   * @param count - How many points are wanted (free parallel slots).
   * @param rng - Random stream for this call.
   * @returns Distinct points, none equal to a point in `history` or
   *   `pending`; fewer than `count` (or none) only when the space has no more.
   */
  suggest(history: readonly TrialRecord[], pending: readonly Assignment[], count: number, rng: Rng): Assignment[];
}

/** Converts an objective value to a loss (lower is better) for the goal. */
export function toLoss(goal: GoalType | undefined, value: number): number {
  return goal === 'MINIMIZE' ? value : -value;
}

/**
 * Each finished point's key, remembered per point object with the parameter names it was made for:
 * the controller hands the same finished trials back pass after pass, so a job of thousands of
 * trials builds each key once instead of once per pass.
 */
const keysOfPoints = new WeakMap<Assignment, { names: string; key: string }>();

function cachedKey(space: SearchSpace, names: string, a: Assignment): string {
  const known = keysOfPoints.get(a);
  if (known && known.names === names) {
    return known.key;
  }
  const key = assignmentKey(space, a);
  keysOfPoints.set(a, { names, key });
  return key;
}

/** Keys of every point already tried or handed out, so none is proposed twice. */
export function usedKeys(space: SearchSpace, history: readonly TrialRecord[], pending: readonly Assignment[]): Set<string> {
  const names = space.dims.map(d => d.name).join('\u0000');
  const used = new Set<string>();
  for (const t of history) used.add(cachedKey(space, names, t.hyperparameters));
  for (const a of pending) used.add(assignmentKey(space, a));
  return used;
}
