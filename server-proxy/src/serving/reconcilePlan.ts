/**
 * The leader's decisions for one deployment whose record another replica changed: what the stored
 * (desired) record asks for that the servers this replica keeps do not do yet. Pure, so that hearing a
 * change twice (the notification and the poll, or the leader's own write) decides nothing the second time.
 */
import type { DeploymentRecord } from '../store/store.js';
import type { TrafficPolicy } from './traffic.js';

/** What this replica keeps of one deployment right now. */
export interface KeptDeployment {
  /** The champion's keeper and the version it brings up or serves (undefined: an idle keeper of a FAILED deployment). */
  champion?: { wantedVersion?: number };
  /** The challengers kept, by version, with the policies they route with. */
  challengers: ReadonlyMap<number, TrafficPolicy>;
}

/** What to do; every field absent or empty means nothing to do. */
export interface ReconcilePlan {
  /** Deleted through another replica: stop its servers and forget it. */
  finishDelete?: boolean;
  /** No keeper yet: start one on the record's model (idle for a FAILED deployment). */
  deploy?: 'start' | 'idle';
  /** A challenger kept here that the record (a promotion through another replica) names as the champion. */
  promote?: number;
  /** A version switch asked for through another replica. */
  switchTo?: { name: string; version: number };
  /** Challenger versions to start. */
  startChallengers: number[];
  /** Challenger versions to drain and stop. */
  retireChallengers: number[];
  /** Challengers that stay but route with another mode or weight. */
  changedPolicies: number[];
}

/** Decides what `record` (undefined: gone) asks of the keepers in `kept`. */
export function planReconcile(record: DeploymentRecord | undefined, kept: KeptDeployment): ReconcilePlan {
  const plan: ReconcilePlan = { startChallengers: [], retireChallengers: [], changedPolicies: [] };
  if (!record) {
    return plan; // Only the leader deletes records, after stopping the servers itself.
  }
  const d = record.deployment;
  if (d.state === 'DELETING') {
    plan.finishDelete = true;
    return plan;
  }
  if (kept.challengers.has(d.model.version)) {
    plan.promote = d.model.version;
  } else if (!kept.champion) {
    plan.deploy = d.state === 'FAILED' ? 'idle' : 'start';
  }
  const wanted = plan.deploy === 'start' ? d.model.version : kept.champion?.wantedVersion;
  if (d.state === 'UPDATING' && d.nextModel && d.nextModel.version !== wanted) {
    plan.switchTo = { ...d.nextModel };
  }
  const stored = new Map((d.challengers ?? []).map(c => [c.model.version, c]));
  for (const [version, c] of stored) {
    const policy = kept.challengers.get(version);
    if (!policy) {
      plan.startChallengers.push(version);
    } else if (policy.mode !== c.mode || policy.weight !== c.weight) {
      plan.changedPolicies.push(version);
    }
  }
  plan.retireChallengers = [...kept.challengers.keys()].filter(v => !stored.has(v) && v !== plan.promote);
  return plan;
}

/** Whether `plan` asks for anything. */
export function planIsEmpty(plan: ReconcilePlan): boolean {
  return !plan.finishDelete && !plan.deploy && plan.promote === undefined && !plan.switchTo && !plan.startChallengers.length && !plan.retireChallengers.length && !plan.changedPolicies.length;
}
