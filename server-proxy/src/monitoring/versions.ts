/**
 * Champion and challengers side by side: per served version of a deployment, requests, errors, latency
 * percentiles and the distribution of predictions; in shadow mode, how often each challenger agrees with
 * the champion and the last few pairs of answers. Kept in memory (it is a comparison for the decision to promote, not the
 * deployment's history, which the monitor keeps), and fed only while a deployment has a ready challenger.
 */
import type { InferenceTensor } from './recorder.js';
import { flatValues } from './tensors.js';

/** Latencies kept per version for percentiles. */
const LATENCY_SAMPLES = 5000;
/** Shadow answer pairs kept per deployment. */
const SHADOW_PAIRS = 50;
/** Distinct prediction values listed before the rest is counted as "other". */
const MAX_CLASSES = 20;

/** What one answered request tells about the version that answered it. */
export interface VersionSample {
  model: string;
  version: number;
  role: 'champion' | 'challenger';
  /** Whether the answer went back to the caller (false: a shadow copy). */
  returned: boolean;
  latencyMs: number;
  status: number;
  outputs?: InferenceTensor[];
}

/** One version's figures. */
export interface VersionSummary {
  model: string;
  version: number;
  role: 'champion' | 'challenger';
  requests: number;
  /** Requests whose answer went to the caller (the rest were shadow copies). */
  returned: number;
  errors: number;
  errorRate: number;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** Count per predicted value of the first output (top values; the rest as `other`). */
  predictions: { value: string; count: number }[];
  /** Mean of the first output's numeric values, null when none. */
  predictionMean: number | null;
  /** A challenger's shadow copies compared with the champion's answers (null for the champion). */
  agreement: Agreement | null;
  /** A challenger: Jensen-Shannon distance of its predictions from the champion's (null for the champion or without answers). */
  predictionDrift: number | null;
}

/** How many shadow answers were compared with the champion's, and how many agreed. */
export interface Agreement {
  compared: number;
  agreed: number;
  rate: number | null;
}

/** One shadow request: the champion's and one challenger's answer, and whether they agreed. */
export interface ShadowPair {
  time: string;
  /** The challenger's version. */
  version: number;
  champion: unknown[] | null;
  challenger: unknown[] | null;
  agree: boolean;
}

/** The comparison of one deployment. */
export interface VersionComparison {
  versions: VersionSummary[];
  /** Every challenger's shadow comparisons together. */
  agreement: Agreement;
  /** Shadow copies dropped because a challenger had too many in flight. */
  shadowDropped: number;
  /** The largest Jensen-Shannon distance of a challenger's predictions from the champion's (0 same, 1 disjoint). */
  predictionDrift: number | null;
  recentShadow: ShadowPair[];
}

class VersionStats {
  requests = 0;
  returned = 0;
  errors = 0;
  private readonly latencies: number[] = [];
  private next = 0;
  readonly classes = new Map<string, number>();
  private sum = 0;
  private numeric = 0;
  compared = 0;
  agreed = 0;

  constructor(
    readonly model: string,
    readonly version: number,
    public role: 'champion' | 'challenger'
  ) {}

  add(s: VersionSample): void {
    this.requests += 1;
    if (s.returned) {
      this.returned += 1;
    }
    if (s.status >= 400) {
      this.errors += 1;
    }
    if (this.latencies.length < LATENCY_SAMPLES) {
      this.latencies.push(s.latencyMs);
    } else {
      this.latencies[this.next] = s.latencyMs;
      this.next = (this.next + 1) % LATENCY_SAMPLES;
    }
    for (const value of firstOutput(s.outputs) ?? []) {
      const key = predictionKey(value);
      if (this.classes.has(key) || this.classes.size < MAX_CLASSES) {
        this.classes.set(key, (this.classes.get(key) ?? 0) + 1);
      } else {
        this.classes.set('other', (this.classes.get('other') ?? 0) + 1);
      }
      if (typeof value === 'number' && Number.isFinite(value)) {
        this.sum += value;
        this.numeric += 1;
      }
    }
  }

  summary(champion: VersionStats | undefined): VersionSummary {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const pct = (p: number) => (sorted.length ? round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]) : null);
    return {
      model: this.model,
      version: this.version,
      role: this.role,
      requests: this.requests,
      returned: this.returned,
      errors: this.errors,
      errorRate: this.requests ? this.errors / this.requests : 0,
      latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99) },
      predictions: [...this.classes].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count),
      predictionMean: this.numeric ? this.sum / this.numeric : null,
      agreement: this.role === 'challenger' ? agreement(this.compared, this.agreed) : null,
      predictionDrift: this.role === 'challenger' && champion ? jsDistance(champion.classes, this.classes) : null
    };
  }
}

interface DeploymentStats {
  versions: Map<number, VersionStats>;
  dropped: number;
  pairs: ShadowPair[];
}

