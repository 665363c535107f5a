import type { AutoscalingSpec } from '../../schemas/serving.js';
import { InflightAutoscaler, type AutoscalerTarget } from './autoscaler.js';
import { CpuAutoscaler, type CpuAutoscalerTarget } from './cpuAutoscaler.js';
import type { CpuUsageSource } from './cpuUsage.js';

/** Either autoscaler; both start, follow new settings and stop the same way. */
export type Autoscaler = InflightAutoscaler | CpuAutoscaler;

/**
 * The autoscaler `spec` asks for, started: the current one given the new settings when it follows the
 * same metric, else a new one in its place (the current one stopped).
 */
export function followAutoscaling(
  current: Autoscaler | undefined,
  spec: AutoscalingSpec,
  target: AutoscalerTarget & CpuAutoscalerTarget,
  cpuSource: () => CpuUsageSource,
  onError: (err: unknown) => void
): Autoscaler {
  const wantCpu = spec.metric === 'cpu';
  if (current && current instanceof CpuAutoscaler === wantCpu) {
    current.update(spec);
    return current;
  }
  current?.stop();
  const next = wantCpu ? new CpuAutoscaler(spec, target, cpuSource(), onError) : new InflightAutoscaler(spec, target, onError);
  next.start();
  return next;
}
