import { Leadership, SingleProcessElector, type Elector } from '../../src/leadership/leadership.js';

// The coordinator: controllers start on a win in order, stop on a loss in reverse, one change at a time.

class ManualElector implements Elector {
  readonly kind = 'advisory-lock' as const;
  changed: (leading: boolean) => void = () => undefined;
  async start(changed: (leading: boolean) => void): Promise<void> {
    this.changed = changed;
  }
  async stop(): Promise<void> {}
}

const quiet = { info: () => undefined, error: () => undefined };

function recorder(log: string[], name: string, delayMs = 0) {
  const wait = () => new Promise(r => setTimeout(r, delayMs));
  return {
    name,
    start: async () => {
      log.push(`start ${name}`);
      await wait();
    },
    stop: async () => {
      log.push(`stop ${name}`);
      await wait();
    }
  };
}

test('SQLite: the single process leads as soon as it starts', async () => {
  const log: string[] = [];
  const leadership = new Leadership(new SingleProcessElector(), quiet);
  leadership.register(recorder(log, 'a'));
  await leadership.start();
  expect(leadership.leading).toBe(true);
  expect(log).toEqual(['start a']);
  await leadership.stop();
  expect(log).toEqual(['start a', 'stop a']);
});

test('controllers start in order on a win and stop in reverse on a loss; flapping never overlaps two runs', async () => {
  const log: string[] = [];
  const elector = new ManualElector();
  const leadership = new Leadership(elector, quiet);
  leadership.register(recorder(log, 'backends', 20));
  leadership.register(recorder(log, 'experiments', 20));
  await leadership.start();
  expect(log).toEqual([]);
  elector.changed(true);
  elector.changed(false);
  elector.changed(true);
  await leadership.settled();
  expect(log).toEqual([
    'start backends', 'start experiments',
    'stop experiments', 'stop backends',
    'start backends', 'start experiments'
  ]);
  expect(leadership.leading).toBe(true);
  // A failing controller does not keep the others from stopping.
  leadership.register({ name: 'broken', start: () => undefined, stop: () => Promise.reject(new Error('boom')) });
  elector.changed(false);
  await leadership.settled();
  expect(log.slice(-2)).toEqual(['stop experiments', 'stop backends']);
  expect(leadership.leading).toBe(false);
});
