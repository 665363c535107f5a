import { lttb, thinScatter } from '../model/downsample';
import {
  historyData,
  MAX_PARALLEL_LINES,
  parallelData,
  sliceData
} from '../model/plots';
import { makeTrial } from './helpers';

describe('thinScatter', () => {
  it('keeps one point per cell, the first in input order, and skips missing values', () => {
    const x = [0, 0.001, 1, 1, 0.5];
    const y = [0, 0.001, 1, null, 0.5];
    expect(thinScatter(x, y, false, { x: 3, y: 3 })).toEqual([0, 2, 4]);
  });

  it('grids x on a log scale when asked', () => {
    // 1, 10, 100 are evenly apart on a log axis: three cells of three.
    expect(thinScatter([1, 10, 100], [1, 1, 1], true, { x: 3, y: 1 })).toEqual([
      0, 1, 2
    ]);
    expect(thinScatter([1, 10, 100], [1, 1, 1], false, { x: 3, y: 1 })).toEqual(
      [0, 2]
    );
  });
});

describe('lttb', () => {
  it('keeps the ends and the peaks of a long curve', () => {
    const x = Array.from({ length: 1000 }, (_, i) => i);
    const y = x.map(i => (i === 500 ? 100 : Math.sin(i / 50)));
    const kept = lttb(x, y, 50);
    expect(kept).toHaveLength(50);
    expect(kept[0]).toBe(0);
    expect(kept[kept.length - 1]).toBe(999);
    expect(kept).toContain(500);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
  });

  it('returns every index of a short curve', () => {
    expect(lttb([1, 2, 3], [1, 2, 3], 10)).toEqual([0, 1, 2]);
  });
});

describe('plots of 10,000 trials', () => {
  const trials = Array.from({ length: 10000 }, (_, i) =>
    makeTrial(String(i + 1), 'SUCCEEDED', Math.sin(i) + i / 10000)
  );

  it('draws fewer history points and keeps every change of the best', () => {
    const history = historyData(trials, 'MAXIMIZE');
    expect(history.x.length).toBeLessThan(trials.length);
    let best = -Infinity;
    const changes: number[] = [];
    trials.forEach(t => {
      const v = t.finalMetric!.objectiveValue;
      if (v > best) {
        best = v;
        changes.push(Number(t.trialId));
      }
    });
    for (const x of changes) {
      expect(history.x).toContain(x);
    }
    expect(history.best[history.best.length - 1]).toBe(best);
  });

  it('samples parallel lines worst first and keeps the best trial', () => {
    const { lines } = parallelData(
      trials,
      ['lr'],
      [],
      'MAXIMIZE',
      'score',
      '1'
    );
    expect(lines.length).toBeLessThanOrEqual(MAX_PARALLEL_LINES + 1);
    expect(lines.some(l => l.best && l.trialId === '1')).toBe(true);
    const qualities = lines.filter(l => !l.best).map(l => l.quality);
    expect([...qualities].sort((a, b) => a - b)).toEqual(qualities);
    expect(Math.max(...qualities)).toBe(1);
  });

  it('thins slices to what the plot can show, x still ascending', () => {
    const [slice] = sliceData(trials, ['lr'], []);
    expect(slice.x.length).toBeLessThan(trials.length);
    expect([...slice.x].sort((a, b) => a - b)).toEqual(slice.x);
  });
});
