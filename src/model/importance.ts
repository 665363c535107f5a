/**
 * A light, documented estimate of hyperparameter importance.
 *
 * For each parameter, the finished trials are grouped by its value
 * (categorical values as they are; numbers into equal-count bins by rank,
 * so the estimate is the same on a linear or a log scale), and we measure
 * how much of the objective's variance the groups explain: the correlation
 * ratio eta² = SS_between / SS_total, corrected for the number of groups
 * (epsilon², which subtracts what k groups explain by chance). This is the
 * one-parameter part of an fANOVA decomposition on binned means, without a
 * surrogate model: interactions are not captured, and with few trials the
 * numbers are rough. Values are clipped at 0 and also reported normalized
 * to sum to 1.
 */
import { JSONValue } from '../wire';

/** One trial's point for the estimate. */
export interface IImportanceSample {
  /** Parameter values by name. */
  params: { [name: string]: JSONValue | undefined };
  /** Objective value. */
  objective: number;
}

/** Importance of one parameter. */
export interface IParameterImportance {
  /** Parameter name. */
  name: string;
  /** Bias-corrected share of variance explained, 0..1. */
  score: number;
  /** `score` normalized over every parameter (sums to 1 when any > 0). */
  share: number;
  /** Groups the values fell into. */
  groups: number;
}

/** Fewest samples for which an estimate is given. */
export const MIN_IMPORTANCE_SAMPLES = 3;

/** Number of rank bins for n numeric samples: about sqrt(n), 2 to 10. */
export function binCount(n: number): number {
  return Math.max(2, Math.min(10, Math.round(Math.sqrt(n))));
}

/**
 * Group labels of numeric values: equal-count bins by rank; equal values
 * always share a bin.
 */
export function rankBins(values: readonly number[], bins: number): number[] {
  const order = values.map((v, i) => i).sort((a, b) => values[a] - values[b]);
  const labels = new Array<number>(values.length);
  let previous: number | undefined;
  let previousLabel = 0;
  order.forEach((index, rank) => {
    const value = values[index];
    const label =
      previous !== undefined && value === previous
        ? previousLabel
        : Math.floor((rank * bins) / values.length);
    labels[index] = label;
    previous = value;
    previousLabel = label;
  });
  return labels;
}

/**
 * Bias-corrected correlation ratio (epsilon²) of `y` grouped by `groups`;
 * 0 when the groups explain nothing or there is no variance.
 */
export function correlationRatio(
  groups: readonly (string | number)[],
  y: readonly number[]
): { score: number; groups: number } {
  const n = y.length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const sums = new Map<string | number, { sum: number; count: number }>();
  groups.forEach((g, i) => {
    const entry = sums.get(g) ?? { sum: 0, count: 0 };
    entry.sum += y[i];
    entry.count += 1;
    sums.set(g, entry);
  });
  const k = sums.size;
  let total = 0;
  for (const v of y) {
    total += (v - mean) ** 2;
  }
  if (total <= 0 || k < 2 || n <= k) {
    return { score: 0, groups: k };
  }
  let between = 0;
  for (const { sum, count } of sums.values()) {
    between += count * (sum / count - mean) ** 2;
  }
  const within = total - between;
  const meanSquareWithin = within / (n - k);
  const score = (between - (k - 1) * meanSquareWithin) / total;
  return { score: Math.max(0, Math.min(1, score)), groups: k };
}

/** Importance of each parameter, in the order of `names`. */
export function parameterImportance(
  samples: readonly IImportanceSample[],
  names: readonly string[]
): IParameterImportance[] {
  const usable = samples.filter(s => Number.isFinite(s.objective));
  const results = names.map(name => {
    const rows = usable.filter(
      s => s.params[name] !== undefined && s.params[name] !== null
    );
    if (rows.length < MIN_IMPORTANCE_SAMPLES) {
      return { name, score: 0, share: 0, groups: 0 };
    }
    const values = rows.map(s => s.params[name]);
    const y = rows.map(s => s.objective);
    const numeric = values.every(v => typeof v === 'number');
    let groups: (string | number)[];
    if (numeric) {
      const distinct = new Set(values as number[]).size;
      groups =
        distinct <= binCount(rows.length)
          ? (values as number[])
          : rankBins(values as number[], binCount(rows.length));
    } else {
      groups = values.map(v => JSON.stringify(v));
    }
    const { score, groups: k } = correlationRatio(groups, y);
    return { name, score, share: 0, groups: k };
  });
  const sum = results.reduce((a, r) => a + r.score, 0);
  for (const r of results) {
    r.share = sum > 0 ? r.score / sum : 0;
  }
  return results;
}
