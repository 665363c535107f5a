/**
 * The deployment monitor: takes every inference sample from the proxy, keeps request aggregates in
 * time buckets and live rows in sliding windows, computes drift against the training baseline,
 * evaluates alert rules on a timer, and persists and publishes what changed.
 *
 * `record()` only updates memory (a bucket, a histogram, a ring buffer); all I/O happens on the
 * evaluation timer or when a route asks.
 */
import type { EventBus } from '../events.js';
import { transitions, type Alert, type Measurements } from './alerts.js';
import { driftReport, type DriftReport } from './drift.js';
import { emptyWindows, loadModel, PendingRows, queueRows, rowAdmission, type MonitorLog, type WatchedDeployment, type WindowCaps } from './deploymentState.js';
import { PrometheusMetrics, type DeploymentGauges } from './metrics.js';
import type { DeploymentMonitor, InferenceSample, MonitoredDeployment } from './recorder.js';
import { RequestBucket, series, type SeriesPoint } from './requests.js';
import type { MonitorStore } from './store.js';
import { decodeInputs, decodePredictions } from './tensors.js';

/** Tuning of the monitor; the defaults suit the embedded service. */
export interface MonitorOptions {
  store: MonitorStore;
  bus: EventBus;
  log?: MonitorLog;
  /** Clock in epoch ms (tests drive time through it). */
  now?: () => number;
  /** Width of the base request buckets; series steps are multiples of it. Default 10 s. */
  bucketMs?: number;
  /** Row cap of each deployment's input and prediction windows. Default 20,000. */
  maxRows?: number;
  /**
   * Value cap (rows x columns) of one window, so a wide baseline cannot make a deployment's windows
   * take more memory than a narrow one; the row cap shrinks to fit, not below minDriftRows. Default 2,000,000.
   */
  maxCells?: number;
  /** Fewer live rows than this give no drift (too few to tell drift from noise). Default 30. */
  minDriftRows?: number;
  /** Alert evaluation period; 0 disables the timer (evaluate() still works). Default 5 s. */
  evaluateMs?: number;
  /** How long request buckets are kept in the store. Default 7 days. */
  retentionMs?: number;
  /**
   * Replicas share the store: each adds its own requests to the stored buckets, and alert rules see
   * every replica's requests (the window is read from the store).
   */
  sharedHistory?: boolean;
}

/** The answer of `GET /deployments/{name}/monitoring`. */
export interface MonitoringAnswer {
  deployment: string;
  windowSeconds: number;
  step: number;
  series: SeriesPoint[];
  drift: DriftReport | null;
  alerts: Alert[];
}

/** Window used for deployments the monitor does not watch (history from the store only). */
const DEFAULT_WINDOW_SECONDS = 300;
/** Recent buckets stay in memory at least this long, so late samples still land in their bucket. */
const MIN_KEEP_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;

const keyOf = (owner: string, deployment: string) => `${owner}\u0000${deployment}`;

/** Watches deployments; see the module comment. */
export class Monitor implements DeploymentMonitor {
  private readonly watched = new Map<string, WatchedDeployment>();
  private readonly store: MonitorStore;
  private readonly bus: EventBus;
  private readonly now: () => number;
  private readonly bucketMs: number;
  private readonly caps: WindowCaps;
  private readonly evaluateMs: number;
  private readonly retentionMs: number;
  private readonly log?: MonitorOptions['log'];
  private timer?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  private lastPrune = 0;
  private readonly background = new Set<Promise<unknown>>();
  private readonly sharedHistory: boolean;
  /** Prometheus metrics of every owner's deployments. */
  readonly metrics: PrometheusMetrics;
  /** Whether this process evaluates alert rules (only the leader of replicas does, so each fires once). */
  evaluatesAlerts: () => boolean = () => true;

  constructor(options: MonitorOptions) {
    this.store = options.store;
    this.bus = options.bus;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.bucketMs = options.bucketMs ?? 10_000;
    this.caps = { maxRows: options.maxRows ?? 20_000, maxCells: options.maxCells ?? 2_000_000, minDriftRows: options.minDriftRows ?? 30 };
    this.evaluateMs = options.evaluateMs ?? 5_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * HOUR_MS;
    this.sharedHistory = options.sharedHistory ?? false;
    this.metrics = new PrometheusMetrics(owner => this.gauges(owner));
  }

  /** Width of the base buckets in seconds: the smallest series step. */
  get bucketSeconds(): number {
    return this.bucketMs / 1000;
  }

