/**
 * Loading every trial of an HPO job for the trials browser. A trial's
 * learning curve is most of its bytes (at 10,000 trials, 11 MiB of JSON of
 * which the grid shows one number a trial), so the pages carry each trial's
 * last intermediate value only, and the few trials whose curves are drawn
 * (see {@link curveTrials}) come back whole in one request of their own.
 */
import { LakeTahoeClient, MAX_TRIALS } from '../api';
import { HpoGoal, IJob, ITrial } from '../wire';
import { curveTrials } from './plots';
import { findBestTrial, goalOf } from './trialTable';

/**
 * Every trial of a job (up to 10,000), in trial order; the ones the
 * learning-curve plot draws with their whole curves.
 * @param job the job, loading beside the trials (its goal picks the best trial)
 * @param onFirstPage sees the first page while later ones load
 */
export async function loadTrials(
  client: LakeTahoeClient,
  jobId: string,
  job: Promise<IJob>,
  onFirstPage?: (trials: ITrial[]) => void
): Promise<ITrial[]> {
  let shown = false;
  const trials = await client.listAllTrials(jobId, {
    metrics: 'last',
    // A first page to show soon, then the rest at once: each page waits on
    // the one before it (page tokens), and costs a round trip.
    laterPageSize: MAX_TRIALS,
    onPage: page => {
      if (!shown) {
        shown = true;
        onFirstPage?.(page.slice());
      }
    }
  });
  return withCurves(client, jobId, trials, goalOf(await job));
}

/**
 * `trials` with the ones whose curves are drawn replaced by their whole
 * selves (one request for at most 101 trials; none when nothing is drawn).
 */
export async function withCurves(
  client: LakeTahoeClient,
  jobId: string,
  trials: ITrial[],
  goal: HpoGoal
): Promise<ITrial[]> {
  const best = findBestTrial(trials, goal);
  const ids = curveTrials(trials, best?.trialId ?? null).map(t => t.trialId);
  if (ids.length === 0) {
    return trials;
  }
  const page = await client.listTrials(jobId, {
    trialIds: ids,
    pageSize: ids.length
  });
  const whole = new Map((page.trials ?? []).map(t => [t.trialId, t]));
  return trials.map(t => whole.get(t.trialId) ?? t);
}
