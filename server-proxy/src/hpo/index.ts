/**
 * Hyperparameter search for HPO jobs: spec validation, the search
 * algorithms of AI Platform Training (Bayesian by default, grid, random)
 * and early-stopping rules. Pure functions and classes: no I/O, no clock.
 */
import { BayesianOptimization, type BayesianOptions } from './bayes.js';
import { GridSearch } from './grid.js';
import { RandomSearch } from './random.js';
import { resolveSpace } from './space.js';
import type { Suggester } from './suggester.js';
import type { HyperparameterSpec } from './types.js';

export type * from './types.js';
export { validateHyperparameterSpec, DEFAULT_SPEC_PATH, MAX_DISCRETE_VALUES } from './validate.js';
export { createRng, type Rng } from './rng.js';
export { resolveSpace, assignmentKey, gridSize, type SearchSpace, type Dim } from './space.js';
export { toLoss, type Suggester } from './suggester.js';
export { RandomSearch } from './random.js';
export { GridSearch } from './grid.js';
export { BayesianOptimization, type BayesianOptions } from './bayes.js';
export {
  shouldStopTrial,
  type StoppingRule,
  type MedianStoppingRule,
  type AshaStoppingRule,
  type TrialCurve,
  type IntermediateValue,
  type StopDecision
} from './earlyStopping.js';

/** Options for {@link createSuggester}. */
export interface CreateSuggesterOptions {
  /** Per-job seed (e.g. a hash of the job id); fixes the Bayesian initial design. */
  seed?: number;
  /** Overrides for the Bayesian algorithm. */
  bayesian?: Omit<BayesianOptions, 'goal' | 'seed'>;
}

/**
 * The suggester for a validated spec's `algorithm`.
 *
 * Call `validateHyperparameterSpec` first; this function assumes a valid
 * spec and throws on GRID_SEARCH over DOUBLE parameters.
 */
export function createSuggester(spec: HyperparameterSpec, options: CreateSuggesterOptions = {}): Suggester {
  const space = resolveSpace(spec.params);
  switch (spec.algorithm) {
    case 'GRID_SEARCH':
      return new GridSearch(space);
    case 'RANDOM_SEARCH':
      return new RandomSearch(space);
    default:
      return new BayesianOptimization(space, { ...options.bayesian, goal: spec.goal, seed: options.seed });
  }
}
