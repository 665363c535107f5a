import { desiredReplicas, InflightAutoscaler, type InflightSample } from '../../../src/serving/kubernetes/autoscaler.js';

const at = (seconds: number, inflight: number): InflightSample => ({ time: seconds * 1000, inflight });

describe('desiredReplicas: ceil(peak in flight / target) over the scale-down window, within min and max', () => {
  const spec = { minReplicas: 1, maxReplicas: 4, targetInflight: 4, scaleDownDelaySeconds: 30 };

  test('the peak of the window decides, rounded up', () => {
    expect(desiredReplicas(spec, [at(0, 3), at(1, 9), at(2, 2)], 2000)).toBe(3);
    expect(desiredReplicas(spec, [at(0, 4)], 0)).toBe(1);
    expect(desiredReplicas(spec, [at(0, 5)], 0)).toBe(2);
  });

  test('bounded by max and min', () => {
    expect(desiredReplicas(spec, [at(0, 100)], 0)).toBe(4);
    expect(desiredReplicas(spec, [], 0)).toBe(1);
    expect(desiredReplicas({ ...spec, minReplicas: 2 }, [at(0, 1)], 0)).toBe(2);
  });

  test('a burst counts until it has left the window: scale-down waits the whole delay', () => {
    const samples = [at(0, 16), at(10, 1), at(20, 1)];
    expect(desiredReplicas(spec, samples, 29_000)).toBe(4);
    expect(desiredReplicas(spec, samples, 31_000)).toBe(1);
  });

  test('minReplicas 0: zero only after a window without any request; any traffic keeps one replica', () => {
    const zero = { ...spec, minReplicas: 0 };
    expect(desiredReplicas(zero, [at(0, 1), at(10, 0)], 20_000)).toBe(1);
    expect(desiredReplicas(zero, [at(0, 1), at(10, 0)], 31_000)).toBe(0);
    expect(desiredReplicas(zero, [], 0)).toBe(0);
  });

  test('defaults: 4 in flight per replica, a 60 s window', () => {
    expect(desiredReplicas({ minReplicas: 1, maxReplicas: 8 }, [at(0, 12)], 59_000)).toBe(3);
    expect(desiredReplicas({ minReplicas: 1, maxReplicas: 8 }, [at(0, 12)], 61_000)).toBe(1);
  });
});

describe('InflightAutoscaler', () => {
  test('scales up at the next sample, counts requests that came and went between samples, scales to zero after the delay', async () => {
    let inflight = 0;
    let started = 0;
    let replicas = 1;
    const decisions: [number, string][] = [];
    const scaler = new InflightAutoscaler(
      { minReplicas: 0, maxReplicas: 3, targetInflight: 2, scaleDownDelaySeconds: 1 },
      {
        load: () => ({ inflight, started }),
        replicas: () => replicas,
        scaleTo: async (n, reason) => {
          decisions.push([n, reason]);
          replicas = n;
        }
      },
      err => {
        throw err;
      },
      50
    );
    scaler.start();
    try {
      inflight = 5;
      await new Promise(resolve => setTimeout(resolve, 120));
      expect(decisions[0]).toEqual([3, 'autoscaled from 1 to 3 replicas (peak 5 requests in flight, target 2 each)']);
      // Fast sequential requests: none in flight at any sample, but they keep one replica.
      inflight = 0;
      const busy = setInterval(() => (started += 1), 20);
      await new Promise(resolve => setTimeout(resolve, 1500));
      clearInterval(busy);
      expect(replicas).toBe(1);
      await new Promise(resolve => setTimeout(resolve, 1300));
      expect(decisions.at(-1)).toEqual([0, 'scaled to zero: no request for 1 s']);
      // From zero only a waiting request wakes it: the autoscaler never does.
      started += 1;
      await new Promise(resolve => setTimeout(resolve, 120));
      expect(replicas).toBe(0);
    } finally {
      scaler.stop();
    }
  });
});
