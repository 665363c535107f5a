import type { Assignment, ParameterSpec, ParamValue, ScaleType } from './types.js';

/** A numeric (DOUBLE or INTEGER) parameter with its search interval. */
export interface NumericDim {
  kind: 'numeric';
  name: string;
  integer: boolean;
  min: number;
  max: number;
  /** Interval searched on the unit scale; INTEGER pads by 0.5 so end values get a full cell. */
  lo: number;
  hi: number;
  scale: ScaleType;
}

/** A DISCRETE parameter. */
export interface DiscreteDim {
  kind: 'discrete';
  name: string;
  values: number[];
  /** Each value's position in [0, 1] on the parameter's scale (model features). */
  positions: number[];
}

/** A CATEGORICAL parameter. */
export interface CategoricalDim {
  kind: 'categorical';
  name: string;
  values: string[];
}

/** One parameter of a resolved search space. */
export type Dim = NumericDim | DiscreteDim | CategoricalDim;

/**
 * A validated search space with the two coordinate systems the algorithms use:
 * unit coordinates (one number in [0, 1] per parameter, for sampling and local
 * moves) and model features (one per numeric parameter plus one-hot columns
 * per categorical, for the Gaussian process).
 */
export interface SearchSpace {
  dims: Dim[];
  /** Number of model features. */
  featureDim: number;
  /** Feature column where each parameter starts. */
  featureOffset: number[];
}

/**
 * Builds a search space from parameter specs that passed
 * `validateHyperparameterSpec`.
 */
export function resolveSpace(params: readonly ParameterSpec[]): SearchSpace {
  const dims: Dim[] = params.map((p): Dim => {
    const scale: ScaleType = p.scaleType ?? 'UNIT_LINEAR_SCALE';
    if (p.type === 'CATEGORICAL') {
      return { kind: 'categorical', name: p.parameterName, values: [...(p.categoricalValues ?? [])] };
    }
    if (p.type === 'DISCRETE') {
      const values = [...(p.discreteValues ?? [])];
      const first = values[0];
      const last = values[values.length - 1];
      const positions = values.map((v) => (values.length === 1 ? 0.5 : toUnitScale(v, first, last, scale)));
      return { kind: 'discrete', name: p.parameterName, values, positions };
    }
    const min = p.minValue ?? 0;
    const max = p.maxValue ?? 1;
    const integer = p.type === 'INTEGER';
    return {
      kind: 'numeric',
      name: p.parameterName,
      integer,
      min,
      max,
      lo: integer ? min - 0.5 : min,
      hi: integer ? max + 0.5 : max,
      scale
    };
  });
  const featureOffset: number[] = [];
  let featureDim = 0;
  for (const d of dims) {
    featureOffset.push(featureDim);
    featureDim += d.kind === 'categorical' ? d.values.length : 1;
  }
  return { dims, featureDim, featureOffset };
}

/** Maps v in [lo, hi] to [0, 1] on the given scale. */
export function toUnitScale(v: number, lo: number, hi: number, scale: ScaleType): number {
  if (scale === 'UNIT_LOG_SCALE') {
    return (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
  }
  if (scale === 'UNIT_REVERSE_LOG_SCALE') {
    // Mirror of the log scale: dense near hi instead of near lo.
    return 1 - (Math.log(hi + lo - v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
  }
  return (v - lo) / (hi - lo);
}

/** Inverse of `toUnitScale`. */
export function fromUnitScale(u: number, lo: number, hi: number, scale: ScaleType): number {
  if (scale === 'UNIT_LOG_SCALE') {
    return Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo)));
  }
  if (scale === 'UNIT_REVERSE_LOG_SCALE') {
    return hi + lo - Math.exp(Math.log(lo) + (1 - u) * (Math.log(hi) - Math.log(lo)));
  }
  return lo + u * (hi - lo);
}

const clamp01 = (u: number): number => (u < 0 ? 0 : u >= 1 ? 1 - 1e-12 : u);

/** The value of one parameter at unit coordinate u. */
export function dimFromUnit(d: Dim, u: number): ParamValue {
  u = clamp01(u);
  if (d.kind === 'categorical') return d.values[Math.floor(u * d.values.length)];
  if (d.kind === 'discrete') return d.values[Math.floor(u * d.values.length)];
  const v = fromUnitScale(u, d.lo, d.hi, d.scale);
  if (d.integer) return Math.min(d.max, Math.max(d.min, Math.round(v)));
  return Math.min(d.max, Math.max(d.min, v));
}

