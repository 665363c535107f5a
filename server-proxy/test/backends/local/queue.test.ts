import { ResourceQueue } from '../../../src/backends/local/queue.js';
import { parseNvidiaSmi } from '../../../src/backends/local/capacity.js';

const GIB = 1024 ** 3;
const cap = (cpus: number, gpus = 0) => ({
  cpus,
  memoryBytes: 8 * GIB,
  gpus: Array.from({ length: gpus }, (_, i) => ({ index: i, name: 'g', memoryBytes: 0 }))
});
const req = (cpu: number, gpu = 0, memGb = 1) => ({ cpu, memoryBytes: memGb * GIB, gpu });

describe('ResourceQueue', () => {
  test('high before middle before low, then first come first served', () => {
    const q = new ResourceQueue(cap(1));
    q.enqueue({ jobId: 'low1', priority: 'low', order: 1, request: req(1) });
    q.enqueue({ jobId: 'mid2', priority: 'middle', order: 2, request: req(1) });
    q.enqueue({ jobId: 'mid1', priority: 'middle', order: 1, request: req(1) });
    q.enqueue({ jobId: 'high9', priority: 'high', order: 9, request: req(1) });
    expect(q.waitingIds()).toEqual(['high9', 'mid1', 'mid2', 'low1']);
    expect(q.next().map(s => s.jobId)).toEqual(['high9']);
    expect(q.next()).toEqual([]);
    q.release('high9');
    expect(q.next().map(s => s.jobId)).toEqual(['mid1']);
  });

  test('starts every job that fits and lets a small one pass a large one', () => {
    const q = new ResourceQueue(cap(4));
    q.enqueue({ jobId: 'a', priority: 'middle', order: 1, request: req(2) });
    q.enqueue({ jobId: 'big', priority: 'middle', order: 2, request: req(4) });
    q.enqueue({ jobId: 'b', priority: 'middle', order: 3, request: req(2) });
    expect(q.next().map(s => s.jobId)).toEqual(['a', 'b']);
    expect(q.free().cpu).toBe(0);
    q.release('a');
    q.release('b');
    expect(q.next().map(s => s.jobId)).toEqual(['big']);
  });

  test('memory is a limit too', () => {
    const q = new ResourceQueue(cap(8));
    q.enqueue({ jobId: 'a', priority: 'middle', order: 1, request: req(1, 0, 6) });
    q.enqueue({ jobId: 'b', priority: 'middle', order: 2, request: req(1, 0, 6) });
    expect(q.next().map(s => s.jobId)).toEqual(['a']);
  });

  test('hands out distinct GPU indices and takes adopted jobs into account', () => {
    const q = new ResourceQueue(cap(8, 3));
    q.reserve('adopted', { cpu: 1, memoryBytes: GIB, gpus: [0] });
    q.enqueue({ jobId: 'a', priority: 'middle', order: 1, request: req(1, 1) });
    q.enqueue({ jobId: 'b', priority: 'middle', order: 2, request: req(1, 2) });
    const started = q.next();
    expect(started).toEqual([{ jobId: 'a', allocation: { cpu: 1, memoryBytes: GIB, gpus: [1] } }]);
    q.release('adopted');
    expect(q.next()).toEqual([{ jobId: 'b', allocation: { cpu: 1, memoryBytes: GIB, gpus: [0, 2] } }]);
  });

  test('removed jobs never start', () => {
    const q = new ResourceQueue(cap(1));
    q.enqueue({ jobId: 'a', priority: 'middle', order: 1, request: req(1) });
    expect(q.remove('a')).toBe(true);
    expect(q.next()).toEqual([]);
  });
});

describe('parseNvidiaSmi', () => {
  test('reads index, name and memory', () => {
    expect(parseNvidiaSmi('0, NVIDIA A100-SXM4-40GB, 40960 MiB\n1, Tesla V100, 16 GiB\n')).toEqual([
      { index: 0, name: 'NVIDIA A100-SXM4-40GB', memoryBytes: 40960 * 1024 ** 2 },
      { index: 1, name: 'Tesla V100', memoryBytes: 16 * 1024 ** 3 }
    ]);
  });
});
