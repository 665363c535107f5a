import { KeyedQueue } from '../src/keyedQueue.js';

/** A promise and the function that settles it, so a test decides when a task finishes. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>(resolve => {
    open = resolve;
  });
  return { promise, open };
}

describe('KeyedQueue', () => {
  test('tasks on one key run one after another, in order', async () => {
    const queue = new KeyedQueue();
    const events: string[] = [];
    const first = gate();
    const a = queue.run('k', async () => {
      events.push('a start');
      await first.promise;
      events.push('a end');
      return 'a';
    });
    const b = queue.run('k', async () => {
      events.push('b start');
      return 'b';
    });
    await new Promise(resolve => setImmediate(resolve));
    expect(events).toEqual(['a start']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(events).toEqual(['a start', 'a end', 'b start']);
  });

  test('a task on another key does not wait', async () => {
    const queue = new KeyedQueue();
    const blocked = gate();
    const slow = queue.run('one', () => blocked.promise.then(() => 'slow'));
    expect(await queue.run('two', async () => 'fast')).toBe('fast');
    blocked.open();
    expect(await slow).toBe('slow');
  });

  test('a failed task rejects its caller only; the next task on the key still runs', async () => {
    const queue = new KeyedQueue();
    const failed = queue.run('k', async () => {
      throw new Error('boom');
    });
    const next = queue.run('k', async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ran');
  });
});
