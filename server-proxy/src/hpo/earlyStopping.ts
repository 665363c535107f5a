import type { GoalType } from './types.js';

/** One intermediate objective value a trial reported. */
export interface IntermediateValue {
  /** Training step (or epoch) the value was measured at. */
  step: number;
  /** Objective value, in the metric's own direction. */
  value: number;
}

/** A trial's learning curve as early stopping sees it. */
export interface TrialCurve {
  /** Intermediate values; need not be sorted. */
  values: readonly IntermediateValue[];
  /** Whether the trial has finished (succeeded or was stopped). */
  completed: boolean;
}

/**
 * The median stopping rule (Golovin et al., 2017, "Google Vizier"): stop a
 * trial at step s when its best value so far is worse than the median, over
 * completed trials, of their running averages up to s.
 */
export interface MedianStoppingRule {
  kind: 'median';
  goal?: GoalType;
  /** Never stop before the trial has reported this step (warm-up). */
  minStep?: number;
  /** Completed trials needed before any trial is stopped; 3 by default. */
  minCompletedTrials?: number;
}

/**
 * Asynchronous successive halving (Li et al., 2020, "ASHA") as a stopping
 * rule: rungs sit at minResource * reductionFactor^k steps, and a trial that
 * reaches a rung continues only if its value there is in the top
 * 1/reductionFactor of all trials that reached that rung (the leader of a
 * rung with fewer than reductionFactor trials continues, as in Optuna's
 * SuccessiveHalvingPruner).
 */
export interface AshaStoppingRule {
  kind: 'asha';
  goal?: GoalType;
  /** Step of the first rung. */
  minResource: number;
  /** Keep the top 1/reductionFactor at each rung; 3 by default. */
  reductionFactor?: number;
}

/** An early-stopping rule. */
export type StoppingRule = MedianStoppingRule | AshaStoppingRule;

/** Outcome of {@link shouldStopTrial}, with a reason worth logging. */
export interface StopDecision {
  stop: boolean;
  reason: string;
}

/**
 * Decides whether a running trial should stop now. A pure function of the
 * curves, so the service can call it whenever a new value arrives, and
 * again after a restart, with the same answer.
 *
 * @param trial - The running trial's curve.
 * @param others - Every other trial of the job, running or completed.
 * @param rule - The rule and its settings.
 */
export function shouldStopTrial(trial: TrialCurve, others: readonly TrialCurve[], rule: StoppingRule): StopDecision {
  const sign = rule.goal === 'MINIMIZE' ? 1 : -1;
  // Work with losses (lower is better) from here on.
  const curve = lossCurve(trial, sign);
  if (curve.length === 0) return { stop: false, reason: 'no intermediate values yet' };
  return rule.kind === 'median' ? medianRule(curve, others, rule, sign) : ashaRule(curve, others, rule, sign);
}

function lossCurve(t: TrialCurve, sign: number): IntermediateValue[] {
  return t.values
    .filter((v) => Number.isFinite(v.value) && Number.isFinite(v.step))
    .map((v) => ({ step: v.step, value: sign * v.value }))
    .sort((a, b) => a.step - b.step);
}

function medianRule(curve: IntermediateValue[], others: readonly TrialCurve[], rule: MedianStoppingRule, sign: number): StopDecision {
  const step = curve[curve.length - 1].step;
  if (step < (rule.minStep ?? 0)) return { stop: false, reason: `step ${step} is within the warm-up of ${rule.minStep} steps` };
  const best = Math.min(...curve.map((v) => v.value));
  const averages: number[] = [];
  for (const o of others) {
    if (!o.completed) continue;
    const c = lossCurve(o, sign);
    // Only trials that got as far as this step say what is typical at it.
    if (c.length === 0 || c[c.length - 1].step < step) continue;
    const upTo = c.filter((v) => v.step <= step);
    if (upTo.length === 0) continue;
    averages.push(upTo.reduce((s, v) => s + v.value, 0) / upTo.length);
  }
  const needed = rule.minCompletedTrials ?? 3;
  if (averages.length < needed) {
    return { stop: false, reason: `${averages.length} completed trials reached step ${step}; ${needed} needed` };
  }
  const median = medianOf(averages);
  if (best > median) {
    return { stop: true, reason: `best value ${sign * best} at step ${step} is worse than the median running average ${sign * median}` };
  }
  return { stop: false, reason: `best value ${sign * best} is not worse than the median running average ${sign * median}` };
}

function ashaRule(curve: IntermediateValue[], others: readonly TrialCurve[], rule: AshaStoppingRule, sign: number): StopDecision {
  const eta = rule.reductionFactor ?? 3;
  const step = curve[curve.length - 1].step;
  if (!(rule.minResource > 0) || !(eta > 1)) return { stop: false, reason: 'invalid ASHA settings' };
  if (step < rule.minResource) return { stop: false, reason: `step ${step} is below the first rung (${rule.minResource})` };
  // Highest rung this trial has reached; earlier rungs were judged on earlier calls.
  let rung = rule.minResource;
  while (rung * eta <= step) rung *= eta;
  const valueAt = (c: IntermediateValue[]): number | undefined => {
    if (c.length === 0 || c[c.length - 1].step < rung) return undefined;
    let v: number | undefined;
    for (const p of c) if (p.step <= rung) v = p.value;
    return v;
  };
  const mine = valueAt(curve);
  if (mine === undefined) return { stop: false, reason: 'no value at the rung' };
  const competing: number[] = [mine];
  for (const o of others) {
    const v = valueAt(lossCurve(o, sign));
    if (v !== undefined) competing.push(v);
  }
  competing.sort((a, b) => a - b);
  const keep = Math.max(1, Math.floor(competing.length / eta));
  const threshold = competing[keep - 1];
  if (mine <= threshold) {
    return { stop: false, reason: `value ${sign * mine} is in the top ${keep} of ${competing.length} at rung ${rung}` };
  }
  return { stop: true, reason: `value ${sign * mine} is outside the top ${keep} of ${competing.length} at rung ${rung}` };
}

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}
