/**
 * The record side of a change to a deployment's challengers: checks the wanted set against the limits
 * (count, duplicates, canary weights) and writes it into the record, saying what was added and removed
 * so the caller starts and stops servers to match. Runs inside the record's update, so two requests at
 * once cannot pass the limits together.
 */
import { ServiceError } from '../errors.js';
import { MAX_CHALLENGERS, type Challenger, type TrafficMode } from '../schemas/serving.js';
import type { DeploymentRecord } from '../store/store.js';

/** One challenger a request wants, with the request field it came from (for errors). */
export interface WantedChallenger {
  model: { name: string; version: number };
  mode: TrafficMode;
  weight: number;
  field: string;
}

/** What a change did to the record. */
export interface ChallengerPlan {
  /** New challengers (DEPLOYING): their servers are to start. */
  added: Challenger[];
  /** Versions no longer challengers: their servers are to drain and stop. */
  removed: number[];
  /** Whether the mode or weight of a challenger that stays changed. */
  changed: boolean;
}

/**
 * Makes `record`'s challengers `wanted` or throws a 400 naming the field: more than
 * {@link MAX_CHALLENGERS}, a version listed twice, the champion's own version, canary weights over 100.
 * `field` is the request's field (`challenger` or `challengers`).
 */
export function planChallengers(record: DeploymentRecord, wanted: WantedChallenger[], field: string): ChallengerPlan {
  const d = record.deployment;
  if (wanted.length > MAX_CHALLENGERS) {
    throw new ServiceError('invalid_argument', `at most ${MAX_CHALLENGERS} challengers, not ${wanted.length}`, field);
  }
  const seen = new Set<number>();
  for (const w of wanted) {
    if (seen.has(w.model.version)) {
      throw new ServiceError('invalid_argument', `version ${w.model.version} is listed twice`, `${w.field}.model.version`);
    }
    if (w.model.version === d.model.version) {
      throw new ServiceError('invalid_argument', `version ${w.model.version} is the champion already`, `${w.field}.model.version`);
    }
    seen.add(w.model.version);
  }
  const canary = wanted.filter(w => w.mode === 'canary');
  const total = canary.reduce((sum, w) => sum + w.weight, 0);
  if (total > 100) {
    const parts = canary.map(w => `version ${w.model.version}: ${w.weight}`).join(', ');
    throw new ServiceError(
      'invalid_argument',
      `canary weights sum to ${total} (${parts}): at most 100, the champion answers the rest`,
      field === 'challengers' ? 'challengers' : `${field}.weight`
    );
  }
  const existing = d.challengers ?? [];
  const now = new Date().toISOString();
  const plan: ChallengerPlan = { added: [], removed: [], changed: false };
  const next: Challenger[] = wanted.map(w => {
    const old = existing.find(c => c.model.version === w.model.version);
    if (old) {
      plan.changed ||= old.mode !== w.mode || old.weight !== w.weight;
      return { ...old, mode: w.mode, weight: w.weight };
    }
    const added: Challenger = { model: { ...w.model }, mode: w.mode, weight: w.weight, state: 'DEPLOYING', errorMessage: '', restarts: 0 };
    plan.added.push(added);
    const how = w.mode === 'canary' ? `canary ${w.weight}%` : 'shadow';
    d.stateHistory.push({ state: d.state, time: now, reason: `challenger version ${w.model.version} added (${how})` });
    return added;
  });
  for (const old of existing) {
    if (!seen.has(old.model.version)) {
      plan.removed.push(old.model.version);
      d.stateHistory.push({ state: d.state, time: now, reason: `challenger version ${old.model.version} removed` });
    }
  }
  // Servers of removed versions are forgotten (they are stopped); new versions start with none.
  const kept = new Set(next.filter(c => !plan.added.includes(c)).map(c => c.model.version));
  const servers = (record.runtime.challengerServers ?? []).filter(s => kept.has(s.version));
  if (next.length) {
    d.challengers = next;
    record.runtime.challengerServers = servers;
  } else {
    delete d.challengers;
    delete record.runtime.challengerServers;
  }
  return plan;
}
