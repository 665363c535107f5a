import { jest } from '@jest/globals';
import { openSse } from '../helpers/sse.js';
import { startService, tempRoot, waitFor, type TestService } from '../helpers/service.js';

// The keep-alive comment of /events on the service's default period (15 s), with a fake clock for the
// heartbeat alone: only setInterval is faked, so sockets, undici and the service's own timers run for real.
let t: TestService;

beforeAll(async () => {
  // heartbeatMs unset: the service's default period, not the short one the other tests use.
  t = await startService(tempRoot(), { heartbeatMs: undefined });
});

afterAll(async () => {
  jest.useRealTimers();
  await t?.close();
});

test('/events sends ": ping" every 15 s of silence, and nothing between', async () => {
  jest.useFakeTimers({
    doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
      'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout']
  });
  const sse = await openSse(`${t.url}/api/v1/events`, t.token);
  try {
    expect(sse.status).toBe(200);
    await waitFor(async () => sse.comments.includes('connected'), 10_000, 'the opening comment');
    // Just short of the period: no ping yet (a real wait lets any write that was due arrive).
    jest.advanceTimersByTime(14_999);
    await new Promise(resolve => setTimeout(resolve, 200));
    expect(sse.comments).toEqual(['connected']);
    jest.advanceTimersByTime(1);
    await waitFor(async () => sse.comments.length === 2, 10_000, 'the first ping');
    expect(sse.comments).toEqual(['connected', 'ping']);
    jest.advanceTimersByTime(15_000 * 3);
    await waitFor(async () => sse.comments.length === 5, 10_000, 'three more pings');
    expect(sse.comments).toEqual(['connected', 'ping', 'ping', 'ping', 'ping']);
    expect(sse.events).toEqual([]);
  } finally {
    sse.close();
    await sse.ended;
  }
});
