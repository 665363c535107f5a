/**
 * The tuning summary an HPO job's detail view shows in place of metrics
 * and a log (the job itself reports neither; its trials do): trial counts
 * by state, the best trial and the best-so-far curve.
 */
import { HpoGoal, IJob, ITrial, JOB_STATES, JobState } from '../wire';
import { historyData, IHistoryData } from './plots';
import { findBestTrial, objectiveOf } from './trialTable';

/** What the tuning section of an HPO job's detail view shows. */
export interface ITuningSummary {
  /** The metric tuned. */
  metricTag: string;
  /** MAXIMIZE unless the spec says MINIMIZE. */
  goal: HpoGoal;
  /** The trial budget, when the spec gives one. */
  maxTrials: number | null;
  /** Trials by state, in lifecycle order, states without trials left out. */
  counts: { state: JobState; count: number }[];
  /** The best trial so far, with its objective; null while none succeeded. */
  best: {
    trialId: string;
    objective: number;
    hyperparameters: ITrial['hyperparameters'];
  } | null;
  /** Objective per trial and the best so far, in trial order. */
  history: IHistoryData;
}

/**
 * Summarize an HPO job from its trials. Counts come from the trials when
 * any are loaded, else from the job's `trialCounts` (which the service
 * keeps); the best trial likewise falls back to the job's `bestTrial`.
 */
export function tuningSummary(
  job: IJob,
  trials: readonly ITrial[]
): ITuningSummary {
  const spec = job.trainingInput?.hyperparameters;
  const goal: HpoGoal = spec?.goal === 'MINIMIZE' ? 'MINIMIZE' : 'MAXIMIZE';
  const byState = new Map<string, number>();
  if (trials.length > 0) {
    for (const trial of trials) {
      byState.set(trial.state, (byState.get(trial.state) ?? 0) + 1);
    }
  } else {
    for (const [state, count] of Object.entries(
      job.trainingOutput?.trialCounts ?? {}
    )) {
      byState.set(state, count);
    }
  }
  const counts = JOB_STATES.filter(s => (byState.get(s) ?? 0) > 0).map(
    state => ({ state, count: byState.get(state)! })
  );
  const bestTrial =
    trials.length > 0
      ? findBestTrial(trials, goal)
      : (job.trainingOutput?.bestTrial ?? null);
  const objective = bestTrial ? objectiveOf(bestTrial) : null;
  return {
    metricTag:
      spec?.hyperparameterMetricTag ??
      job.trainingOutput?.hyperparameterMetricTag ??
      '',
    goal,
    maxTrials: typeof spec?.maxTrials === 'number' ? spec.maxTrials : null,
    counts,
    best:
      bestTrial && objective !== null
        ? {
            trialId: bestTrial.trialId,
            objective,
            hyperparameters: bestTrial.hyperparameters
          }
        : null,
    history: historyData(trials, goal)
  };
}
