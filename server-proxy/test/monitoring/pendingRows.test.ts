import { PendingRows } from '../../src/monitoring/deploymentState.js';

const rows = (x: number[], c: (string | null | undefined)[]) => ({
  rows: x.length,
  columns: new Map<string, ArrayLike<number> | string[]>([
    ['x', x],
    ['c', c as string[]]
  ])
});

describe('rows queued for the store', () => {
  test('are converted to plain stored values when taken, and the queue empties', () => {
    const q = new PendingRows();
    q.push('inputs', 1000, rows([1.5, Number.NaN, Number.POSITIVE_INFINITY], ['a', null, undefined]), 100);
    q.push('predictions', 2000, { rows: 1, columns: new Map([['y', new Float64Array([2])]]) }, 100);
    expect(q.length).toBe(2);
    expect(q.take()).toEqual([
      { time: 1000, kind: 'inputs', rows: 3, columns: { x: [1.5, null, null], c: ['a', null, null] } },
      { time: 2000, kind: 'predictions', rows: 1, columns: { y: [2] } }
    ]);
    expect(q.length).toBe(0);
    expect(q.take()).toEqual([]);
  });

  test('drop the oldest batches beyond the limit, keeping at least the newest', () => {
    const q = new PendingRows();
    for (let i = 0; i < 10; i++) {
      q.push('inputs', i, rows([i, i], ['a', 'b']), 7);
    }
    // 20 rows queued against a limit of 7: the newest three batches (6 rows) stay.
    expect(q.take().map(b => b.time)).toEqual([7, 8, 9]);
    // The running count starts again from zero after a take.
    q.push('inputs', 20, rows([1, 2, 3, 4, 5], ['a', 'b', 'c', 'd', 'e']), 7);
    q.push('inputs', 21, rows([1, 2], ['a', 'b']), 7);
    expect(q.take().map(b => b.time)).toEqual([20, 21]);
    // One batch larger than the limit is still kept: it is the newest.
    q.push('inputs', 30, rows([1, 2, 3, 4, 5, 6, 7, 8], ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']), 7);
    expect(q.take().map(b => b.rows)).toEqual([8]);
  });
});
