import { route, MirrorGate, type TrafficTargets } from '../../src/serving/traffic.js';
import type { Serving } from '../../src/serving/supervisor.js';

const champion = { model: 'iris', version: 1 } as unknown as Serving;
const challenger = { model: 'iris', version: 2 } as unknown as Serving;

describe('route', () => {
  test('without a challenger the champion answers everything', () => {
    expect(route({ champion })).toEqual({ answer: champion, role: 'champion' });
    expect(route({})).toBeUndefined();
  });

  test('canary: the challenger answers when the draw falls under its weight', () => {
    const t: TrafficTargets = { champion, challenger, policy: { mode: 'canary', weight: 10 } };
    expect(route(t, () => 0.05)?.role).toBe('challenger');
    expect(route(t, () => 0.1)?.role).toBe('champion');
    expect(route({ ...t, policy: { mode: 'canary', weight: 0 } }, () => 0)?.role).toBe('champion');
    expect(route({ ...t, policy: { mode: 'canary', weight: 100 } }, () => 0.999)?.role).toBe('challenger');
  });

  test('canary without a ready champion: the challenger answers unless its weight is 0', () => {
    expect(route({ challenger, policy: { mode: 'canary', weight: 10 } })?.answer).toBe(challenger);
    expect(route({ challenger, policy: { mode: 'canary', weight: 0 } })).toBeUndefined();
  });

  test('shadow: the champion answers and the challenger gets the copy; never the challenger alone', () => {
    const t: TrafficTargets = { champion, challenger, policy: { mode: 'shadow', weight: 0 } };
    expect(route(t, () => 0)).toEqual({ answer: champion, role: 'champion', mirror: challenger });
    expect(route({ challenger, policy: { mode: 'shadow', weight: 0 } })).toBeUndefined();
  });
});

test('the mirror gate bounds copies in flight per deployment', () => {
  const gate = new MirrorGate(2);
  expect(gate.enter('a')).toBe(true);
  expect(gate.enter('a')).toBe(true);
  expect(gate.enter('a')).toBe(false);
  expect(gate.enter('b')).toBe(true);
  gate.leave('a');
  expect(gate.enter('a')).toBe(true);
});
