import { TokenBucket, type CallPriority, type Clock } from '../../../src/backends/kubernetes/rateLimit.js';

/** A clock that moves only when told; sleeps are recorded and end when the clock reaches them. */
class ManualClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];
  private readonly waiting: { until: number; wake: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise(resolve => this.waiting.push({ until: this.time + ms, wake: resolve }));
  }

  /** Moves time on, stopping at each sleep that ends on the way (in order), as real timers would fire. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = this.waiting.filter(w => w.until <= end).sort((a, b) => a.until - b.until)[0];
      if (!due) {
        break;
      }
      this.waiting.splice(this.waiting.indexOf(due), 1);
      this.time = Math.max(this.time, due.until);
      due.wake();
      await new Promise(resolve => setImmediate(resolve));
    }
    this.time = end;
    await new Promise(resolve => setImmediate(resolve));
  }
}

/** Starts `n` takes and reports which of them have been let through. */
function takeAll(bucket: TokenBucket, n: number, priority: CallPriority = 'normal', first = 0): { passed: Set<number>; all: Promise<void[]> } {
  const passed = new Set<number>();
  const all = Promise.all(Array.from({ length: n }, (_, i) => bucket.take(priority).then(() => void passed.add(first + i))));
  return { passed, all };
}

const settle = () => new Promise(resolve => setImmediate(resolve));

test('a full bucket lets `burst` calls through at once, then one every 1/qps seconds, in arrival order', async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(10, 3, clock);
  const { passed, all } = takeAll(bucket, 6);
  await settle();
  expect([...passed]).toEqual([0, 1, 2]);
  expect(clock.sleeps.map(Math.round)).toEqual([100]);
  await clock.advance(99);
  expect([...passed]).toEqual([0, 1, 2]);
  await clock.advance(1);
  expect([...passed]).toEqual([0, 1, 2, 3]);
  await clock.advance(100);
  expect([...passed]).toEqual([0, 1, 2, 3, 4]);
  await clock.advance(100);
  await all;
  expect(passed.size).toBe(6);
});

test('idle time refills the bucket, but never beyond burst', async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(2, 4, clock);
  await takeAll(bucket, 4).all;
  await clock.advance(1000); // two tokens back
  const { passed } = takeAll(bucket, 3);
  await settle();
  expect(passed.size).toBe(2);
  expect(clock.sleeps.map(Math.round)).toEqual([500]);
  await clock.advance(500);
  expect(passed.size).toBe(3);

  await clock.advance(60_000); // long idle: full again, not 120 tokens
  const burst = takeAll(bucket, 6);
  await settle();
  expect(burst.passed.size).toBe(4);
});

test('steady callers get qps calls per second', async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(50, 100, clock);
  const { passed } = takeAll(bucket, 400);
  await settle();
  expect(passed.size).toBe(100);
  await clock.advance(2000);
  expect(passed.size).toBe(200);
  await clock.advance(4000);
  expect(passed.size).toBe(400);
});

test('waiting normal calls go before waiting background ones, whatever their arrival order', async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(10, 1, clock);
  await bucket.take();
  const background = takeAll(bucket, 3, 'background', 100);
  const normal = takeAll(bucket, 3, 'normal', 0);
  await settle();
  expect(background.passed.size + normal.passed.size).toBe(0);
  await clock.advance(300);
  expect([...normal.passed]).toEqual([0, 1, 2]);
  expect(background.passed.size).toBe(0);
  await clock.advance(300);
  expect([...background.passed]).toEqual([100, 101, 102]);
});

test('a background call waits at most BACKGROUND_MAX_WAIT_MS while normal calls keep the bucket empty', async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(10, 1, clock, 1000);
  await bucket.take();
  const background = takeAll(bucket, 1, 'background');
  // Ten normal calls queued ahead every 100 ms: more than the bucket's 10 per second.
  const normal: Promise<void>[] = [];
  for (let step = 0; step < 12; step++) {
    normal.push(...Array.from({ length: 10 }, () => bucket.take()));
    await clock.advance(100);
    if (step < 9) {
      expect(background.passed.size).toBe(0);
    }
  }
  expect(background.passed.size).toBe(1);
});

test('settings out of range are refused', () => {
  expect(() => new TokenBucket(0, 10)).toThrow(/qps must be a positive number/);
  expect(() => new TokenBucket(Number.NaN, 10)).toThrow(/qps/);
  expect(() => new TokenBucket(5, 0)).toThrow(/burst must be a whole number/);
  expect(() => new TokenBucket(5, 1.5)).toThrow(/burst/);
});