/** Decodes unit coordinates (one per parameter) into an assignment. */
export function fromUnit(space: SearchSpace, u: ArrayLike<number>): Assignment {
  const a: Assignment = {};
  space.dims.forEach((d, i) => {
    a[d.name] = dimFromUnit(d, u[i]);
  });
  return a;
}

/**
 * Unit coordinates of an assignment (the centre of its cell for discrete
 * kinds), or null when it does not belong to the space, e.g. a warm-start
 * trial from a job with a different space.
 */
export function toUnit(space: SearchSpace, a: Assignment): number[] | null {
  const u: number[] = [];
  for (const d of space.dims) {
    const v = a[d.name];
    if (d.kind === 'categorical') {
      const idx = d.values.indexOf(v as string);
      if (idx < 0) return null;
      u.push((idx + 0.5) / d.values.length);
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      return null;
    } else if (d.kind === 'discrete') {
      const idx = nearestIndex(d.values, v);
      u.push((idx + 0.5) / d.values.length);
    } else {
      const c = Math.min(d.max, Math.max(d.min, v));
      u.push(clamp01(toUnitScale(c, d.lo, d.hi, d.scale)));
    }
  }
  return u;
}

/** Model features of an assignment, or null when it does not fit the space. */
export function encode(space: SearchSpace, a: Assignment, out?: Float64Array): Float64Array | null {
  const x = out ?? new Float64Array(space.featureDim);
  for (let i = 0; i < space.dims.length; i++) {
    const d = space.dims[i];
    const off = space.featureOffset[i];
    const v = a[d.name];
    if (d.kind === 'categorical') {
      const idx = d.values.indexOf(v as string);
      if (idx < 0) return null;
      for (let j = 0; j < d.values.length; j++) x[off + j] = j === idx ? 1 : 0;
    } else if (typeof v !== 'number' || !Number.isFinite(v)) {
      return null;
    } else if (d.kind === 'discrete') {
      x[off] = d.positions[nearestIndex(d.values, v)];
    } else {
      const c = Math.min(d.max, Math.max(d.min, v));
      x[off] = toUnitScale(c, d.lo, d.hi, d.scale);
    }
  }
  return x;
}

function nearestIndex(values: readonly number[], v: number): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) {
    if (Math.abs(values[j] - v) < Math.abs(values[best] - v)) best = j;
  }
  return best;
}

/**
 * A canonical string for an assignment, so identical points compare equal
 * whatever their key order (used to never run the same point twice).
 */
export function assignmentKey(space: SearchSpace, a: Assignment): string {
  // Type-tagged so the number 1 and the category "1" differ; cheaper than
  // JSON.stringify in the acquisition loop.
  let key = '';
  for (const d of space.dims) {
    const v = a[d.name];
    key += (typeof v === 'number' ? 'n' : 's') + String(v) + '\u0000';
  }
  return key;
}

/** Number of grid points, or Infinity when a DOUBLE parameter makes it continuous. */
export function gridSize(space: SearchSpace): number {
  let n = 1;
  for (const d of space.dims) {
    if (d.kind === 'numeric') {
      if (!d.integer) return Infinity;
      n *= d.max - d.min + 1;
    } else {
      n *= d.values.length;
    }
  }
  return n;
}

/**
 * The grid point at `index` in row-major order: the last parameter varies
 * fastest, like nested loops written in spec order.
 */
export function gridPoint(space: SearchSpace, index: number): Assignment {
  const a: Assignment = {};
  let rest = index;
  for (let i = space.dims.length - 1; i >= 0; i--) {
    const d = space.dims[i];
    const size = d.kind === 'numeric' ? d.max - d.min + 1 : d.values.length;
    const j = rest % size;
    rest = Math.floor(rest / size);
    a[d.name] = d.kind === 'numeric' ? d.min + j : d.values[j];
  }
  // Re-insert in spec order so the object's key order is stable too.
  const ordered: Assignment = {};
  for (const d of space.dims) ordered[d.name] = a[d.name];
  return ordered;
}
