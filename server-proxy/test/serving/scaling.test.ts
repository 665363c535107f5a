import { ServiceError } from '../../src/errors.js';
import type { AutoscalingSpec } from '../../src/schemas/serving.js';
import { checkAutoscaling } from '../../src/serving/scaling.js';

/** The field a refused spec is named by (undefined when accepted). */
function refusedField(spec: AutoscalingSpec, replicas?: number): string | undefined {
  try {
    checkAutoscaling(spec, replicas);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return (err as ServiceError).field;
  }
}

test('autoscaling settings that cannot work together are refused naming the field', () => {
  expect(refusedField({ minReplicas: 1, maxReplicas: 3, metric: 'cpu', targetCpuPercent: 50 })).toBeUndefined();
  expect(refusedField({ minReplicas: 0, maxReplicas: 3, targetInflight: 2 })).toBeUndefined();
  expect(refusedField({ minReplicas: 4, maxReplicas: 3 })).toBe('autoscaling.minReplicas');
  // CPU is measured on running replicas only: nothing would wake one at zero.
  expect(refusedField({ minReplicas: 0, maxReplicas: 3, metric: 'cpu' })).toBe('autoscaling.minReplicas');
  expect(refusedField({ minReplicas: 1, maxReplicas: 3, metric: 'cpu', targetInflight: 2 })).toBe('autoscaling.targetInflight');
  expect(refusedField({ minReplicas: 1, maxReplicas: 3, targetCpuPercent: 50 })).toBe('autoscaling.targetCpuPercent');
  expect(refusedField({ minReplicas: 1, maxReplicas: 3, metric: 'inflight', targetCpuPercent: 50 })).toBe('autoscaling.targetCpuPercent');
  expect(refusedField({ minReplicas: 1, maxReplicas: 3, metric: 'cpu' }, 4)).toBe('replicas');
});

