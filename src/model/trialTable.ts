/** What the trials grid shows and sorts by: columns, objective, steps, duration, the best trial, the order. */

import { HpoGoal, ITrial, JobState } from '../wire';

/** Fixed columns of the trials grid; hyperparameters are `param:<name>`. */
export const TRIAL_COLUMNS = [
  'trial',
  'state',
  'objective',
  'steps',
  'stoppedEarly',
  'duration'
] as const;

/** A column to sort on: a fixed one or `param:<name>`. */
export type TrialSortKey = (typeof TRIAL_COLUMNS)[number] | `param:${string}`;

/** Sort order of the trials view. */
export interface ITrialSort {
  /** The column. */
  key: TrialSortKey;
  /** Ascending when true. */
  ascending: boolean;
}

/** A state to filter on, or every trial. */
export type TrialFilter = JobState | 'ALL';

/** The objective of a trial, or null while unknown. */
export function objectiveOf(trial: ITrial): number | null {
  const value = trial.finalMetric?.objectiveValue;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Steps reported by a trial: the last training step seen. */
export function stepsOf(trial: ITrial): number | null {
  const last = trial.allMetrics?.length
    ? trial.allMetrics[trial.allMetrics.length - 1].trainingStep
    : undefined;
  const step = trial.finalMetric?.trainingStep ?? last;
  return typeof step === 'number' ? Math.max(step, last ?? step) : null;
}

/** Run time of a trial in ms: start to end, or to `now` while it runs. */
export function durationOf(trial: ITrial, now = Date.now()): number | null {
  if (!trial.startTime) {
    return null;
  }
  const start = Date.parse(trial.startTime);
  const end = trial.endTime ? Date.parse(trial.endTime) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? null : end - start;
}

/**
 * The best trial for a goal: the best objective among SUCCEEDED trials
 * (early-stopped ones included, as AI Platform does); the lower trial id
 * wins a tie. Null when none has an objective.
 */
export function findBestTrial(
  trials: Iterable<ITrial>,
  goal: HpoGoal = 'MAXIMIZE'
): ITrial | null {
  let best: ITrial | null = null;
  let bestValue = 0;
  for (const trial of trials) {
    const value = objectiveOf(trial);
    if (trial.state !== 'SUCCEEDED' || value === null) {
      continue;
    }
    const better =
      best === null ||
      (goal === 'MINIMIZE' ? value < bestValue : value > bestValue) ||
      (value === bestValue && compareIds(trial.trialId, best.trialId) < 0);
    if (better) {
      best = trial;
      bestValue = value;
    }
  }
  return best;
}

/** Numeric order of trial ids ("2" before "10"). */
export function compareIds(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isFinite(x) && Number.isFinite(y) && x !== y) {
    return x - y;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The value a column sorts by; null sorts last either way. */
export function sortValue(
  trial: ITrial,
  key: TrialSortKey,
  now = Date.now()
): number | string | null {
  switch (key) {
    case 'trial':
      return Number(trial.trialId);
    case 'state':
      return trial.state;
    case 'objective':
      return objectiveOf(trial);
    case 'steps':
      return stepsOf(trial);
    case 'stoppedEarly':
      return trial.isTrialStoppedEarly ? 1 : 0;
    case 'duration':
      return durationOf(trial, now);
    default: {
      const value = trial.hyperparameters?.[key.slice('param:'.length)];
      if (value === undefined || value === null) {
        return null;
      }
      return typeof value === 'number' ? value : String(value);
    }
  }
}

/** Sort trials by a column; ties keep trial order. Returns a new array. */
export function sortTrials(
  trials: readonly ITrial[],
  sort: ITrialSort,
  now = Date.now()
): ITrial[] {
  const keyed = trials.map(trial => ({
    trial,
    value: sortValue(trial, sort.key, now)
  }));
  const sign = sort.ascending ? 1 : -1;
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value === b.value) {
        return compareIds(a.trial.trialId, b.trial.trialId);
      }
      return a.value === null ? 1 : -1;
    }
    let order = 0;
    if (typeof a.value === 'number' && typeof b.value === 'number') {
      order = a.value - b.value;
    } else {
      order = String(a.value).localeCompare(String(b.value));
    }
    return order !== 0
      ? sign * order
      : compareIds(a.trial.trialId, b.trial.trialId);
  });
  return keyed.map(k => k.trial);
}