  /** Starts the evaluation timer. */
  start(): void {
    if (this.evaluateMs > 0 && !this.timer) {
      let busy = false;
      this.timer = setInterval(() => {
        // A slow round (a large drift window) must not pile up rounds behind it.
        if (busy) {
          return;
        }
        busy = true;
        this.ticking = this.evaluateAll()
          .catch(err => this.log?.warn({ err }, 'monitoring evaluation failed'))
          .finally(() => {
            busy = false;
          });
      }, this.evaluateMs);
      this.timer.unref();
    }
  }

  /** Stops the timer and writes what is still in memory. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    await this.idle();
    await Promise.all([...this.watched.values()].map(w => this.serialized(w, () => this.flush(w))));
  }

  attach(d: MonitoredDeployment): void {
    const key = keyOf(d.owner, d.deployment);
    const previous = this.watched.get(key);
    const model = loadModel(d, this.log);
    // The same model keeps its live rows; a new version has a new baseline, so its rows start afresh.
    const windows =
      previous && previous.d.model === d.model && previous.d.version === d.version
        ? { inputs: previous.inputs, predictions: previous.predictions }
        : emptyWindows(model.baseline, this.caps);
    const w: WatchedDeployment = {
      d,
      labels: { deployment: d.deployment, model: d.model, version: String(d.version) },
      ...model,
      ...windows,
      admission: rowAdmission(windows, d.monitoring.windowSeconds, this.caps),
      // Request history and open alerts belong to the deployment, whatever version it serves.
      buckets: previous?.buckets ?? new Map(),
      unflushed: previous?.unflushed ?? new Map(),
      pendingRows: windows.inputs === previous?.inputs ? (previous?.pendingRows ?? new PendingRows()) : new PendingRows(),
      firing: previous?.firing ?? new Map(),
      drift: { revision: '', report: null },
      restored: previous?.restored ?? Promise.resolve(),
      chain: previous?.chain ?? Promise.resolve()
    };
    if (!previous) {
      w.restored = this.restore(w);
    }
    this.watched.set(key, w);
  }

  detach(owner: string, deployment: string): void {
    const key = keyOf(owner, deployment);
    const w = this.watched.get(key);
    this.watched.delete(key);
    const forget = async () => {
      await w?.chain;
      await this.store.deleteDeployment(owner, deployment);
      await this.metrics.forget(owner, deployment);
    };
    const task = forget().catch(err => this.log?.warn({ err, deployment }, 'could not delete monitoring data'));
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }

  /** Resolves once deletions started by detach() have finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.background]);
  }

  record(sample: InferenceSample): void {
    const w = this.watched.get(keyOf(sample.owner, sample.deployment));
    if (!w) {
      return;
    }
    try {
      const start = Math.floor(sample.time / this.bucketMs) * this.bucketMs;
      if (start < this.now() - this.keepMs(w)) {
        return; // Its bucket is already written for good; only newer buckets are rewritten.
      }
      let bucket = w.buckets.get(start);
      if (!bucket) {
        bucket = new RequestBucket(start, this.bucketMs);
        w.buckets.set(start, bucket);
      }
      bucket.add(sample.status, sample.latencyMs);
      let unflushed = w.unflushed.get(start);
      if (!unflushed) {
        unflushed = new RequestBucket(start, this.bucketMs);
        w.unflushed.set(start, unflushed);
      }
      unflushed.add(sample.status, sample.latencyMs);
      this.metrics.observeRequest(sample.owner, w.labels, sample.status, sample.latencyMs);
      // Only answered requests had inputs the model accepted; rejected ones would pollute drift. Rows
      // answered by the version being replaced (drained after a switch) belong to another baseline.
      const servedVersion = sample.model === w.d.model && sample.version === w.d.version;
      // At high rates only some requests give rows (see admission.ts); the others are not even parsed.
      if (sample.status < 400 && servedVersion && w.inputs && w.admission.admits(sample.time)) {
        const rows = decodeInputs(sample.inputs, w.inputSignature);
        if (rows) {
          w.inputs.append(sample.time, rows);
          queueRows(w, this.caps.maxRows, 'inputs', sample.time, rows);
        }
        const prediction = w.baseline?.prediction?.name;
        const predicted = prediction && w.predictions ? decodePredictions(sample.outputs, w.outputSignature, prediction) : undefined;
        if (predicted) {
          w.predictions!.append(sample.time, predicted);
          queueRows(w, this.caps.maxRows, 'predictions', sample.time, predicted);
        }
        w.admission.spend(Math.max(rows?.rows ?? 0, predicted?.rows ?? 0));
      }
    } catch (err) {
      // The proxy must never fail because of monitoring.
      this.log?.warn({ err, deployment: sample.deployment }, 'could not record an inference sample');
    }
  }

  /** Whether the deployment is watched. */
  isWatchedDeployment(owner: string, deployment: string): boolean {
    return this.watched.has(keyOf(owner, deployment));
  }

