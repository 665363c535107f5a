import { shouldStopTrial, type TrialCurve } from '../../src/hpo/index.js';

/** A curve from values at steps 1, 2, 3, ... */
const curve = (values: number[], completed = true): TrialCurve => ({
  values: values.map((value, i) => ({ step: i + 1, value })),
  completed
});

describe('shouldStopTrial: median rule', () => {
  // Completed accuracy curves (MAXIMIZE): running averages at step 3 are 0.6, 0.7 and 0.8.
  const others = [curve([0.5, 0.6, 0.7, 0.8]), curve([0.6, 0.7, 0.8, 0.9]), curve([0.7, 0.8, 0.9, 0.95])];

  it('stops a trial whose best value is below the median of running averages', () => {
    expect(shouldStopTrial(curve([0.3, 0.5, 0.6], false), others, { kind: 'median' }).stop).toBe(true);
  });

  it('keeps a trial at or above the median', () => {
    expect(shouldStopTrial(curve([0.3, 0.7, 0.6], false), others, { kind: 'median' }).stop).toBe(false);
    expect(shouldStopTrial(curve([0.9, 0.9, 0.9], false), others, { kind: 'median' }).stop).toBe(false);
  });

  it('respects the direction of the goal', () => {
    // As losses, the same curves make the low trial the best one.
    const d = shouldStopTrial(curve([0.3, 0.5, 0.6], false), others, { kind: 'median', goal: 'MINIMIZE' });
    expect(d.stop).toBe(false);
    expect(shouldStopTrial(curve([0.9, 0.95, 0.99], false), others, { kind: 'median', goal: 'MINIMIZE' }).stop).toBe(true);
  });

  it('waits for the warm-up and for enough completed trials', () => {
    const bad = curve([0.1, 0.1, 0.1], false);
    expect(shouldStopTrial(bad, others, { kind: 'median', minStep: 4 }).stop).toBe(false);
    expect(shouldStopTrial(bad, others.slice(0, 2), { kind: 'median' }).stop).toBe(false);
    expect(shouldStopTrial(bad, others.slice(0, 2), { kind: 'median', minCompletedTrials: 2 }).stop).toBe(true);
  });

  it('ignores running trials and completed ones that never reached the step', () => {
    const runningGood = [curve([0.9, 0.9, 0.9, 0.9], false), curve([0.9, 0.9, 0.9, 0.9], false), curve([0.9, 0.9, 0.9, 0.9], false)];
    const short = [curve([0.9]), curve([0.9]), curve([0.9])];
    const trial = curve([0.3, 0.5, 0.6], false);
    expect(shouldStopTrial(trial, [...runningGood, ...short], { kind: 'median' }).stop).toBe(false);
  });

  it('does nothing without intermediate values', () => {
    expect(shouldStopTrial({ values: [], completed: false }, others, { kind: 'median' }).stop).toBe(false);
  });
});

describe('shouldStopTrial: ASHA rule', () => {
  const rule = { kind: 'asha' as const, goal: 'MINIMIZE' as const, minResource: 1, reductionFactor: 3 };
  // Losses at step 1 of six other trials: 1..6.
  const others = [1, 2, 3, 4, 5, 6].map((v) => curve([v], false));

  it('keeps the top third at a rung and stops the rest', () => {
    // 7 competitors including the trial: floor(7 / 3) = 2 continue.
    expect(shouldStopTrial(curve([1.5], false), others, rule).stop).toBe(false);
    expect(shouldStopTrial(curve([2.5], false), others, rule).stop).toBe(true);
  });

  it('judges the highest rung reached, using the value at the rung step', () => {
    // Rungs at 1, 3, 9. At step 3 the competitors are the trials with a value at step 3.
    const atRung3 = [curve([5, 4, 1]), curve([5, 4, 2]), curve([5, 4, 3]), curve([9, 9, 9])];
    expect(shouldStopTrial(curve([9, 9, 0.5, 0.4], false), atRung3, rule).stop).toBe(false);
    expect(shouldStopTrial(curve([0, 0, 2.5, 0], false), atRung3, rule).stop).toBe(true);
  });

  it('lets the leader of a thin rung continue and waits for the first rung', () => {
    expect(shouldStopTrial(curve([1], false), [curve([2])], rule).stop).toBe(false);
    expect(shouldStopTrial(curve([3], false), [curve([2])], rule).stop).toBe(true);
    expect(shouldStopTrial(curve([3], false), [curve([2])], { ...rule, minResource: 2 }).stop).toBe(false);
  });
});
