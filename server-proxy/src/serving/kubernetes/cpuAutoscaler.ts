/**
 * Autoscaling by CPU: every sample the serving version's replicas' CPU use is read from a
 * {@link CpuUsageSource} and the rule of cpuDecision.ts applied. A sample comes every quarter of the
 * scale-down window (1 to 15 s, 15 s being the HorizontalPodAutoscaler's own period), so a short window
 * still sees several readings before replicas go.
 */
import type { AutoscalingSpec } from '../../schemas/serving.js';
import { AUTOSCALING_DEFAULTS } from './autoscaler.js';
import { decideCpuReplicas, type Recommendation } from './cpuDecision.js';
import type { CpuUsageSource } from './cpuUsage.js';

/** What the CPU autoscaler reads and acts on. */
export interface CpuAutoscalerTarget {
  /** Where the serving version's pods are; undefined while none serves (nothing to decide then). */
  version(): { namespace: string; objectName: string } | undefined;
  /** CPU cores each replica requests: use is a percent of it. */
  cpuRequest(): number;
  replicas(): number;
  /** Sets the replicas (the runner records the reason). */
  scaleTo(replicas: number, reason: string): Promise<void>;
}

/** Milliseconds between samples for a spec. */
export function cpuSampleMs(spec: AutoscalingSpec): number {
  const windowMs = (spec.scaleDownDelaySeconds ?? AUTOSCALING_DEFAULTS.scaleDownDelaySeconds) * 1000;
  return Math.min(15_000, Math.max(1000, Math.floor(windowMs / 4)));
}

/** Reads a deployment's CPU use and scales it; one decision at a time. */
export class CpuAutoscaler {
  private history: Recommendation[] = [];
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private spec: AutoscalingSpec,
    private readonly target: CpuAutoscalerTarget,
    private readonly source: CpuUsageSource,
    private readonly onError: (err: unknown) => void
  ) {}

  /** Starts sampling with an empty window. */
  start(): void {
    this.stop();
    this.history = [];
    this.schedule();
  }

  /** Changes the settings (the sample period follows the new window); the recommendations so far stay. */
  update(spec: AutoscalingSpec): void {
    const period = cpuSampleMs(this.spec);
    this.spec = spec;
    if (this.timer && cpuSampleMs(spec) !== period) {
      this.stop();
      this.schedule();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setInterval(() => void this.tick(), cpuSampleMs(this.spec));
    this.timer.unref();
  }

  /** One sample and decision (public for tests that drive time themselves). */
  async tick(now = Date.now()): Promise<void> {
    const version = this.target.version();
    if (!version || this.busy) {
      return;
    }
    this.busy = true;
    try {
      const usage = await this.source.read(version.namespace, version.objectName);
      if (!usage || usage.length === 0) {
        return; // Nothing measured yet (or no source): no decision rather than a guess.
      }
      const averagePercent = (100 * usage.reduce((sum, u) => sum + u.cores, 0)) / usage.length / this.target.cpuRequest();
      const current = this.target.replicas();
      const decision = decideCpuReplicas(this.spec, current, { measured: usage.length, averagePercent }, this.history, now);
      if (decision.replicas !== current) {
        await this.target.scaleTo(decision.replicas, decision.reason);
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.busy = false;
    }
  }
}
