/**
 * Cron schedules in IANA time zones: validation with the field to blame, next run times and the ticks
 * due in a window. Croner does the calendar arithmetic (DST included); this module fixes the dialect
 * (five fields, minute precision) so a schedule cannot fire every second.
 */
import { Cron } from 'croner';
import { ServiceError } from '../errors.js';
import type { ScheduleSpec } from '../schemas/definitions.js';

/** Most ticks counted in one window; a longer outage is reported as "at least" this many. */
export const MAX_COUNTED_TICKS = 1000;

/** Whether the runtime knows this IANA time zone. */
function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A parsed schedule, or a 400 naming `<fieldPrefix>cron` or `<fieldPrefix>timeZone`. Day-of-month and
 * day-of-week combine with OR, as in Vixie cron.
 */
export function parseSchedule(spec: ScheduleSpec, fieldPrefix = 'schedule.'): Cron {
  const timeZone = spec.timeZone ?? 'UTC';
  if (!knownTimeZone(timeZone)) {
    throw new ServiceError('invalid_argument', `${fieldPrefix}timeZone: ${JSON.stringify(timeZone)} is not an IANA time zone`, `${fieldPrefix}timeZone`);
  }
  if (spec.cron.trim().split(/\s+/).length !== 5) {
    throw new ServiceError('invalid_argument', `${fieldPrefix}cron: needs five fields (minute hour day-of-month month day-of-week)`, `${fieldPrefix}cron`);
  }
  let cron: Cron;
  try {
    cron = new Cron(spec.cron.trim(), { timezone: timeZone, paused: true, mode: '5-part', domAndDow: false });
  } catch (err) {
    throw new ServiceError('invalid_argument', `${fieldPrefix}cron: ${(err as Error).message.replace(/^CronPattern: /, '')}`, `${fieldPrefix}cron`);
  }
  if (cron.nextRun() === null) {
    throw new ServiceError('invalid_argument', `${fieldPrefix}cron: never matches a date`, `${fieldPrefix}cron`);
  }
  return cron;
}

/** The next `count` tick times strictly after `after`. */
export function nextTimes(cron: Cron, after: Date, count: number): Date[] {
  return cron.nextRuns(count, after);
}

/** The ticks in the window (after, upTo]: the latest, and how many there were (capped). */
export interface DueTicks {
  latest: Date;
  count: number;
}

/** The ticks due in (after, upTo], or undefined when none is. */
export function dueTicks(cron: Cron, after: Date, upTo: Date): DueTicks | undefined {
  // The latest tick directly (croner's reference is exclusive at the minute): a long outage costs no walk.
  const latest = cron.previousRuns(2, new Date(upTo.getTime() + 60_000)).find(t => t.getTime() <= upTo.getTime());
  if (!latest || latest.getTime() <= after.getTime()) {
    return undefined;
  }
  let count = 0;
  for (let next = cron.nextRun(after); next && next.getTime() <= latest.getTime() && count < MAX_COUNTED_TICKS; next = cron.nextRun(next)) {
    count += 1;
  }
  return { latest, count: Math.max(count, 1) };
}
