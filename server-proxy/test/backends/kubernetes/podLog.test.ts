import { jest } from '@jest/globals';
import type { FastifyBaseLogger } from 'fastify';
import type { Writable } from 'node:stream';
import type { KubeClient } from '../../../src/backends/kubernetes/client.js';
import { PodLogReader } from '../../../src/backends/kubernetes/podLog.js';

/** A pod log API whose follow streams send the log as it stands and end, like a kubelet's after the container exited. */
function endingStreams(log: () => string): { client: KubeClient; connectedAt: number[] } {
  const connectedAt: number[] = [];
  const client = {
    streamLog: async (_ns: string, _pod: string, out: Writable, _opts: unknown, done: (err: unknown) => void) => {
      connectedAt.push(Date.now());
      out.write(log());
      void Promise.resolve().then(() => done(undefined));
      return new AbortController();
    }
  } as unknown as KubeClient;
  return { client, connectedAt };
}

const quiet = { warn: () => undefined, error: () => undefined } as unknown as FastifyBaseLogger;

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(() => jest.useRealTimers());

test('a follow stream that ends is opened again 1 s after one with new lines, else after 2, 4 ... up to 30 s', async () => {
  let text = 'a\nb\n';
  const { client, connectedAt } = endingStreams(() => text);
  const stored: string[] = [];
  const reader = new PodLogReader(client, 'ns', 'pod', 0, async lines => void stored.push(...lines), quiet);
  reader.follow();
  await jest.advanceTimersByTimeAsync(40_000);
  // The first stream brought lines (1 s), then empty ones: 2, 4, 8, 16 s; the next would be at 61 s.
  expect(connectedAt).toEqual([0, 1000, 3000, 7000, 15000, 31000]);
  await jest.advanceTimersByTimeAsync(30_000);
  expect(connectedAt[6]).toBe(61_000);

  text += 'c\n';
  await jest.advanceTimersByTimeAsync(30_000);
  // The stream at 91 s brought "c": the next comes 1 s later.
  expect(connectedAt.slice(7, 9)).toEqual([91_000, 92_000]);
  expect(stored).toEqual(['a', 'b', 'c']);
  reader.close();
  const after = connectedAt.length;
  await jest.advanceTimersByTimeAsync(120_000);
  expect(connectedAt).toHaveLength(after);
});
