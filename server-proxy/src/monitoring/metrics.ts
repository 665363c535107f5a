/**
 * Prometheus metrics of the deployments, one prom-client registry per owner so that `/metrics`
 * shows a caller only their own deployments.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Labels every series of one deployment carries. */
export interface DeploymentLabels {
  deployment: string;
  model: string;
  version: string;
}

/** Latency buckets in seconds, from 1 ms to 10 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What the gauges show for one deployment, read from the monitor at scrape time. */
export interface DeploymentGauges {
  labels: DeploymentLabels;
  drift: { score: number; features: readonly { name: string; score: number }[] } | null;
  alerts: readonly { rule: string; metric: string; firing: boolean }[];
}

/** The metrics of one owner's deployments. */
class OwnerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'laketahoe_inference_requests_total',
    help: 'Inference requests answered, by status class (2xx, 4xx, 5xx)',
    labelNames: ['deployment', 'model', 'version', 'status_class'] as const,
    registers: [this.registry]
  });
  readonly latency = new Histogram({
    name: 'laketahoe_inference_latency_seconds',
    help: 'Inference latency from arrival to the last byte of the answer',
    labelNames: ['deployment', 'model', 'version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry]
  });

  constructor(gauges: () => DeploymentGauges[]) {
    // Gauges are filled when scraped from the monitor's current state, so they never go stale.
    const featureDrift: Gauge<'deployment' | 'model' | 'version' | 'feature'> = new Gauge({
      name: 'laketahoe_feature_drift_score',
      help: "Drift score of one feature against the training baseline (the deployment's configured metric)",
      labelNames: ['deployment', 'model', 'version', 'feature'] as const,
      registers: [this.registry],
      collect: () => {
        featureDrift.reset();
        for (const g of gauges()) {
          g.drift?.features.forEach(f => featureDrift.set({ ...g.labels, feature: f.name }, f.score));
        }
      }
    });
    const drift: Gauge<'deployment' | 'model' | 'version'> = new Gauge({
      name: 'laketahoe_drift_score',
      help: 'Largest feature drift score of the deployment',
      labelNames: ['deployment', 'model', 'version'] as const,
      registers: [this.registry],
      collect: () => {
        drift.reset();
        for (const g of gauges()) {
          if (g.drift) drift.set(g.labels, g.drift.score);
        }
      }
    });
    const alerts: Gauge<'deployment' | 'model' | 'version' | 'rule' | 'metric'> = new Gauge({
      name: 'laketahoe_alert_firing',
      help: 'Whether an alert rule is firing (1) or not (0)',
      labelNames: ['deployment', 'model', 'version', 'rule', 'metric'] as const,
      registers: [this.registry],
      collect: () => {
        alerts.reset();
        for (const g of gauges()) {
          g.alerts.forEach(a => alerts.set({ ...g.labels, rule: a.rule, metric: a.metric }, a.firing ? 1 : 0));
        }
      }
    });
  }
}

/** Status class label of an HTTP status. */
function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/** Latencies held per deployment version before they are handed to prom-client without waiting for a scrape. */
const MAX_HELD_LATENCIES = 1024;

/** Requests of one deployment version observed since the metrics were last brought up to date. */
interface HeldRequests {
  owner: string;
  /** Requests by status class. */
  byClass: Map<string, number>;
  /** Latencies in seconds. */
  latencies: number[];
}

/** All owners' Prometheus metrics. */
export class PrometheusMetrics {
  private readonly owners = new Map<string, OwnerMetrics>();
  /** Counter labels per deployment labels (the monitor keeps one labels object per watched version). */
  private readonly withStatusClass = new WeakMap<DeploymentLabels, Map<string, DeploymentLabels & { status_class: string }>>();
  /**
   * Requests not yet in prom-client's series, by the version's labels object. Updating a labelled series
   * builds a key from its labels each time, a good part of what recording a request cost; held here,
   * they are added together when scraped (or when many are held), which comes to the same series.
   */
  private readonly held = new Map<DeploymentLabels, HeldRequests>();

  /** `gauges` tells, for an owner, the current drift and alert state of each of their deployments. */
  constructor(private readonly gauges: (owner: string) => DeploymentGauges[]) {}

  private of(owner: string): OwnerMetrics {
    let m = this.owners.get(owner);
    if (!m) {
      m = new OwnerMetrics(() => this.gauges(owner));
      this.owners.set(owner, m);
    }
    return m;
  }

  /** Counts one request and observes its latency. */
  observeRequest(owner: string, labels: DeploymentLabels, status: number, latencyMs: number): void {
    let held = this.held.get(labels);
    if (!held) {
      held = { owner, byClass: new Map(), latencies: [] };
      this.held.set(labels, held);
    }
    const cls = statusClass(status);
    held.byClass.set(cls, (held.byClass.get(cls) ?? 0) + 1);
    if (Number.isFinite(latencyMs) && latencyMs >= 0 && held.latencies.push(latencyMs / 1000) >= MAX_HELD_LATENCIES) {
      this.bringUpToDate();
    }
  }

  /** Adds every held request to prom-client's series. */
  private bringUpToDate(): void {
    for (const [labels, { owner, byClass, latencies }] of this.held) {
      const m = this.of(owner);
      for (const [cls, count] of byClass) {
        m.requests.inc(this.requestLabels(labels, cls), count);
      }
      for (const seconds of latencies) {
        m.latency.observe(labels, seconds);
      }
    }
    this.held.clear();
  }

  /** The counter's labels of a deployment and status class, made once rather than per request. */
  private requestLabels(labels: DeploymentLabels, statusClass: string): DeploymentLabels & { status_class: string } {
    let byClass = this.withStatusClass.get(labels);
    if (!byClass) {
      byClass = new Map();
      this.withStatusClass.set(labels, byClass);
    }
    let withClass = byClass.get(statusClass);
    if (!withClass) {
      withClass = { ...labels, status_class: statusClass };
      byClass.set(statusClass, withClass);
    }
    return withClass;
  }

  /** Removes the request series of a deployment (every version and status class). */
  async forget(owner: string, deployment: string): Promise<void> {
    this.bringUpToDate();
    const m = this.owners.get(owner);
    if (!m) {
      return;
    }
    for (const metric of [m.requests, m.latency] as const) {
      const { values } = await metric.get();
      for (const v of values) {
        if (v.labels.deployment === deployment) {
          // Histogram values carry `le`; remove() wants the series' own labels only.
          const { le: _le, ...labels } = v.labels as Record<string, string | number>;
          metric.remove(labels);
        }
      }
    }
    if (this.gauges(owner).length === 0) {
      this.owners.delete(owner);
    }
  }

  /** Exposition text of the owner's metrics (empty when they have none). */
  async text(owner: string): Promise<string> {
    this.bringUpToDate();
    // Only owners with deployments get a registry: any caller may scrape, and one per caller would pile up.
    const m = this.owners.get(owner) ?? (this.gauges(owner).length > 0 ? this.of(owner) : undefined);
    return m ? m.registry.metrics() : '';
  }

  /** The content type of the exposition format. */
  readonly contentType = new Registry().contentType;
}