  /** Flushes every deployment's buckets and evaluates its alert rules (the timer's job). */
  async evaluateAll(): Promise<void> {
    for (const w of [...this.watched.values()]) {
      await this.serialized(w, async () => {
        await this.flush(w);
        await this.evaluate(w);
      });
    }
    if (this.now() - this.lastPrune > HOUR_MS) {
      this.lastPrune = this.now();
      await this.store.pruneBuckets(this.now() - this.retentionMs);
    }
  }

  /** The monitoring answer: request series from `sinceMs` at `stepSeconds`, drift now, and alerts. */
  async monitoring(owner: string, deployment: string, sinceMs: number, stepSeconds: number): Promise<MonitoringAnswer> {
    const w = this.watched.get(keyOf(owner, deployment));
    let drift: DriftReport | null = null;
    if (w) {
      await this.serialized(w, async () => {
        await this.flush(w);
        await this.evaluate(w);
      });
      drift = w.drift.report;
    }
    const now = this.now();
    const stepMs = stepSeconds * 1000;
    const records = await this.store.listBuckets(owner, deployment, Math.floor(sinceMs / stepMs) * stepMs, now + 1);
    return {
      deployment,
      windowSeconds: w?.d.monitoring.windowSeconds ?? DEFAULT_WINDOW_SECONDS,
      step: stepSeconds,
      series: series(records.map(RequestBucket.fromRecord), sinceMs, now, stepMs),
      drift,
      alerts: await this.store.listAlerts(owner, deployment, 100)
    };
  }

  /** The deployment's alerts, firing and resolved, newest first. */
  async alerts(owner: string, deployment: string): Promise<Alert[]> {
    return this.store.listAlerts(owner, deployment, 1000);
  }

  /** Runs `fn` after everything already queued for `w`. */
  private serialized<T>(w: WatchedDeployment, fn: () => Promise<T>): Promise<T> {
    const run = w.chain.then(fn, fn);
    w.chain = run.catch(() => undefined);
    return run;
  }

  private keepMs(w: WatchedDeployment): number {
    return Math.max(MIN_KEEP_MS, w.d.monitoring.windowSeconds * 1000 + this.bucketMs);
  }

  /** Reads back recent buckets and open alerts after a restart, merging samples that arrived meanwhile. */
  private async restore(w: WatchedDeployment): Promise<void> {
    const { owner, deployment } = w.d;
    try {
      const now = this.now();
      for (const r of await this.store.listBuckets(owner, deployment, now - this.keepMs(w), now + this.bucketMs)) {
        const stored = RequestBucket.fromRecord(r);
        const live = w.buckets.get(r.start);
        if (live) {
          live.merge(stored);
        } else {
          w.buckets.set(r.start, stored);
        }
      }
      for (const alert of await this.store.firingAlerts(owner, deployment)) {
        w.firing.set(alert.rule, alert);
      }
      // The drift window of the model version served, so drift (and the evidence of a drift alert)
      // is there again at once. Only into empty windows: rows must go in in time order.
      const windowStart = now - w.d.monitoring.windowSeconds * 1000;
      if (w.inputs && w.inputs.rows === 0 && (w.predictions?.rows ?? 0) === 0) {
        for (const batch of await this.store.listRows(owner, deployment, w.d.model, w.d.version, windowStart)) {
          const target = batch.kind === 'inputs' ? w.inputs : w.predictions;
          target?.append(batch.time, {
            rows: batch.rows,
            columns: new Map(
              Object.entries(batch.columns).map(([name, values]) => [
                name,
                values.every(v => typeof v !== 'string') ? values.map(v => (v === null ? Number.NaN : (v as number))) : (values as string[])
              ])
            )
          });
        }
      }
    } catch (err) {
      this.log?.warn({ err, deployment }, 'could not read monitoring history');
    }
  }

