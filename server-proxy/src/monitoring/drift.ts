/**
 * Feature and prediction drift of live data against the training baseline (`baseline.json` of a saved
 * model). Pure functions: the caller hands in the baseline and the live columns, and gets the
 * monitoring answer's `drift` object back.
 */
import type { MonitoringSpec } from './recorder.js';
import { binCounts, chiSquaredHomogeneity, jensenShannon, ksTwoSample, psi, sortNumbers, wasserstein1 } from './stats.js';

/** A numeric feature of baseline.json: quantile bins of the training data and a sample of it. */
export interface NumericBaseline {
  name: string;
  kind: 'numeric';
  edges: number[];
  counts: number[];
  sample: number[];
}

/** A categorical feature of baseline.json: training counts per category. */
export interface CategoricalBaseline {
  name: string;
  kind: 'categorical';
  categories: Record<string, number>;
}

export type FeatureBaseline = NumericBaseline | CategoricalBaseline;

/** baseline.json as written by `laketahoe.save_model`. */
export interface Baseline {
  rows: number;
  features: FeatureBaseline[];
  prediction?: FeatureBaseline | null;
}

/** A baseline feature with what drift needs precomputed once (the sorted sample). */
export type PreparedFeature = CategoricalBaseline | (NumericBaseline & { sortedSample: Float64Array });

export type DriftConfig = MonitoringSpec['drift'];

/** Drift of one feature (or of the predictions). */
export interface FeatureDrift {
  name: string;
  kind: 'numeric' | 'categorical';
  /** Numeric: population stability index over the baseline's quantile bins. */
  psi?: number;
  /** Numeric: two-sample Kolmogorov-Smirnov statistic and p-value against the baseline sample. */
  ks?: number;
  ksPValue?: number;
  /** Numeric: Wasserstein-1 distance to the baseline sample, in the feature's units. */
  wasserstein?: number;
  /** Categorical: Jensen-Shannon distance (base 2). */
  js?: number;
  /** Categorical: chi-squared test of homogeneity p-value. */
  chi2PValue?: number;
  /** The configured metric, oriented so that larger means more drift (1 - p for chi2). */
  score: number;
  drifted: boolean;
  /** Live rows with a value for this feature. */
  rows: number;
  baseline: { edges: number[]; counts: number[] } | { categories: Record<string, number> };
  live: { counts: number[] } | { categories: Record<string, number> };
}

/** The `drift` object of the monitoring answer. */
export interface DriftReport {
  time: string;
  rows: number;
  /** Largest feature score; `feature` names it. */
  score: number;
  feature: string | null;
  drifted: boolean;
  metric: { numeric: DriftConfig['numeric']; categorical: DriftConfig['categorical']; threshold: number };
  features: FeatureDrift[];
  prediction: FeatureDrift | null;
}

/** Error naming what is wrong with a baseline file. */
export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/** Checks a parsed baseline.json and precomputes its sorted samples. */
export function prepareBaseline(doc: unknown): { features: PreparedFeature[]; prediction: PreparedFeature | null } {
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as Baseline).features)) {
    throw new BaselineError('baseline: features must be a list');
  }
  const b = doc as Baseline;
  const features = b.features.map((f, i) => prepareFeature(f, `features[${i}]`));
  const prediction = b.prediction ? prepareFeature(b.prediction, 'prediction') : null;
  return { features, prediction };
}

function prepareFeature(f: FeatureBaseline, where: string): PreparedFeature {
  if (!f || typeof f.name !== 'string') {
    throw new BaselineError(`baseline: ${where}.name must be a string`);
  }
  if (f.kind === 'categorical') {
    if (!f.categories || typeof f.categories !== 'object') {
      throw new BaselineError(`baseline: ${where}.categories must be an object`);
    }
    return { name: f.name, kind: 'categorical', categories: { ...f.categories } };
  }
  if (f.kind !== 'numeric') {
    throw new BaselineError(`baseline: ${where}.kind must be numeric or categorical`);
  }
  const numbers = (v: unknown) => Array.isArray(v) && v.every(x => typeof x === 'number' && Number.isFinite(x));
  if (!numbers(f.edges) || f.edges.length < 2 || !numbers(f.counts) || f.counts.length !== f.edges.length - 1) {
    throw new BaselineError(`baseline: ${where} needs k + 1 finite edges and k counts`);
  }
  const sample = numbers(f.sample) ? f.sample : [];
  const sortedSample = sortNumbers(Float64Array.from(sample));
  return { name: f.name, kind: 'numeric', edges: f.edges, counts: f.counts, sample, sortedSample };
}

