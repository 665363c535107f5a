import { RestartBackoff } from '../../src/serving/backoff.js';

// The model-server restart schedule of docs/contracts.md, on a fake clock.
describe('RestartBackoff', () => {
  let clock: number;
  const now = () => clock;

  beforeEach(() => {
    clock = 1_000_000;
  });

  test('doubles from 1 s with each crash in a row and stays at the 60 s cap', () => {
    const backoff = new RestartBackoff(undefined, undefined, undefined, now);
    backoff.ready();
    const delays: number[] = [];
    for (let crash = 0; crash < 9; crash++) {
      clock += 5_000; // up briefly, then dead again
      const delay = backoff.next();
      delays.push(delay);
      clock += delay;
      backoff.ready();
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  test('a server that stayed ready for more than 60 s starts the next streak at 1 s again', () => {
    const backoff = new RestartBackoff(1000, 60_000, 60_000, now);
    // The supervisor calls ready() each time a (re)started server answers ready.
    const crashAfter = (upMs: number) => {
      backoff.ready();
      clock += upMs;
      const delay = backoff.next();
      clock += delay;
      return delay;
    };
    expect([crashAfter(1_000), crashAfter(1_000), crashAfter(1_000)]).toEqual([1_000, 2_000, 4_000]);
    // Exactly the healthy period is not more than it: the streak goes on.
    expect(crashAfter(60_000)).toBe(8_000);
    expect(crashAfter(60_001)).toBe(1_000);
    expect(crashAfter(10)).toBe(2_000);
  });

  test('the first delay is configurable (tests shorten it) and doubles the same way', () => {
    const backoff = new RestartBackoff(100, 60_000, 60_000, now);
    backoff.ready();
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400]);
  });
});
