import { CpuAutoscaler, cpuSampleMs } from '../../../src/serving/kubernetes/cpuAutoscaler.js';
import { decideCpuReplicas, recommend, type Recommendation } from '../../../src/serving/kubernetes/cpuDecision.js';
import type { CpuUsageSource, PodCpu } from '../../../src/serving/kubernetes/cpuUsage.js';

const spec = { minReplicas: 1, maxReplicas: 4, metric: 'cpu' as const, targetCpuPercent: 50, scaleDownDelaySeconds: 30 };

describe('recommend: ceil(measured replicas * use / target), unchanged within 10% of the target', () => {
  test('above the target scales up in proportion', () => {
    expect(recommend(1, { measured: 1, averagePercent: 100 }, 50)).toBe(2);
    expect(recommend(1, { measured: 1, averagePercent: 90 }, 50)).toBe(2);
    expect(recommend(2, { measured: 2, averagePercent: 80 }, 50)).toBe(4);
  });

  test('within the tolerance the current replicas stay, also those not measured (pending)', () => {
    expect(recommend(3, { measured: 2, averagePercent: 54 }, 50)).toBe(3);
    expect(recommend(3, { measured: 2, averagePercent: 46 }, 50)).toBe(3);
  });

  test('below it, fewer', () => {
    expect(recommend(4, { measured: 4, averagePercent: 10 }, 50)).toBe(1);
    expect(recommend(2, { measured: 2, averagePercent: 0 }, 50)).toBe(0);
  });
});

describe('decideCpuReplicas: up at once, down after the stabilization window, within min and max', () => {
  test('a rise applies at the first reading and says why', () => {
    const history: Recommendation[] = [];
    expect(decideCpuReplicas(spec, 1, { measured: 1, averagePercent: 180 }, history, 0)).toEqual({
      replicas: 4,
      reason: 'cpu 180% of 50% target over 1 measured replica: 1 -> 4'
    });
    expect(decideCpuReplicas({ ...spec, maxReplicas: 2 }, 1, { measured: 1, averagePercent: 180 }, [], 0).replicas).toBe(2);
  });

  test('a fall waits until no recommendation of the window asks for more', () => {
    const history: Recommendation[] = [];
    expect(decideCpuReplicas(spec, 1, { measured: 1, averagePercent: 100 }, history, 0).replicas).toBe(2);
    expect(decideCpuReplicas(spec, 2, { measured: 2, averagePercent: 5 }, history, 10_000).replicas).toBe(2);
    expect(decideCpuReplicas(spec, 2, { measured: 2, averagePercent: 5 }, history, 29_000).replicas).toBe(2);
    const down = decideCpuReplicas(spec, 2, { measured: 2, averagePercent: 5 }, history, 31_000);
    expect(down).toEqual({ replicas: 1, reason: 'cpu 5% of 50% target over 2 measured replicas: 2 -> 1' });
    expect(history.every(r => r.time >= 1000)).toBe(true);
  });

  test('never below minReplicas nor below one', () => {
    expect(decideCpuReplicas({ ...spec, minReplicas: 2 }, 3, { measured: 3, averagePercent: 0 }, [], 0).replicas).toBe(2);
    expect(decideCpuReplicas({ ...spec, minReplicas: 0 }, 1, { measured: 1, averagePercent: 0 }, [], 0).replicas).toBe(1);
  });

  test('defaults: 60% target, 60 s window', () => {
    const history: Recommendation[] = [];
    expect(decideCpuReplicas({ minReplicas: 1, maxReplicas: 8, metric: 'cpu' }, 1, { measured: 1, averagePercent: 90 }, history, 0).replicas).toBe(2);
    expect(decideCpuReplicas({ minReplicas: 1, maxReplicas: 8, metric: 'cpu' }, 2, { measured: 2, averagePercent: 0 }, history, 59_000).replicas).toBe(2);
    expect(decideCpuReplicas({ minReplicas: 1, maxReplicas: 8, metric: 'cpu' }, 2, { measured: 2, averagePercent: 0 }, history, 61_000).replicas).toBe(1);
  });
});

describe('CpuAutoscaler', () => {
  test('samples a quarter of the window, between 1 and 15 s', () => {
    expect(cpuSampleMs({ ...spec, scaleDownDelaySeconds: 8 })).toBe(2000);
    expect(cpuSampleMs({ ...spec, scaleDownDelaySeconds: 2 })).toBe(1000);
    expect(cpuSampleMs({ minReplicas: 1, maxReplicas: 2 })).toBe(15_000);
  });

  test('scales on the source readings in percent of the CPU request; no reading, no decision', async () => {
    let readings: PodCpu[] | undefined = undefined;
    const asked: string[] = [];
    const source: CpuUsageSource = {
      name: 'stand-in',
      read: async (namespace, objectName) => {
        asked.push(`${namespace}/${objectName}`);
        return readings;
      }
    };
    let replicas = 1;
    const decisions: string[] = [];
    const scaler = new CpuAutoscaler(
      spec,
      {
        version: () => ({ namespace: 'ns', objectName: 'obj' }),
        cpuRequest: () => 0.5,
        replicas: () => replicas,
        scaleTo: async (n, reason) => {
          replicas = n;
          decisions.push(reason);
        }
      },
      source,
      err => {
        throw err;
      }
    );
    await scaler.tick(0);
    readings = [];
    await scaler.tick(1000);
    expect(decisions).toEqual([]);
    // 0.45 cores of a 0.5 request: 90% against 50%.
    readings = [{ pod: 'a', cores: 0.45 }];
    await scaler.tick(2000);
    expect(replicas).toBe(2);
    readings = [{ pod: 'a', cores: 0.02 }];
    await scaler.tick(20_000);
    expect(replicas).toBe(2);
    await scaler.tick(33_000);
    expect(replicas).toBe(1);
    expect(decisions).toEqual(['cpu 90% of 50% target over 1 measured replica: 1 -> 2', 'cpu 4% of 50% target over 1 measured replica: 2 -> 1']);
    expect(asked[0]).toBe('ns/obj');
  });

  test('a failing source is reported, not thrown', async () => {
    const errors: unknown[] = [];
    const scaler = new CpuAutoscaler(
      spec,
      { version: () => ({ namespace: 'ns', objectName: 'obj' }), cpuRequest: () => 1, replicas: () => 1, scaleTo: async () => undefined },
      { name: 'broken', read: async () => Promise.reject(new Error('forbidden')) },
      err => errors.push(err)
    );
    await scaler.tick(0);
    expect(errors).toHaveLength(1);
  });
});
