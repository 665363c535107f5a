import { PeriodicTask } from '../src/periodic.js';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

test('rounds never overlap, an error is reported and the next round still runs, stop ends them', async () => {
  let running = 0;
  let mostAtOnce = 0;
  let rounds = 0;
  const errors: unknown[] = [];
  const task = new PeriodicTask(
    5,
    async () => {
      rounds++;
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await sleep(30);
      running--;
      if (rounds === 1) {
        throw new Error('first round fails');
      }
    },
    err => errors.push(err)
  );
  task.start();
  task.start(); // a second start keeps the one timer
  await sleep(200);
  task.stop();
  const atStop = rounds;
  await sleep(100);
  expect(mostAtOnce).toBe(1);
  expect(rounds).toBeGreaterThanOrEqual(2);
  expect(errors.map(e => (e as Error).message)).toEqual(['first round fails']);
  // A round in flight at stop may finish, but no new one starts.
  expect(rounds).toBe(atStop);
});
