import pg from 'pg';
import { AdvisoryLockElector, LEADER_LOCK } from '../../../src/leadership/advisoryLock.js';
import { testDatabase } from '../../helpers/postgres.js';
import { waitFor } from '../../helpers/service.js';

// The advisory-lock elector on a real PostgreSQL: one leader at a time, the lock moves when the leader's
// session ends, and a leader whose connection is cut stops leading at once.

const electors: AdvisoryLockElector[] = [];
let admin: pg.Client;
let url: string;

beforeAll(async () => {
  url = await testDatabase('leader_election');
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
});

afterAll(async () => {
  for (const e of electors) {
    await e.stop();
  }
  await admin.end();
});

function elector(): { elector: AdvisoryLockElector; changes: boolean[]; leading: () => boolean } {
  const changes: boolean[] = [];
  const e = new AdvisoryLockElector({ url, retryMs: 100, renewMs: 150, renewTimeoutMs: 1000 });
  electors.push(e);
  return { elector: e, changes, leading: () => changes.at(-1) === true };
}

/** The server process of the session holding the leader lock. */
async function holderPid(): Promise<number | undefined> {
  const { rows } = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    [LEADER_LOCK]
  );
  return rows[0]?.pid;
}

test('one leader at a time; renewals keep it; a cut connection moves leadership within seconds; stop hands it over', async () => {
  const a = elector();
  const b = elector();
  await a.elector.start(l => a.changes.push(l));
  expect(a.changes).toEqual([true]);
  await b.elector.start(l => b.changes.push(l));
  // Several renewal and retry periods: the leader stays, the follower keeps following.
  await new Promise(r => setTimeout(r, 800));
  expect(a.changes).toEqual([true]);
  expect(b.changes).toEqual([]);

  // The leader's session is killed on the server (a network cut, a failover of the database).
  const pid = await holderPid();
  expect(pid).toBeDefined();
  const cut = Date.now();
  await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  await waitFor(async () => b.leading(), 5000, 'the follower to take over');
  expect(Date.now() - cut).toBeLessThan(5000);
  // The old leader stopped leading; it is not leading again while the other holds the lock.
  expect(a.changes).toEqual([true, false]);
  await new Promise(r => setTimeout(r, 500));
  expect(a.leading()).toBe(false);
  expect(b.changes).toEqual([true]);

  // Stopping gives the lock up: the other replica takes it on its next try.
  await b.elector.stop();
  expect(b.changes).toEqual([true, false]);
  await waitFor(async () => a.leading(), 5000, 'the first replica to lead again');
  expect(await holderPid()).toBeDefined();
});
