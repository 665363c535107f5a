import { planIsEmpty, planReconcile, type KeptDeployment } from '../../src/serving/reconcilePlan.js';
import type { Challenger } from '../../src/schemas/serving.js';
import type { TrafficPolicy } from '../../src/serving/traffic.js';
import { deploymentRecord } from '../helpers/records.js';

// What the leader does about a deployment record another replica changed, against what it keeps.

const canary = (version: number, weight: number): Challenger => ({ model: { name: 'iris', version }, mode: 'canary', weight, state: 'DEPLOYING', errorMessage: '', restarts: 0 });
const kept = (champion: number | undefined, challengers: [number, TrafficPolicy][] = []): KeptDeployment => ({
  champion: champion === undefined ? undefined : { wantedVersion: champion },
  challengers: new Map(challengers)
});

test('a deployment created through a follower is started once; kept, nothing is started again', () => {
  const record = deploymentRecord('alice', 'd');
  expect(planReconcile(record, kept(undefined))).toMatchObject({ deploy: 'start', startChallengers: [] });
  const again = planReconcile(record, kept(1));
  expect(again.deploy).toBeUndefined();
  expect(planIsEmpty(again)).toBe(true);
});

test('a FAILED deployment without a keeper gets an idle one (its inference answers 503, not 404)', () => {
  const record = deploymentRecord('alice', 'd');
  record.deployment.state = 'FAILED';
  expect(planReconcile(record, kept(undefined)).deploy).toBe('idle');
});

test('a version switch stored by a follower is carried out once: not again while the switch to it is underway', () => {
  const record = deploymentRecord('alice', 'd');
  record.deployment.state = 'UPDATING';
  record.deployment.nextModel = { name: 'iris', version: 2 };
  expect(planReconcile(record, kept(1)).switchTo).toEqual({ name: 'iris', version: 2 });
  expect(planIsEmpty(planReconcile(record, kept(2)))).toBe(true);
  // Created and switched before the leader heard either: started on the stored version, then switched.
  expect(planReconcile(record, kept(undefined))).toMatchObject({ deploy: 'start', switchTo: { version: 2 } });
});

test('challengers: added ones start, removed ones retire, a changed weight or mode is applied in place', () => {
  const record = deploymentRecord('alice', 'd');
  record.deployment.state = 'READY';
  record.deployment.challengers = [canary(2, 30), canary(3, 20)];
  const plan = planReconcile(record, kept(1, [[3, { mode: 'canary', weight: 10 }], [4, { mode: 'shadow', weight: 0 }]]));
  expect(plan).toMatchObject({ startChallengers: [2], retireChallengers: [4], changedPolicies: [3] });
  expect(planIsEmpty(planReconcile(record, kept(1, [[2, { mode: 'canary', weight: 30 }], [3, { mode: 'canary', weight: 20 }]])))).toBe(true);
});

test('a deployment deleted through a follower is finished by the leader; one already gone asks for nothing', () => {
  const record = deploymentRecord('alice', 'd');
  record.deployment.state = 'DELETING';
  record.deployment.challengers = [canary(2, 30)];
  expect(planReconcile(record, kept(1)).finishDelete).toBe(true);
  expect(planReconcile(record, kept(1)).startChallengers).toEqual([]);
  expect(planIsEmpty(planReconcile(undefined, kept(1, [[2, { mode: 'canary', weight: 30 }]])))).toBe(true);
});

test('a promotion stored by a follower moves the kept challenger into the champion\'s place; it is not retired', () => {
  const record = deploymentRecord('alice', 'd');
  record.deployment.state = 'READY';
  record.deployment.model = { name: 'iris', version: 2 };
  record.deployment.challengers = [canary(3, 20)];
  const plan = planReconcile(record, kept(1, [[2, { mode: 'canary', weight: 30 }], [3, { mode: 'canary', weight: 20 }]]));
  expect(plan).toMatchObject({ promote: 2, retireChallengers: [], startChallengers: [] });
  expect(plan.deploy).toBeUndefined();
  expect(planIsEmpty(planReconcile(record, kept(2, [[3, { mode: 'canary', weight: 20 }]])))).toBe(true);
});