  /** Writes changed buckets and new live rows, and forgets buckets too old to change again. */
  private async flush(w: WatchedDeployment): Promise<void> {
    await w.restored;
    if (w.unflushed.size > 0) {
      const taken = [...w.unflushed.values()];
      w.unflushed.clear();
      try {
        await this.store.addBuckets(w.d.owner, w.d.deployment, taken.map(b => b.toRecord()));
      } catch (err) {
        // Added all or nothing: the counts go back for the next flush rather than being lost.
        for (const b of taken) {
          const newer = w.unflushed.get(b.start);
          if (newer) {
            b.merge(newer);
          }
          w.unflushed.set(b.start, b);
        }
        throw err;
      }
    }
    if (w.inputs) {
      const { owner, deployment, model, version } = w.d;
      if (w.pendingRows.length > 0) {
        const rows = w.pendingRows.take();
        await this.store.saveRows(owner, deployment, model, version, rows);
      }
      await this.store.pruneRows(owner, deployment, model, version, this.now() - w.d.monitoring.windowSeconds * 1000);
    }
    const oldest = this.now() - this.keepMs(w);
    for (const start of w.buckets.keys()) {
      if (start < oldest) {
        w.buckets.delete(start);
      }
    }
  }

  /** Current drift of the window (cached while the window is unchanged); null without baseline or rows. */
  private currentDrift(w: WatchedDeployment): DriftReport | null {
    if (!w.baseline || !w.inputs) {
      return null;
    }
    const since = this.now() - w.d.monitoring.windowSeconds * 1000;
    w.inputs.expire(since);
    w.predictions?.expire(since);
    const revision = `${w.inputs.revision}/${w.predictions?.revision ?? 0}/${JSON.stringify(w.d.monitoring.drift)}`;
    if (w.drift.revision !== revision) {
      const report =
        w.inputs.rows < this.caps.minDriftRows
          ? null
          : driftReport(w.baseline, w.inputs, w.predictions, w.d.monitoring.drift, new Date(this.now()));
      w.drift = { revision, report };
    }
    return w.drift.report;
  }

  /** Evaluates the deployment's rules, then persists and publishes each alert that fired or resolved. */
  private async evaluate(w: WatchedDeployment): Promise<void> {
    await w.restored;
    const drift = this.currentDrift(w);
    if (!this.evaluatesAlerts()) {
      return; // Alerts are the leader's: each would fire once per replica otherwise.
    }
    const since = this.now() - w.d.monitoring.windowSeconds * 1000;
    const window = new RequestBucket(since, w.d.monitoring.windowSeconds * 1000);
    const buckets = this.sharedHistory
      ? (await this.store.listBuckets(w.d.owner, w.d.deployment, since - this.bucketMs, this.now() + 1)).map(RequestBucket.fromRecord)
      : w.buckets.values();
    for (const b of buckets) {
      if (b.start + b.widthMs > since) {
        window.merge(b);
      }
    }
    const measurements: Measurements = {
      windowSeconds: w.d.monitoring.windowSeconds,
      drift: drift && { score: drift.score, feature: drift.feature },
      latencyP99Ms: window.latency.total > 0 ? window.latency.quantile(0.99) : null,
      errorRate: window.requests > 0 ? { rate: window.errors / window.requests, errors: window.errors, requests: window.requests } : null
    };
    for (const alert of transitions(w.d.deployment, w.d.monitoring.alerts, w.firing, measurements, new Date(this.now()))) {
      await this.store.saveAlert(w.d.owner, alert);
      if (alert.state === 'firing') {
        w.firing.set(alert.rule, alert);
      } else {
        w.firing.delete(alert.rule);
      }
      this.bus.publish({ type: 'alert', owner: w.d.owner, deployment: w.d.deployment, alert });
    }
  }

  /** Drift and alert state of an owner's deployments, for the Prometheus gauges. */
  private gauges(owner: string): DeploymentGauges[] {
    const out: DeploymentGauges[] = [];
    for (const w of this.watched.values()) {
      if (w.d.owner !== owner) {
        continue;
      }
      const report = w.drift.report;
      out.push({
        labels: w.labels,
        drift: report && { score: report.score, features: report.features.filter(f => f.rows > 0) },
        alerts: w.d.monitoring.alerts.map(r => ({ rule: r.name, metric: r.metric, firing: w.firing.has(r.name) }))
      });
    }
    return out;
  }
}
