/**
 * Data of the trials browser's plots, computed from trials without any
 * chart code, so it is cheap to test and the chart module stays lazy.
 */
import { HpoGoal, IParameterSpec, ITrial, JSONValue } from '../wire';
import { lttb, MAX_CURVE_POINTS, thinScatter } from './downsample';
import { compareIds, objectiveOf } from './trialTable';

/** Optimization history: objective per trial and the best so far. */
export interface IHistoryData {
  /** Trial numbers, ascending. */
  x: number[];
  /** Objective of each trial (null while unknown or failed). */
  objective: (number | null)[];
  /** Best objective among SUCCEEDED trials up to each trial. */
  best: (number | null)[];
}

/** The optimization history of trials in any order. */
export function historyData(
  trials: readonly ITrial[],
  goal: HpoGoal
): IHistoryData {
  const sorted = [...trials].sort((a, b) => compareIds(a.trialId, b.trialId));
  const data: IHistoryData = { x: [], objective: [], best: [] };
  let best: number | null = null;
  for (const trial of sorted) {
    const n = Number(trial.trialId);
    if (!Number.isFinite(n)) {
      continue;
    }
    const value = objectiveOf(trial);
    if (value !== null && trial.state === 'SUCCEEDED') {
      if (
        best === null ||
        (goal === 'MINIMIZE' ? value < best : value > best)
      ) {
        best = value;
      }
    }
    data.x.push(n);
    data.objective.push(value);
    data.best.push(best);
  }
  return thinHistory(data);
}

/**
 * The history with the points a plot can show: objectives thinned to one
 * per pixel cell, the best-so-far line kept where it changes.
 */
export function thinHistory(data: IHistoryData): IHistoryData {
  const n = data.x.length;
  if (n <= 2000) {
    return data;
  }
  const keep = new Uint8Array(n);
  for (const i of thinScatter(data.x, data.objective)) {
    keep[i] = 1;
  }
  keep[0] = 1;
  keep[n - 1] = 1;
  for (let i = 1; i < n; i++) {
    if (data.best[i] !== data.best[i - 1]) {
      keep[i] = 1;
    }
  }
  const thin: IHistoryData = { x: [], objective: [], best: [] };
  for (let i = 0; i < n; i++) {
    if (keep[i]) {
      thin.x.push(data.x[i]);
      thin.objective.push(data.objective[i]);
      thin.best.push(data.best[i]);
    }
  }
  return thin;
}

/** Intermediate values of one trial. */
export interface ICurve {
  /** Trial id. */
  trialId: string;
  /** Steps, ascending. */
  steps: number[];
  /** Values at those steps. */
  values: number[];
  /** Whether early stopping ended the trial. */
  stoppedEarly: boolean;
  /** Whether this is the best trial. */
  best: boolean;
}

/** Most learning curves drawn: the latest ones and the best. */
export const MAX_CURVES = 100;

/**
 * The trials whose learning curves are drawn: the latest `max` with
 * intermediate values, the best among them (in place of the oldest).
 */
export function curveTrials(
  trials: readonly ITrial[],
  bestId: string | null,
  max = MAX_CURVES
): ITrial[] {
  const withValues = trials
    .filter(t => (t.allMetrics?.length ?? 0) > 0)
    .sort((a, b) => compareIds(a.trialId, b.trialId));
  const chosen = withValues.slice(-max);
  const best = withValues.find(t => t.trialId === bestId);
  return best && !chosen.includes(best) ? [best, ...chosen.slice(1)] : chosen;
}

/** Learning curves of the latest trials with intermediate values. */
export function learningCurves(
  trials: readonly ITrial[],
  bestId: string | null,
  max = MAX_CURVES
): ICurve[] {
  return curveTrials(trials, bestId, max).map(t => {
    const points = [...t.allMetrics].sort(
      (a, b) => a.trainingStep - b.trainingStep
    );
    const steps = points.map(p => p.trainingStep);
    const values = points.map(p => p.objectiveValue);
    const kept = lttb(steps, values, MAX_CURVE_POINTS);
    return {
      trialId: t.trialId,
      steps: kept.map(i => steps[i]),
      values: kept.map(i => values[i]),
      stoppedEarly: !!t.isTrialStoppedEarly,
      best: t.trialId === bestId
    };
  });
}

/** One axis of a parameter: numeric (maybe log) or categorical. */
export interface IAxis {
  /** Parameter name, or the metric for the objective axis. */
  name: string;
  /** Categories, in first-seen or spec order, for non-numeric values. */
  categories?: string[];
  /** Numeric range. */
  min: number;
  /** Numeric range. */
  max: number;
  /** Whether the axis is logarithmic. */
  log: boolean;
}

/** Build the axis of a parameter from its spec and the values seen. */
export function parameterAxis(
  name: string,
  values: readonly (JSONValue | undefined)[],
  spec?: IParameterSpec
): IAxis {
  const numeric = values.every(
    v => v === undefined || v === null || typeof v === 'number'
  );
  if (!numeric || spec?.type === 'CATEGORICAL') {
    const categories = [...(spec?.categoricalValues ?? [])];
    for (const v of values) {
      if (v !== undefined && v !== null && !categories.includes(String(v))) {
        categories.push(String(v));
      }
    }
    return { name, categories, min: 0, max: categories.length - 1, log: false };
  }
  const nums = values.filter((v): v is number => typeof v === 'number');
  let min = spec?.minValue ?? Math.min(...nums);
  let max = spec?.maxValue ?? Math.max(...nums);
  for (const n of nums) {
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    min = 0;
    max = 1;
  }
  const log =
    (spec?.scaleType === 'UNIT_LOG_SCALE' ||
      spec?.scaleType === 'UNIT_REVERSE_LOG_SCALE') &&
    min > 0;
  return { name, min, max, log };
}

