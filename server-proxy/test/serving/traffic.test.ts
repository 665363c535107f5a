import { route, MirrorGate, type ChallengerTarget, type TrafficPolicy } from '../../src/serving/traffic.js';
import type { Serving } from '../../src/serving/supervisor.js';

const champion = { model: 'iris', version: 1 } as unknown as Serving;
const v2 = { model: 'iris', version: 2 } as unknown as Serving;
const v3 = { model: 'iris', version: 3 } as unknown as Serving;
const ch = (serving: Serving, mode: TrafficPolicy['mode'], weight: number): ChallengerTarget => ({ serving, policy: { mode, weight } });

describe('route', () => {
  test('without a challenger the champion answers everything, with nothing to compare it with', () => {
    expect(route({ champion, challengers: [] })).toEqual({ answer: champion, role: 'champion', mirrors: [], compared: false });
    expect(route({ challengers: [] })).toBeUndefined();
  });

  test('canary: the challenger answers when the draw falls under its weight', () => {
    const challengers = [ch(v2, 'canary', 10)];
    expect(route({ champion, challengers }, () => 0.05)?.role).toBe('challenger');
    expect(route({ champion, challengers }, () => 0.1)?.role).toBe('champion');
    expect(route({ champion, challengers: [ch(v2, 'canary', 0)] }, () => 0)).toEqual({ answer: champion, role: 'champion', mirrors: [], compared: true });
    expect(route({ champion, challengers: [ch(v2, 'canary', 100)] }, () => 0.999)?.role).toBe('challenger');
  });

  test('two canaries: each answers the slice of the draw its weight covers, the champion the rest', () => {
    const challengers = [ch(v2, 'canary', 10), ch(v3, 'canary', 20)];
    const at = (draw: number) => route({ champion, challengers }, () => draw)?.answer;
    expect(at(0.0)).toBe(v2);
    expect(at(0.099)).toBe(v2);
    expect(at(0.1)).toBe(v3);
    expect(at(0.299)).toBe(v3);
    expect(at(0.3)).toBe(champion);
    expect(at(0.999)).toBe(champion);
  });

  test('canaries without a ready champion answer in proportion to their weights, unless all are 0', () => {
    const challengers = [ch(v2, 'canary', 10), ch(v3, 'canary', 30)];
    expect(route({ challengers }, () => 0.2)?.answer).toBe(v2);
    expect(route({ challengers }, () => 0.3)?.answer).toBe(v3);
    expect(route({ challengers: [ch(v2, 'canary', 0)] })).toBeUndefined();
  });

  test('shadow: the champion answers and every shadow gets a copy; never a shadow alone', () => {
    const challengers = [ch(v2, 'shadow', 0), ch(v3, 'shadow', 0)];
    expect(route({ champion, challengers }, () => 0)).toEqual({ answer: champion, role: 'champion', mirrors: [v2, v3], compared: true });
    expect(route({ challengers })).toBeUndefined();
  });

  test('canary and shadow together: a canary answer gets no copy, a champion answer does', () => {
    const challengers = [ch(v2, 'canary', 50), ch(v3, 'shadow', 0)];
    expect(route({ champion, challengers }, () => 0.1)).toEqual({ answer: v2, role: 'challenger', mirrors: [], compared: true });
    expect(route({ champion, challengers }, () => 0.6)).toEqual({ answer: champion, role: 'champion', mirrors: [v3], compared: true });
  });
});

test('the mirror gate bounds copies in flight per key', () => {
  const gate = new MirrorGate(2);
  expect(gate.enter('a')).toBe(true);
  expect(gate.enter('a')).toBe(true);
  expect(gate.enter('a')).toBe(false);
  expect(gate.enter('b')).toBe(true);
  gate.leave('a');
  expect(gate.enter('a')).toBe(true);
});
