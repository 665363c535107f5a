import { LeaseElector, type LeaseApi, type LeaseRecord } from '../../src/leadership/lease.js';

// The Lease elector against an in-memory Lease with the API server's optimistic concurrency (a write
// carrying a stale resourceVersion is a 409). The clock is driven by the test; tries are driven by tick().

class FakeLeaseApi implements LeaseApi {
  lease?: LeaseRecord;
  version = 0;
  failing = false;

  async read(): Promise<LeaseRecord | undefined> {
    this.check();
    return this.lease && { ...this.lease };
  }

  async create(r: LeaseRecord): Promise<LeaseRecord> {
    this.check();
    if (this.lease) {
      throw Object.assign(new Error('already exists'), { code: 409 });
    }
    return this.write(r);
  }

  async replace(r: LeaseRecord): Promise<LeaseRecord> {
    this.check();
    if (!this.lease || r.resourceVersion !== this.lease.resourceVersion) {
      throw Object.assign(new Error('the object has been modified'), { code: 409 });
    }
    return this.write(r);
  }

  private write(r: LeaseRecord): LeaseRecord {
    this.lease = { ...r, resourceVersion: String(++this.version) };
    return { ...this.lease };
  }

  private check(): void {
    if (this.failing) {
      throw new Error('connection refused');
    }
  }
}

let clock = 1_000_000;
const electors: LeaseElector[] = [];

function elector(api: LeaseApi, identity: string): { elector: LeaseElector; changes: boolean[] } {
  const changes: boolean[] = [];
  // Tries only when the test calls tick(): the timer's period is far beyond the test.
  const e = new LeaseElector({ api, identity, leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryMs: 1e9, now: () => clock });
  electors.push(e);
  void e.start(l => changes.push(l));
  return { elector: e, changes };
}

afterEach(async () => {
  for (const e of electors.splice(0)) {
    await e.stop();
  }
});

test('the first replica creates the Lease and leads; the second follows while it is renewed', async () => {
  const api = new FakeLeaseApi();
  const a = elector(api, 'a');
  await a.elector.tick();
  const b = elector(api, 'b');
  await b.elector.tick();
  for (let i = 0; i < 5; i++) {
    clock += 2000;
    await a.elector.tick();
    await b.elector.tick();
  }
  expect(a.changes).toEqual([true]);
  expect(b.changes).toEqual([]);
  expect(api.lease).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0, renewTime: new Date(clock) });
});

test('a leader that cannot renew stops leading within the renew deadline; a follower takes the expired Lease', async () => {
  const api = new FakeLeaseApi();
  const a = elector(api, 'a');
  await a.elector.tick();
  const b = elector(api, 'b');
  // The API server is unreachable for the leader: it keeps leading until its renew deadline, then stops.
  api.failing = true;
  clock += 5000;
  await a.elector.tick();
  expect(a.changes).toEqual([true]);
  clock += 6000;
  await a.elector.tick();
  expect(a.changes).toEqual([true, false]);
  // The Lease is not expired yet (15 s since the last renewal): the follower waits.
  api.failing = false;
  await b.elector.tick();
  expect(b.changes).toEqual([]);
  clock += 5000;
  await b.elector.tick();
  expect(b.changes).toEqual([true]);
  expect(api.lease).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  // The old leader, back, follows.
  await a.elector.tick();
  expect(a.changes).toEqual([true, false]);
});

test('two followers racing for an expired Lease: exactly one wins', async () => {
  const api = new FakeLeaseApi();
  api.lease = { resourceVersion: '7', holderIdentity: 'dead', leaseDurationSeconds: 15, renewTime: new Date(clock - 60_000), leaseTransitions: 3 };
  const b = elector(api, 'b');
  const c = elector(api, 'c');
  await Promise.all([b.elector.tick(), c.elector.tick()]);
  expect([...b.changes, ...c.changes]).toEqual([true]);
  expect(api.lease.leaseTransitions).toBe(4);
});

test('stopping hands the Lease over at once', async () => {
  const api = new FakeLeaseApi();
  const a = elector(api, 'a');
  await a.elector.tick();
  const b = elector(api, 'b');
  await a.elector.stop();
  expect(a.changes).toEqual([true, false]);
  await b.elector.tick();
  expect(b.changes).toEqual([true]);
});
