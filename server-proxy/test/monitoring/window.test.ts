import { RowWindow } from '../../src/monitoring/window.js';

const columns = [
  { name: 'x', kind: 'numeric' as const },
  { name: 'c', kind: 'categorical' as const }
];
const rows = (x: number[], c: string[]) => ({
  rows: x.length,
  columns: new Map<string, ArrayLike<number> | string[]>([
    ['x', x],
    ['c', c]
  ])
});

describe('sliding window of live rows', () => {
  test('rows older than the window are dropped by expire', () => {
    const w = new RowWindow(columns, 100);
    w.append(1000, rows([1, 2], ['a', 'b']));
    w.append(2000, rows([3], ['c']));
    w.append(3000, rows([4], ['d']));
    w.expire(2000);
    expect(w.rows).toBe(2);
    expect(Array.from(w.numeric('x'))).toEqual([3, 4]);
    expect(w.categorical('c')).toEqual(['c', 'd']);
    w.expire(10_000);
    expect(w.rows).toBe(0);
    expect(w.numeric('x').length).toBe(0);
  });

  test('the row cap keeps the newest rows, also across the ring boundary and for an oversized request', () => {
    const w = new RowWindow(columns, 3);
    w.append(1, rows([1, 2], ['a', 'b']));
    w.append(2, rows([3, 4], ['c', 'd']));
    expect(Array.from(w.numeric('x'))).toEqual([2, 3, 4]);
    expect(w.categorical('c')).toEqual(['b', 'c', 'd']);
    w.append(3, rows([5, 6, 7, 8, 9], ['e', 'f', 'g', 'h', 'i']));
    expect(Array.from(w.numeric('x'))).toEqual([7, 8, 9]);
    expect(w.rows).toBe(3);
  });

  test('missing and non-numeric values are left out of a column; the revision tracks changes', () => {
    const w = new RowWindow(columns, 10);
    const before = w.revision;
    w.append(1, { rows: 3, columns: new Map<string, ArrayLike<number> | string[]>([['x', [1, Number.NaN, 'oops' as unknown as number]]]) });
    expect(Array.from(w.numeric('x'))).toEqual([1]);
    expect(w.categorical('c')).toEqual([]);
    expect(w.rows).toBe(3);
    expect(w.revision).not.toBe(before);
    const after = w.revision;
    w.expire(0);
    expect(w.revision).toBe(after);
  });
});