function agreement(compared: number, agreed: number): Agreement {
  return { compared, agreed, rate: compared ? agreed / compared : null };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function firstOutput(outputs: InferenceTensor[] | undefined): unknown[] | undefined {
  const data = outputs?.[0]?.data;
  return Array.isArray(data) ? flatValues(data) : undefined;
}

/** Numbers are compared at 6 significant digits so float noise does not count as a disagreement. */
function predictionKey(value: unknown): string {
  if (Number.isInteger(value) && Math.abs(value as number) < 1e6) {
    return String(value); // Class labels: at most 6 digits already, the same key without the rounding.
  }
  return typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value);
}

/** Whether two answers agree: the same first-output values (numbers at 6 significant digits). */
export function answersAgree(a: InferenceTensor[] | undefined, b: InferenceTensor[] | undefined): boolean {
  const x = firstOutput(a);
  const y = firstOutput(b);
  if (!x || !y || x.length !== y.length) {
    return false;
  }
  return x.every((v, i) => predictionKey(v) === predictionKey(y[i]));
}

/** Jensen-Shannon distance (base 2, square root of the divergence) between two count tables. */
export function jsDistance(p: Map<string, number>, q: Map<string, number>): number | null {
  const np = [...p.values()].reduce((a, b) => a + b, 0);
  const nq = [...q.values()].reduce((a, b) => a + b, 0);
  if (!np || !nq) {
    return null;
  }
  let div = 0;
  for (const key of new Set([...p.keys(), ...q.keys()])) {
    const a = (p.get(key) ?? 0) / np;
    const b = (q.get(key) ?? 0) / nq;
    const m = (a + b) / 2;
    if (a > 0) {
      div += 0.5 * a * Math.log2(a / m);
    }
    if (b > 0) {
      div += 0.5 * b * Math.log2(b / m);
    }
  }
  return round(Math.sqrt(Math.max(0, div)));
}

/** Per-version figures of every deployment that has (had) a challenger, fed by the inference proxy. */
export class VersionMonitor {
  private readonly deployments = new Map<string, DeploymentStats>();

  private stats(key: string): DeploymentStats {
    let d = this.deployments.get(key);
    if (!d) {
      d = { versions: new Map(), dropped: 0, pairs: [] };
      this.deployments.set(key, d);
    }
    return d;
  }

  /** The figures of one version (a deployment serves one model, so the version names it). */
  private version(d: DeploymentStats, model: string, version: number, role: VersionSample['role']): VersionStats {
    let v = d.versions.get(version);
    if (!v) {
      v = new VersionStats(model, version, role);
      d.versions.set(version, v);
    }
    return v;
  }

  /** Counts one answer of one version. */
  record(key: string, s: VersionSample): void {
    const v = this.version(this.stats(key), s.model, s.version, s.role);
    v.role = s.role;
    v.add(s);
  }

  /** Records one shadow pair: the champion's answer (returned) and challenger `version`'s (only recorded). */
  recordShadow(key: string, version: number, champion: InferenceTensor[] | undefined, challenger: InferenceTensor[] | undefined, challengerOk: boolean): void {
    const d = this.stats(key);
    const agree = challengerOk && answersAgree(champion, challenger);
    const v = d.versions.get(version);
    if (v) {
      v.compared += 1;
      v.agreed += agree ? 1 : 0;
    }
    d.pairs.push({ time: new Date().toISOString(), version, champion: firstOutput(champion) ?? null, challenger: firstOutput(challenger) ?? null, agree });
    if (d.pairs.length > SHADOW_PAIRS) {
      d.pairs.shift();
    }
  }

  /** Counts a shadow copy that was not sent. */
  dropped(key: string): void {
    this.stats(key).dropped += 1;
  }

  /** The comparison of a deployment (empty before its first request answered beside a ready challenger). */
  summary(key: string): VersionComparison {
    const d = this.deployments.get(key);
    if (!d) {
      return { versions: [], agreement: { compared: 0, agreed: 0, rate: null }, shadowDropped: 0, predictionDrift: null, recentShadow: [] };
    }
    const versions = [...d.versions.values()];
    const champion = versions.find(v => v.role === 'champion');
    const summaries = versions.map(v => v.summary(champion)).sort((a, b) => (a.role === b.role ? a.version - b.version : a.role === 'champion' ? -1 : 1));
    const challengers = summaries.filter(v => v.role === 'challenger');
    const compared = challengers.reduce((n, v) => n + v.agreement!.compared, 0);
    const agreed = challengers.reduce((n, v) => n + v.agreement!.agreed, 0);
    const drifts = challengers.map(v => v.predictionDrift).filter((x): x is number => x !== null);
    return {
      versions: summaries,
      agreement: agreement(compared, agreed),
      shadowDropped: d.dropped,
      predictionDrift: drifts.length ? Math.max(...drifts) : null,
      recentShadow: [...d.pairs]
    };
  }

  /** Starts the comparison afresh (challengers added or removed, or after a promotion). */
  reset(key: string): void {
    this.deployments.delete(key);
  }
}