/**
 * Drift of one numeric feature. `live` holds the live values without NaNs and is sorted in place
 * (the one sort per feature; every statistic after it is a merge or a binary search).
 */
export function numericDrift(base: PreparedFeature & { kind: 'numeric' }, live: Float64Array, config: DriftConfig): FeatureDrift {
  sortNumbers(live);
  const counts = binCounts(live, base.edges);
  const psiValue = psi(base.counts, counts);
  const ks = ksTwoSample(base.sortedSample, live);
  const wasserstein = wasserstein1(base.sortedSample, live);
  const score = config.numeric === 'psi' ? psiValue : config.numeric === 'ks' ? ks.statistic : wasserstein;
  return {
    name: base.name,
    kind: 'numeric',
    psi: psiValue,
    ks: ks.statistic,
    ksPValue: ks.pValue,
    wasserstein,
    score,
    drifted: live.length > 0 && score > config.threshold,
    rows: live.length,
    baseline: { edges: base.edges, counts: base.counts },
    live: { counts }
  };
}

/** Drift of one categorical feature; categories never seen in training count against the live side. */
export function categoricalDrift(base: CategoricalBaseline, live: readonly string[], config: DriftConfig): FeatureDrift {
  const liveCategories: Record<string, number> = {};
  for (const v of live) {
    liveCategories[v] = (liveCategories[v] ?? 0) + 1;
  }
  const names = [...new Set([...Object.keys(base.categories), ...Object.keys(liveCategories)])];
  const expected = names.map(n => base.categories[n] ?? 0);
  const actual = names.map(n => liveCategories[n] ?? 0);
  const js = jensenShannon(expected, actual);
  const chi2 = chiSquaredHomogeneity(expected, actual);
  // A test's p-value falls as drift grows: chi2 drifts below the threshold (a significance level).
  const score = config.categorical === 'js' ? js : 1 - chi2.pValue;
  const drifted = live.length > 0 && (config.categorical === 'js' ? js > config.threshold : chi2.pValue < config.threshold);
  return {
    name: base.name,
    kind: 'categorical',
    js,
    chi2PValue: chi2.pValue,
    score,
    drifted,
    rows: live.length,
    baseline: { categories: base.categories },
    live: { categories: liveCategories }
  };
}

/** Live columns of one window: numeric values (NaN for missing) or category strings (null for missing). */
export interface LiveColumns {
  rows: number;
  numeric(name: string): Float64Array;
  categorical(name: string): string[];
}

/** Drift of one baseline feature against its live column. */
export function featureDrift(base: PreparedFeature, live: LiveColumns, config: DriftConfig): FeatureDrift {
  return base.kind === 'numeric'
    ? numericDrift(base, live.numeric(base.name), config)
    : categoricalDrift(base, live.categorical(base.name), config);
}

/** The deployment's drift: every feature, the largest score (named), and the predictions' drift. */
export function driftReport(
  baseline: { features: PreparedFeature[]; prediction: PreparedFeature | null },
  inputs: LiveColumns,
  predictions: LiveColumns | null,
  config: DriftConfig,
  time: Date
): DriftReport {
  const features = baseline.features.map(f => featureDrift(f, inputs, config));
  let worst: FeatureDrift | null = null;
  for (const f of features) {
    if (f.rows > 0 && (!worst || f.score > worst.score)) {
      worst = f;
    }
  }
  const prediction =
    baseline.prediction && predictions && predictions.rows > 0 ? featureDrift(baseline.prediction, predictions, config) : null;
  return {
    time: time.toISOString(),
    rows: inputs.rows,
    score: worst?.score ?? 0,
    feature: worst?.name ?? null,
    drifted: features.some(f => f.drifted),
    metric: { numeric: config.numeric, categorical: config.categorical, threshold: config.threshold },
    features,
    prediction
  };
}
