import { dueTicks, nextTimes, parseSchedule } from '../../src/definitions/cron.js';
import { tickJobId } from '../../src/definitions/service.js';
import { ServiceError } from '../../src/errors.js';

// Cron schedules read in IANA time zones, across both DST changes.

const iso = (dates: Date[]) => dates.map(d => d.toISOString());
const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof ServiceError ? `${err.code} ${err.field}` : String(err);
  }
  return 'no error';
};

test('a daily time is read in its time zone: UTC+9 all year, New York through spring forward', () => {
  const tokyo = parseSchedule({ cron: '0 3 * * *', timeZone: 'Asia/Tokyo' });
  expect(iso(nextTimes(tokyo, new Date('2026-12-01T00:00:00Z'), 2))).toEqual(['2026-12-01T18:00:00.000Z', '2026-12-02T18:00:00.000Z']);
  // 2026-03-08: 02:00 EST jumps to 03:00 EDT. 09:00 local stays 09:00 local: 14:00Z, then 13:00Z.
  const ny = parseSchedule({ cron: '0 9 * * *', timeZone: 'America/New_York' });
  expect(iso(nextTimes(ny, new Date('2026-03-07T00:00:00Z'), 3))).toEqual([
    '2026-03-07T14:00:00.000Z',
    '2026-03-08T13:00:00.000Z',
    '2026-03-09T13:00:00.000Z'
  ]);
});

test('a local time that does not exist on the spring-forward day still runs once that day', () => {
  // 02:30 does not exist in New York on 2026-03-08: that day's run comes at the first valid time after it.
  const ny = parseSchedule({ cron: '30 2 * * *', timeZone: 'America/New_York' });
  const times = iso(nextTimes(ny, new Date('2026-03-07T12:00:00Z'), 3));
  expect(times[0]).toBe('2026-03-08T07:00:00.000Z');
  expect(times.slice(1)).toEqual(['2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
});

test('a local time that happens twice on the fall-back day runs once, not twice', () => {
  // 2026-10-25 in Berlin: 02:00-03:00 passes twice (CEST, then CET).
  const berlin = parseSchedule({ cron: '30 2 * * *', timeZone: 'Europe/Berlin' });
  const due = dueTicks(berlin, new Date('2026-10-24T12:00:00Z'), new Date('2026-10-25T12:00:00Z'));
  expect(due?.count).toBe(1);
  expect(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']).toContain(due?.latest.toISOString());
});

test('dueTicks counts the ticks in (after, upTo] and returns the latest; none is undefined', () => {
  const hourly = parseSchedule({ cron: '0 * * * *', timeZone: 'UTC' });
  const due = dueTicks(hourly, new Date('2026-12-05T10:00:00Z'), new Date('2026-12-05T14:30:00Z'));
  expect(due).toEqual({ latest: new Date('2026-12-05T14:00:00Z'), count: 4 });
  expect(dueTicks(hourly, new Date('2026-12-05T10:00:00Z'), new Date('2026-12-05T10:59:59Z'))).toBeUndefined();
  // A long outage is counted up to the cap, and the latest tick is still the real latest.
  const minutely = parseSchedule({ cron: '* * * * *', timeZone: 'UTC' });
  const long = dueTicks(minutely, new Date('2026-01-01T00:00:00Z'), new Date('2026-03-01T00:00:30Z'))!;
  expect(long.latest.toISOString()).toBe('2026-03-01T00:00:00.000Z');
  expect(long.count).toBe(1000);
});

test('bad schedules are 400s naming the field', () => {
  expect(fieldOf(() => parseSchedule({ cron: '61 * * * *', timeZone: 'UTC' }))).toBe('invalid_argument schedule.cron');
  expect(fieldOf(() => parseSchedule({ cron: '0 0 * * * *', timeZone: 'UTC' }))).toBe('invalid_argument schedule.cron');
  expect(fieldOf(() => parseSchedule({ cron: '0 0 31 2 *', timeZone: 'UTC' }))).toBe('invalid_argument schedule.cron');
  expect(fieldOf(() => parseSchedule({ cron: '0 0 * * *', timeZone: 'Mars/Olympus' }))).toBe('invalid_argument schedule.timeZone');
  expect(fieldOf(() => parseSchedule({ cron: '0 6 * * 1-5', timeZone: 'Europe/Berlin' }))).toBe('no error');
});

test("a tick's job id is the definition and the tick's UTC minute", () => {
  expect(tickJobId('nightly', new Date('2026-12-05T03:07:00Z'))).toBe('nightly_20261205_0307');
});
