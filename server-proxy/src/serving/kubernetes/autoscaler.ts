/**
 * Autoscaling of a Kubernetes deployment by requests in flight, decided by the service: every inference
 * request passes its proxy, so it knows the concurrency exactly and at once, without a metrics pipeline
 * (what Knative's concurrency autoscaler estimates from sidecars, the proxy counts).
 *
 * Every half second the proxy's requests in flight to the serving version are sampled (a sample is at
 * least 1 when any request started since the last one, so fast sequential requests count). The replicas
 * wanted are `ceil(peak / targetInflight)` over the last `scaleDownDelaySeconds`, within min and max: a
 * rise in the peak scales up at the next sample, a fall only once it has lasted the whole window. With
 * `minReplicas` 0 a window without any request scales to zero; the next request then waits for a ready
 * replica instead of failing.
 */
import type { AutoscalingSpec } from '../../schemas/serving.js';

/** Defaults of the optional settings. */
export const AUTOSCALING_DEFAULTS = { targetInflight: 4, scaleDownDelaySeconds: 60 } as const;

/** One sample: requests in flight at `time` (ms). */
export interface InflightSample {
  time: number;
  inflight: number;
}

/** The replicas the samples of the last window call for. */
export function desiredReplicas(spec: AutoscalingSpec, samples: InflightSample[], now: number): number {
  const windowMs = (spec.scaleDownDelaySeconds ?? AUTOSCALING_DEFAULTS.scaleDownDelaySeconds) * 1000;
  const target = spec.targetInflight ?? AUTOSCALING_DEFAULTS.targetInflight;
  let peak = 0;
  for (const s of samples) {
    if (now - s.time <= windowMs) {
      peak = Math.max(peak, s.inflight);
    }
  }
  const wanted = Math.ceil(peak / target);
  // Zero only after a whole window without a request; any traffic keeps one replica.
  const floor = peak > 0 ? Math.max(1, spec.minReplicas) : spec.minReplicas;
  return Math.min(spec.maxReplicas, Math.max(floor, wanted));
}

/** What the autoscaler reads and acts on. */
export interface AutoscalerTarget {
  /** Requests in flight to the serving version now, and requests started so far (a counter). */
  load(): { inflight: number; started: number } | undefined;
  /** Current replicas. */
  replicas(): number;
  /** Sets the replicas (the runner records the reason). */
  scaleTo(replicas: number, reason: string): Promise<void>;
}

/** Samples a deployment's requests in flight and scales it; one decision at a time. */
export class InflightAutoscaler {
  private samples: InflightSample[] = [];
  private lastStarted = 0;
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private spec: AutoscalingSpec,
    private readonly target: AutoscalerTarget,
    private readonly onError: (err: unknown) => void,
    private readonly sampleMs = 500
  ) {}

  /** Starts sampling; the window starts empty, as after a restart nothing is known of the traffic before. */
  start(): void {
    clearInterval(this.timer);
    this.samples = [];
    this.lastStarted = this.target.load()?.started ?? 0;
    // The window starts full of the current replicas' worth of load, so a restart never scales down at once.
    const target = this.spec.targetInflight ?? AUTOSCALING_DEFAULTS.targetInflight;
    this.samples.push({ time: Date.now(), inflight: this.target.replicas() * target });
    this.timer = setInterval(() => void this.tick(), this.sampleMs);
    this.timer.unref();
  }

  /** Changes the settings; the samples so far stay. */
  update(spec: AutoscalingSpec): void {
    this.spec = spec;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    const load = this.target.load();
    if (!load || this.busy) {
      return;
    }
    const now = Date.now();
    const startedSince = load.started - this.lastStarted;
    this.lastStarted = load.started;
    this.samples.push({ time: now, inflight: Math.max(load.inflight, startedSince > 0 ? 1 : 0) });
    const windowMs = (this.spec.scaleDownDelaySeconds ?? AUTOSCALING_DEFAULTS.scaleDownDelaySeconds) * 1000;
    this.samples = this.samples.filter(s => now - s.time <= windowMs);
    const current = this.target.replicas();
    const wanted = desiredReplicas(this.spec, this.samples, now);
    if (wanted === current || (current === 0 && wanted > 0)) {
      // From zero only a waiting request wakes the deployment (requests then reach no endpoint to count).
      return;
    }
    const peak = Math.max(...this.samples.map(s => s.inflight));
    const reason =
      wanted === 0
        ? `scaled to zero: no request for ${windowMs / 1000} s`
        : `autoscaled from ${current} to ${wanted} replicas (peak ${peak} requests in flight, target ${this.spec.targetInflight ?? AUTOSCALING_DEFAULTS.targetInflight} each)`;
    this.busy = true;
    try {
      await this.target.scaleTo(wanted, reason);
    } catch (err) {
      this.onError(err);
    } finally {
      this.busy = false;
    }
  }
}