/** Position of a value on an axis, 0..1, or null when it has none. */
export function axisPosition(
  axis: IAxis,
  value: JSONValue | undefined
): number | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (axis.categories) {
    const i = axis.categories.indexOf(String(value));
    if (i < 0) {
      return null;
    }
    return axis.categories.length === 1
      ? 0.5
      : i / (axis.categories.length - 1);
  }
  if (typeof value !== 'number') {
    return null;
  }
  if (axis.max === axis.min) {
    return 0.5;
  }
  if (axis.log) {
    return (
      (Math.log(value) - Math.log(axis.min)) /
      (Math.log(axis.max) - Math.log(axis.min))
    );
  }
  return (value - axis.min) / (axis.max - axis.min);
}

/** One trial in the parallel coordinates plot. */
export interface IParallelLine {
  /** Trial id. */
  trialId: string;
  /** Position on each axis (0..1), null when missing. */
  positions: (number | null)[];
  /** Objective rank, 0 worst .. 1 best, for the color. */
  quality: number;
  /** Whether this is the best trial. */
  best: boolean;
}

/** Axes (parameters, then the objective) and lines of finished trials. */
export function parallelData(
  trials: readonly ITrial[],
  names: readonly string[],
  specs: readonly IParameterSpec[],
  goal: HpoGoal,
  metric: string,
  bestId: string | null
): { axes: IAxis[]; lines: IParallelLine[] } {
  const done = trials.filter(t => objectiveOf(t) !== null);
  const axes = names.map(name =>
    parameterAxis(
      name,
      done.map(t => t.hyperparameters?.[name]),
      specs.find(s => s.parameterName === name)
    )
  );
  const objectives = done.map(t => objectiveOf(t) as number);
  axes.push({
    name: metric || 'objective',
    min: objectives.length ? Math.min(...objectives) : 0,
    max: objectives.length ? Math.max(...objectives) : 1,
    log: false
  });
  // Rank-based colors stay readable with outliers.
  const order = objectives
    .map((v, i) => i)
    .sort((a, b) => objectives[a] - objectives[b]);
  const rank = new Array<number>(objectives.length);
  order.forEach((index, r) => {
    rank[index] = objectives.length > 1 ? r / (objectives.length - 1) : 1;
  });
  const lines = parallelSample(
    done.map((t, i) => (goal === 'MINIMIZE' ? 1 - rank[i] : rank[i])),
    done.findIndex(t => t.trialId === bestId)
  ).map(i => {
    const t = done[i];
    return {
      trialId: t.trialId,
      positions: [
        ...names.map((name, a) =>
          axisPosition(axes[a], t.hyperparameters?.[name])
        ),
        axisPosition(axes[axes.length - 1], objectives[i])
      ],
      quality: goal === 'MINIMIZE' ? 1 - rank[i] : rank[i],
      best: t.trialId === bestId
    };
  });
  return { axes, lines };
}

/** Most lines a parallel coordinates plot draws. */
export const MAX_PARALLEL_LINES = 1500;

/**
 * Which lines to draw, worst first so the best end on top: every line up
 * to {@link MAX_PARALLEL_LINES}; past that the best quarter of them and an
 * even sample of the rest by rank (the spread stays visible, the many
 * faint lines of poor trials thin out), and always the best trial.
 */
export function parallelSample(
  quality: readonly number[],
  bestIndex: number,
  max = MAX_PARALLEL_LINES
): number[] {
  const order = quality
    .map((_, i) => i)
    .sort((a, b) => quality[a] - quality[b]);
  if (order.length <= max) {
    return order;
  }
  const top = Math.floor(max / 4);
  const rest = order.length - top;
  const sampled: number[] = [];
  const stride = rest / (max - top);
  for (let k = 0; k < max - top; k++) {
    sampled.push(order[Math.floor(k * stride)]);
  }
  const chosen = [...sampled, ...order.slice(rest)];
  if (bestIndex >= 0 && !chosen.includes(bestIndex)) {
    chosen.push(bestIndex);
  }
  return chosen;
}

/** Objective against one parameter. */
export interface ISlice {
  /** The parameter's axis. */
  axis: IAxis;
  /** Parameter values (category indices for categorical), ascending. */
  x: number[];
  /** Objectives aligned with `x`. */
  y: number[];
}

/** One slice per parameter, over trials with an objective. */
export function sliceData(
  trials: readonly ITrial[],
  names: readonly string[],
  specs: readonly IParameterSpec[]
): ISlice[] {
  const done = trials.filter(t => objectiveOf(t) !== null);
  return names.map(name => {
    const axis = parameterAxis(
      name,
      done.map(t => t.hyperparameters?.[name]),
      specs.find(s => s.parameterName === name)
    );
    const points: [number, number][] = [];
    for (const t of done) {
      const v = t.hyperparameters?.[name];
      let x: number | null = null;
      if (axis.categories) {
        const i =
          v === undefined || v === null
            ? -1
            : axis.categories.indexOf(String(v));
        x = i >= 0 ? i : null;
      } else if (typeof v === 'number' && (!axis.log || v > 0)) {
        x = v;
      }
      if (x !== null) {
        points.push([x, objectiveOf(t) as number]);
      }
    }
    points.sort((a, b) => a[0] - b[0]);
    const x = points.map(p => p[0]);
    const y = points.map(p => p[1]);
    if (points.length <= 2000) {
      return { axis, x, y };
    }
    // One point per pixel cell: the plot could not show more.
    const kept = thinScatter(x, y, axis.log);
    return { axis, x: kept.map(i => x[i]), y: kept.map(i => y[i]) };
  });
}
