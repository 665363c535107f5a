/**
 * Pure helpers of the monitoring view: rows of the drift table and their
 * order, the baseline-vs-live histogram of a feature, and the request
 * series as chart columns.
 */
import { IFeatureDrift, IMonitoringPoint } from '../wire';

/** One row of the per-feature drift table. */
export interface IDriftRow {
  /** Feature name. */
  name: string;
  /** Numeric or categorical. */
  kind: 'numeric' | 'categorical';
  /** The drift score: the configured statistic (PSI, JS distance, ... ). */
  score: number;
  /** Which statistic `score` is. */
  statistic: string;
  /** The test's p-value (KS or chi-squared), when given. */
  pValue: number | null;
  /** Whether the feature drifted. */
  drifted: boolean;
  /** The feature as answered. */
  feature: IFeatureDrift;
}

/** Columns the drift table sorts by. */
export type DriftSortKey = 'name' | 'kind' | 'score' | 'pValue' | 'drifted';

/** A sort order of the drift table. */
export interface IDriftSort {
  /** Column. */
  key: DriftSortKey;
  /** Ascending or descending. */
  direction: 'asc' | 'desc';
}

/** Most drifted first: the order the table opens with. */
export const DEFAULT_DRIFT_SORT: IDriftSort = {
  key: 'score',
  direction: 'desc'
};

/**
 * A table row of a feature's drift: its `score` under the report's
 * statistics, or PSI / JS distance when the answer does not name them.
 */
export function driftRow(
  feature: IFeatureDrift,
  metric?: { numeric: string; categorical: string }
): IDriftRow {
  const numeric = feature.kind !== 'categorical';
  const fallback = numeric ? feature.psi : feature.js;
  const score = typeof feature.score === 'number' ? feature.score : fallback;
  const pValue = numeric ? feature.ksPValue : feature.chi2PValue;
  const statistic =
    typeof feature.score === 'number' && metric
      ? numeric
        ? metric.numeric
        : metric.categorical
      : numeric
        ? 'psi'
        : 'js';
  return {
    name: feature.name,
    kind: numeric ? 'numeric' : 'categorical',
    score: typeof score === 'number' ? score : 0,
    statistic,
    pValue: typeof pValue === 'number' ? pValue : null,
    drifted: !!feature.drifted,
    feature
  };
}

/** Compare two rows on one column; missing p-values sort last. */
function compareOn(a: IDriftRow, b: IDriftRow, key: DriftSortKey): number {
  switch (key) {
    case 'name':
    case 'kind':
      return a[key].localeCompare(b[key]);
    case 'drifted':
      return Number(a.drifted) - Number(b.drifted);
    case 'pValue':
      if (a.pValue === null || b.pValue === null) {
        return a.pValue === b.pValue ? 0 : a.pValue === null ? 1 : -1;
      }
      return a.pValue - b.pValue;
    default:
      return a.score - b.score;
  }
}

/**
 * The drift table's rows in the given order; ties fall back to the feature
 * name so the order is stable.
 */
export function sortDriftRows(
  features: readonly IFeatureDrift[],
  sort: IDriftSort = DEFAULT_DRIFT_SORT,
  metric?: { numeric: string; categorical: string }
): IDriftRow[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  return features
    .map(f => driftRow(f, metric))
    .sort((a, b) => {
      const primary = compareOn(a, b, sort.key);
      if (primary !== 0) {
        // Missing p-values stay last in both directions.
        if (sort.key === 'pValue' && (a.pValue === null || b.pValue === null)) {
          return primary;
        }
        return sign * primary;
      }
      return a.name.localeCompare(b.name);
    });
}

/** The next order when a column header is clicked. */
export function toggleDriftSort(
  current: IDriftSort,
  key: DriftSortKey
): IDriftSort {
  if (current.key === key) {
    return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  }
  // Scores and flags read best most-drifted first; names alphabetically.
  const direction = key === 'name' || key === 'kind' ? 'asc' : 'desc';
  return { key, direction };
}

/** Baseline and live shares per bin, ready to plot side by side. */
export interface IHistogram {
  /** Bin labels: value ranges or categories. */
  labels: string[];
  /** Share of training rows per bin (sums to 1, or all 0 when empty). */
  baseline: number[];
  /** Share of live rows per bin. */
  live: number[];
}

/** Counts as shares of their total. */
function shares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map(c => (total > 0 ? c / total : 0));
}

/** Short label of a number for a bin edge. */
function edgeLabel(value: number): string {
  return Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-3)
    ? value.toExponential(1)
    : String(Number(value.toPrecision(3)));
}

/**
 * The histogram of a feature: numeric features use the baseline's bins
 * (the live counts are over the same edges), categorical ones the union
 * of categories, training order first.
 */
export function featureHistogram(feature: IFeatureDrift): IHistogram {
  if (feature.kind === 'categorical') {
    const base = feature.baseline.categories ?? {};
    const live = feature.live.categories ?? {};
    const labels = [...Object.keys(base)];
    for (const name of Object.keys(live)) {
      if (!(name in base)) {
        labels.push(name);
      }
    }
    return {
      labels,
      baseline: shares(labels.map(l => base[l] ?? 0)),
      live: shares(labels.map(l => live[l] ?? 0))
    };
  }
  const edges = feature.baseline.edges ?? [];
  const baseCounts = feature.baseline.counts ?? [];
  const bins = Math.max(baseCounts.length, feature.live.counts?.length ?? 0);
  const liveCounts = Array.from(
    { length: bins },
    (_, i) => feature.live.counts?.[i] ?? 0
  );
  const labels = Array.from({ length: bins }, (_, i) =>
    edges.length > i + 1
      ? `${edgeLabel(edges[i])}–${edgeLabel(edges[i + 1])}`
      : String(i + 1)
  );
  return {
    labels,
    baseline: shares(
      Array.from({ length: bins }, (_, i) => baseCounts[i] ?? 0)
    ),
    live: shares(liveCounts)
  };
}

/** The request series as chart columns (times in seconds since the epoch). */
export interface IRequestColumns {
  /** Step start times, seconds since the epoch. */
  time: number[];
  /** Requests per second over each step. */
  rate: number[];
  /** Errors per request in each step. */
  errorRate: number[];
  /** Latency percentiles in milliseconds; null in steps without requests. */
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
}

/** Chart columns of a monitoring series with a step of `step` seconds. */
export function requestColumns(
  series: readonly IMonitoringPoint[],
  step: number
): IRequestColumns {
  const seconds = step > 0 ? step : 60;
  const columns: IRequestColumns = {
    time: [],
    rate: [],
    errorRate: [],
    p50: [],
    p95: [],
    p99: []
  };
  for (const point of series) {
    const time = Date.parse(point.time);
    if (Number.isNaN(time)) {
      continue;
    }
    columns.time.push(time / 1000);
    columns.rate.push(point.requests / seconds);
    columns.errorRate.push(point.errorRate ?? 0);
    const latency = point.requests > 0 ? point.latencyMs : null;
    columns.p50.push(latency?.p50 ?? null);
    columns.p95.push(latency?.p95 ?? null);
    columns.p99.push(latency?.p99 ?? null);
  }
  return columns;
}
