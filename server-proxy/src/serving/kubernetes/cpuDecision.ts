/**
 * How a deployment autoscaled by CPU decides its replicas, the HorizontalPodAutoscaler's rule:
 *
 *   wanted = ceil(measured replicas * average use / target)
 *
 * where use is each replica's model server CPU in percent of its CPU request. Within 10% of the target
 * (tolerance) the replicas stay as they are, so noise does not flap them. A rise applies at once; a fall
 * only once every recommendation of the last `scaleDownDelaySeconds` (the stabilization window) agrees,
 * so the highest recommendation of the window is followed. Always within min and max replicas.
 */
import type { AutoscalingSpec } from '../../schemas/serving.js';
import { AUTOSCALING_DEFAULTS } from './autoscaler.js';

/** Defaults and the tolerance of the CPU rule. */
export const CPU_AUTOSCALING = { targetCpuPercent: 60, tolerance: 0.1 } as const;

/** One reading of the serving version's replicas. */
export interface CpuReading {
  /** Replicas whose use was measured (ready ones; a pending replica uses nothing and is not counted). */
  measured: number;
  /** Their average use, in percent of the CPU request. */
  averagePercent: number;
}

/** A recommendation kept for the stabilization window. */
export interface Recommendation {
  time: number;
  replicas: number;
}

/** The replicas one reading calls for, before the window and the bounds. */
export function recommend(current: number, reading: CpuReading, targetPercent: number): number {
  const ratio = reading.averagePercent / targetPercent;
  if (Math.abs(ratio - 1) <= CPU_AUTOSCALING.tolerance) {
    return current;
  }
  return Math.ceil(reading.measured * ratio);
}

/** The decision: replicas wanted and why, given the recommendations of the window so far (updated in place). */
export function decideCpuReplicas(
  spec: AutoscalingSpec,
  current: number,
  reading: CpuReading,
  history: Recommendation[],
  now: number
): { replicas: number; reason: string } {
  const target = spec.targetCpuPercent ?? CPU_AUTOSCALING.targetCpuPercent;
  const windowMs = (spec.scaleDownDelaySeconds ?? AUTOSCALING_DEFAULTS.scaleDownDelaySeconds) * 1000;
  const bound = (n: number) => Math.min(spec.maxReplicas, Math.max(spec.minReplicas, 1, n));
  const recommended = bound(recommend(current, reading, target));
  history.push({ time: now, replicas: recommended });
  while (history.length > 0 && now - history[0].time > windowMs) {
    history.shift();
  }
  // Up at once; down only as far as the highest recommendation of the window.
  const replicas = recommended > current ? recommended : Math.min(current, Math.max(...history.map(r => r.replicas)));
  const used = Math.round(reading.averagePercent);
  return { replicas, reason: `cpu ${used}% of ${target}% target over ${reading.measured} measured replica${reading.measured === 1 ? '' : 's'}: ${current} -> ${replicas}` };
}
