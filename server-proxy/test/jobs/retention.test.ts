import { planRetention, RETENTION_LABELS, ruleFromLabels, type FinishedJob } from '../../src/jobs/retention.js';

const NOW = Date.parse('2026-12-05T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW - d * 24 * 3600 * 1000).toISOString();
const job = (key: string, owner: string, ageDays: number, labels: Record<string, string> = {}): FinishedJob => ({
  key,
  owner,
  endTime: daysAgo(ageDays),
  labels
});
const keys = (plan: { key: string }[]) => plan.map(d => d.key).sort();

describe('planRetention', () => {
  test('without rules nothing is deleted', () => {
    expect(planRetention([job('a', 'alice', 400)], undefined, NOW)).toEqual([]);
  });

  test("keepLast counts each owner's finished runs on their own, newest kept", () => {
    const jobs = [job('a1', 'alice', 1), job('a2', 'alice', 2), job('a3', 'alice', 3), job('b1', 'bob', 9), job('b2', 'bob', 10)];
    const plan = planRetention(jobs, { keepLast: 2 }, NOW);
    expect(keys(plan)).toEqual(['a3']);
    expect(plan[0]).toEqual({ key: 'a3', owner: 'alice', reason: "the retention of alice's jobs keeps the last 2 finished runs" });
    expect(keys(planRetention(jobs, { keepLast: 0 }, NOW))).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
  });

  test('maxAgeDays deletes what finished before the cut, within the kept ones too', () => {
    const jobs = [job('new', 'alice', 1), job('edge', 'alice', 6.99), job('old', 'alice', 7.01)];
    expect(keys(planRetention(jobs, { maxAgeDays: 7 }, NOW))).toEqual(['old']);
    expect(keys(planRetention(jobs, { keepLast: 1, maxAgeDays: 7 }, NOW))).toEqual(['edge', 'old']);
  });

  test("a group's rule comes from its newest run's labels and applies to that group only", () => {
    const g = (keep: string) => ({ [RETENTION_LABELS.group]: 'nightly', [RETENTION_LABELS.keepLast]: keep });
    const jobs = [
      job('n1', 'alice', 1, g('1')),
      job('n2', 'alice', 2, g('5')),
      job('n3', 'alice', 3, g('5')),
      job('adhoc', 'alice', 30),
      // Bob's group of the same name is his own.
      job('bn1', 'bob', 1, g('5')),
      job('bn2', 'bob', 2, g('5'))
    ];
    const plan = planRetention(jobs, undefined, NOW);
    expect(keys(plan)).toEqual(['n2', 'n3']);
    expect(plan.find(d => d.key === 'n2')!.reason).toBe('the retention of group nightly keeps the last 1 finished runs');
    // With a user rule too, either rule deletes; a job is listed once.
    expect(keys(planRetention(jobs, { maxAgeDays: 2.5 }, NOW))).toEqual(['adhoc', 'n2', 'n3']);
  });

  test('ties in end time are broken by key, so the plan does not depend on input order', () => {
    const same = [job('b', 'alice', 1), job('a', 'alice', 1), job('c', 'alice', 1)];
    expect(keys(planRetention(same, { keepLast: 1 }, NOW))).toEqual(['b', 'c']);
    expect(keys(planRetention([...same].reverse(), { keepLast: 1 }, NOW))).toEqual(['b', 'c']);
  });
});

describe('ruleFromLabels', () => {
  test('reads valid values and ignores the rest', () => {
    expect(ruleFromLabels({ [RETENTION_LABELS.keepLast]: '3', [RETENTION_LABELS.maxAgeDays]: '1.5' })).toEqual({ keepLast: 3, maxAgeDays: 1.5 });
    expect(ruleFromLabels({ [RETENTION_LABELS.keepLast]: '-1', [RETENTION_LABELS.maxAgeDays]: '0' })).toBeUndefined();
    expect(ruleFromLabels({ [RETENTION_LABELS.keepLast]: 'all', [RETENTION_LABELS.maxAgeDays]: 'x' })).toBeUndefined();
    expect(ruleFromLabels({})).toBeUndefined();
  });
});
