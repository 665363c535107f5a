/**
 * Which finished jobs retention deletes: a pure plan from the jobs, the rules and the time, so the
 * sweeper that applies it stays a timer and the rules are testable without a service.
 */

/** One retention rule; an absent field does not limit. */
export interface RetentionRule {
  /** Keep this many most recently finished runs; older ones go. */
  keepLast?: number;
  /** Delete runs that finished more than this many days ago. */
  maxAgeDays?: number;
}

/** Labels that put a job in a retention group with its own rule (a definition's runs carry them). */
export const RETENTION_LABELS = {
  /** Runs with the same value form one group (e.g. the definition that started them). */
  group: 'retention-group',
  /** The group's keepLast (a non-negative integer). */
  keepLast: 'retention-keep-last',
  /** The group's maxAgeDays (a positive number). */
  maxAgeDays: 'retention-days'
} as const;

/** What the planner needs of a finished job. */
export interface FinishedJob {
  /** The job's store key. */
  key: string;
  owner: string;
  /** When it finished (ISO time). */
  endTime: string;
  labels: Record<string, string>;
}

/** A job retention deletes, and the rule that chose it. */
export interface RetentionDecision {
  key: string;
  owner: string;
  reason: string;
}

/** A group's rule read from its labels; undefined when the labels set none (or nothing valid). */
export function ruleFromLabels(labels: Record<string, string>): RetentionRule | undefined {
  const rule: RetentionRule = {};
  const keep = labels[RETENTION_LABELS.keepLast];
  if (keep !== undefined && /^\d{1,9}$/.test(keep)) {
    rule.keepLast = Number(keep);
  }
  const days = Number(labels[RETENTION_LABELS.maxAgeDays]);
  if (labels[RETENTION_LABELS.maxAgeDays] !== undefined && Number.isFinite(days) && days > 0) {
    rule.maxAgeDays = days;
  }
  return rule.keepLast === undefined && rule.maxAgeDays === undefined ? undefined : rule;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Newest finished first; keys break ties so the plan does not depend on input order. */
function newestFirst(a: FinishedJob, b: FinishedJob): number {
  return a.endTime !== b.endTime ? (a.endTime < b.endTime ? 1 : -1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** The jobs of `runs` (one scope: a user's, or a group's) that `rule` deletes. */
function apply(runs: FinishedJob[], rule: RetentionRule, now: number, scope: string): RetentionDecision[] {
  const out: RetentionDecision[] = [];
  const sorted = [...runs].sort(newestFirst);
  sorted.forEach((job, i) => {
    if (rule.keepLast !== undefined && i >= rule.keepLast) {
      out.push({ key: job.key, owner: job.owner, reason: `${scope} keeps the last ${rule.keepLast} finished runs` });
    } else if (rule.maxAgeDays !== undefined && now - Date.parse(job.endTime) > rule.maxAgeDays * DAY_MS) {
      out.push({ key: job.key, owner: job.owner, reason: `${scope} deletes runs finished over ${rule.maxAgeDays} days ago` });
    }
  });
  return out;
}

/**
 * The finished jobs to delete. The user rule applies to each owner's finished jobs on their own; a
 * group's rule (from the labels of its most recently finished run) to the owner's runs of that group.
 * A job goes when any rule that applies to it says so; each job is listed once, with the first reason.
 */
export function planRetention(jobs: readonly FinishedJob[], userRule: RetentionRule | undefined, now: number): RetentionDecision[] {
  const byOwner = new Map<string, FinishedJob[]>();
  for (const job of jobs) {
    byOwner.set(job.owner, [...(byOwner.get(job.owner) ?? []), job]);
  }
  const decisions = new Map<string, RetentionDecision>();
  const add = (list: RetentionDecision[]) => list.forEach(d => decisions.has(d.key) || decisions.set(d.key, d));
  for (const [owner, runs] of byOwner) {
    if (userRule) {
      add(apply(runs, userRule, now, `the retention of ${owner}'s jobs`));
    }
    const groups = new Map<string, FinishedJob[]>();
    for (const job of runs) {
      const group = job.labels[RETENTION_LABELS.group];
      if (group) {
        groups.set(group, [...(groups.get(group) ?? []), job]);
      }
    }
    for (const [group, members] of groups) {
      const rule = ruleFromLabels([...members].sort(newestFirst)[0].labels);
      if (rule) {
        add(apply(members, rule, now, `the retention of group ${group}`));
      }
    }
  }
  return [...decisions.values()];
}
