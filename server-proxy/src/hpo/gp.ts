import { kernelValue, matern52, pairCovariance, type KernelKind } from './kernel.js';
import { cholesky, inverseFromCholesky, solveLower, solveUpperT } from './linalg.js';
import type { Rng } from './rng.js';

/** Kernel hyperparameters, all on the log scale so the optimizer is unconstrained. */
export interface GpHyper {
  /** log of the signal variance. */
  logAmp: number;
  /** log of each feature's ARD lengthscale. */
  logLs: number[];
  /** log of the observation-noise variance. */
  logNoise: number;
  /** How the per-feature kernels combine; product when unset. */
  kernel?: KernelKind;
}

// Bounds and log-normal priors (MAP estimation). Inputs live in the unit
// cube and outputs are standardized, so the same ranges suit every job. The
// lengthscale prior grows with sqrt(dim) because in more dimensions typical
// distances between points grow that way.
const LS_BOUNDS: [number, number] = [Math.log(0.01), Math.log(20)];
const AMP_BOUNDS: [number, number] = [Math.log(0.05), Math.log(20)];
const NOISE_BOUNDS: [number, number] = [Math.log(1e-6), Math.log(0.5)];
const AMP_PRIOR = { mu: 0, sd: 1 };
const NOISE_PRIOR = { mu: Math.log(1e-3), sd: 2 };
// An additive kernel's lengthscales are one-dimensional distances: no growth.
const lsPrior = (dim: number, kernel: KernelKind = 'product'): { mu: number; sd: number } => ({
  mu: Math.log(0.3 * Math.sqrt(kernel === 'additive' ? 1 : dim)),
  sd: 1
});

/**
 * A Gaussian process regressor with a Matern 5/2 ARD kernel (product or
 * additive, see kernel.ts) and zero mean
 * (callers standardize the outputs). Observations are fixed at construction;
 * `condition` returns a new process with extra (fantasized) points.
 */
export class GaussianProcess {
  /** Number of observations. */
  readonly n: number;
  private readonly chol: Float64Array;
  private readonly alpha: Float64Array;
  private readonly invLs2: Float64Array;
  private readonly amp: number;
  private readonly kind: KernelKind;
  private readonly v: Float64Array;
  private readonly k: Float64Array;

  /**
   * @param x - Observation features (each of length `dim`).
   * @param y - Standardized observed values.
   * @param hyper - Kernel hyperparameters, e.g. from `fitGpHyper`.
   * @throws When the kernel matrix is singular even with jitter.
   */
  constructor(
    readonly x: readonly Float64Array[],
    readonly y: readonly number[],
    readonly hyper: GpHyper
  ) {
    const n = x.length;
    this.n = n;
    this.amp = Math.exp(hyper.logAmp);
    this.kind = hyper.kernel ?? 'product';
    this.invLs2 = Float64Array.from(hyper.logLs, (l) => Math.exp(-2 * l));
    const noise = Math.exp(hyper.logNoise);
    let jitter = 0;
    let chol: Float64Array | null = null;
    for (let attempt = 0; attempt < 5 && !chol; attempt++) {
      const kmat = kernelMatrix(this.kind, x, this.invLs2, this.amp);
      for (let i = 0; i < n; i++) kmat[i * n + i] += noise + jitter;
      if (cholesky(kmat, n)) chol = kmat;
      else jitter = jitter === 0 ? 1e-8 * this.amp : jitter * 100;
    }
    if (!chol) throw new Error('kernel matrix is not positive definite');
    this.chol = chol;
    const tmp = solveLower(chol, n, y, new Float64Array(n));
    this.alpha = solveUpperT(chol, n, tmp, new Float64Array(n));
    this.v = new Float64Array(n);
    this.k = new Float64Array(n);
  }

  /**
   * Posterior mean and variance of the latent function at `point`.
   * Reuses internal buffers: not re-entrant, but allocation-free in the
   * acquisition loop where it runs thousands of times.
   */
  predict(point: Float64Array): { mean: number; variance: number } {
    const n = this.n;
    const k = this.k;
    for (let i = 0; i < n; i++) k[i] = kernelValue(this.kind, this.x[i], point, this.invLs2, this.amp);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += k[i] * this.alpha[i];
    solveLower(this.chol, n, k, this.v);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += this.v[i] * this.v[i];
    return { mean, variance: Math.max(this.amp - vv, 1e-12 * this.amp) };
  }

  /**
   * Posterior mean and variance of one additive component, the effect of
   * feature `f` alone, at value `z` (additive kernels only). The components'
   * means add up to the full mean, so the mean's minimizer is found one
   * feature at a time.
   */
  predictComponent(f: number, z: number): { mean: number; variance: number } {
    if (this.kind !== 'additive') throw new Error('components exist only for an additive kernel');
    const n = this.n;
    const k = this.k;
    const w = this.amp / this.invLs2.length;
    const invLs = Math.sqrt(this.invLs2[f]);
    for (let i = 0; i < n; i++) k[i] = w * matern52(Math.abs(this.x[i][f] - z) * invLs);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += k[i] * this.alpha[i];
    solveLower(this.chol, n, k, this.v);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += this.v[i] * this.v[i];
    return { mean, variance: Math.max(w - vv, 1e-12 * w) };
  }

  /** How the per-feature kernels combine. */
  get kernel(): KernelKind {
    return this.kind;
  }

  /** A process with the same hyperparameters and one more observation. */
  condition(point: Float64Array, value: number): GaussianProcess {
    return new GaussianProcess([...this.x, point], [...this.y, value], this.hyper);
  }
}

function kernelMatrix(kind: KernelKind, x: readonly Float64Array[], invLs2: Float64Array, amp: number): Float64Array {
  const n = x.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    k[i * n + i] = amp;
    for (let j = 0; j < i; j++) {
      const v = kernelValue(kind, x[i], x[j], invLs2, amp);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  return k;
}

/** Flattens hyperparameters into the optimizer's vector: [amp, ls..., noise]. */
function pack(h: GpHyper): number[] {
  return [h.logAmp, ...h.logLs, h.logNoise];
}

function unpack(theta: readonly number[], kernel: KernelKind): GpHyper {
  return { logAmp: theta[0], logLs: theta.slice(1, theta.length - 1), logNoise: theta[theta.length - 1], kernel };
}

/** Buffers reused across likelihood evaluations of one fit (avoids GC churn). */
interface Workspace {
  n: number;
  dim: number;
  /** Squared feature differences of each pair (i > j), pair-major: pairs[p * dim + d]. */
  pairs: Float64Array;
  kmat: Float64Array;
  ksig: Float64Array;
  /** d k / d log(lengthscale) of each pair and feature, laid out like `pairs`. */
  dLogLs: Float64Array;
  tmp: Float64Array;
  alpha: Float64Array;
  invLs2: Float64Array;
  gLs: Float64Array;
}

function makeWorkspace(x: readonly Float64Array[]): Workspace {
  const n = x.length;
  const dim = x[0].length;
  const pairs = new Float64Array(((n * (n - 1)) / 2) * dim);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      for (let d = 0; d < dim; d++) {
        const diff = x[i][d] - x[j][d];
        pairs[p++] = diff * diff;
      }
    }
  }
  return {
    n,
    dim,
    pairs,
    kmat: new Float64Array(n * n),
    ksig: new Float64Array(n * n),
    dLogLs: new Float64Array(pairs.length),
    tmp: new Float64Array(n),
    alpha: new Float64Array(n),
    invLs2: new Float64Array(dim),
    gLs: new Float64Array(dim)
  };
}

/**
 * Negative log marginal likelihood minus log prior, and its gradient.
 * Returns Infinity when the kernel matrix cannot be factored.
 */
function negLogPosterior(theta: readonly number[], y: readonly number[], ws: Workspace, kind: KernelKind): [number, number[]] {
  const { n, dim, pairs, kmat, ksig, dLogLs, invLs2, gLs } = ws;
  const amp = Math.exp(theta[0]);
  const noise = Math.exp(theta[dim + 1]);
  for (let d = 0; d < dim; d++) invLs2[d] = Math.exp(-2 * theta[1 + d]);
  let p = 0;
  for (let i = 0; i < n; i++) {
    kmat[i * n + i] = amp + noise;
    ksig[i * n + i] = amp;
    for (let j = 0; j < i; j++) {
      const idx = i * n + j;
      const kv = pairCovariance(kind, pairs, p, invLs2, amp, dLogLs);
      p += dim;
      kmat[idx] = kv;
      kmat[j * n + i] = kv;
      ksig[idx] = kv;
    }
  }
  if (!cholesky(kmat, n)) return [Infinity, new Array<number>(theta.length).fill(0)];
  solveLower(kmat, n, y, ws.tmp);
  const alpha = solveUpperT(kmat, n, ws.tmp, ws.alpha);
  let fit = 0;
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    fit += y[i] * alpha[i];
    logDet += Math.log(kmat[i * n + i]);
  }
  let value = 0.5 * fit + logDet + 0.5 * n * Math.log(2 * Math.PI);
  const inv = inverseFromCholesky(kmat, n);
  // W = alpha alpha^T - K^{-1}; dLML/dtheta = 0.5 tr(W dK/dtheta).
  const grad = new Array<number>(theta.length).fill(0);
  let gAmp = 0;
  let trW = 0;
  gLs.fill(0);
  p = 0;
  for (let i = 0; i < n; i++) {
    const wii = alpha[i] * alpha[i] - inv[i * n + i];
    trW += wii;
    gAmp += 0.5 * wii * amp;
    for (let j = 0; j < i; j++) {
      const idx = i * n + j;
      const w = alpha[i] * alpha[j] - inv[idx];
      // Off-diagonal pairs appear twice in the trace: 0.5 * 2.
      gAmp += w * ksig[idx];
      for (let d = 0; d < dim; d++) gLs[d] += w * dLogLs[p + d];
      p += dim;
    }
  }
  grad[0] = -gAmp;
  for (let d = 0; d < dim; d++) grad[1 + d] = -gLs[d];
  grad[dim + 1] = -0.5 * noise * trW;
  // Log-normal priors.
  const lp = lsPrior(dim, kind);
  const addPrior = (i: number, mu: number, sd: number): void => {
    const z = (theta[i] - mu) / sd;
    value += 0.5 * z * z;
    grad[i] += z / sd;
  };
  addPrior(0, AMP_PRIOR.mu, AMP_PRIOR.sd);
  for (let d = 0; d < dim; d++) addPrior(1 + d, lp.mu, lp.sd);
  addPrior(dim + 1, NOISE_PRIOR.mu, NOISE_PRIOR.sd);
  return [value, grad];
}

/** Options for `fitGpHyper`. */
export interface FitOptions {
  /** Extra random restarts drawn from the priors. */
  restarts?: number;
  /** A previous fit to start from (cheap refits as data grows). */
  init?: GpHyper;
  /** Optimizer iterations per start. */
  maxIter?: number;
  /** Start only from `init` (and restarts), not from the prior means. */
  skipDefaultStart?: boolean;
  /** Kernel structure to fit; product by default. */
  kernel?: KernelKind;
}

/** Fitted hyperparameters and the negative log posterior they reach (lower is better). */
export interface GpFit {
  hyper: GpHyper;
  negLogPosterior: number;
}

/**
 * Fits kernel hyperparameters by maximizing the marginal likelihood times
 * the priors (MAP), with projected L-BFGS from a default start, an optional
 * previous fit and a few random restarts.
 *
 * @returns The best hyperparameters found with their negative log
 *   posterior (comparable between kernel structures on the same data), or
 *   null when no start gave a finite likelihood (the caller then falls back
 *   to a model-free method).
 */
export function fitGpHyper(x: readonly Float64Array[], y: readonly number[], rng: Rng, opts: FitOptions = {}): GpFit | null {
  const dim = x[0].length;
  const kind = opts.kernel ?? 'product';
  const ws = makeWorkspace(x);
  const lo = [AMP_BOUNDS[0], ...new Array<number>(dim).fill(LS_BOUNDS[0]), NOISE_BOUNDS[0]];
  const hi = [AMP_BOUNDS[1], ...new Array<number>(dim).fill(LS_BOUNDS[1]), NOISE_BOUNDS[1]];
  const lp = lsPrior(dim, kind);
  const starts: number[][] = [];
  const hasInit = opts.init !== undefined && opts.init.logLs.length === dim && (opts.init.kernel ?? 'product') === kind;
  if (opts.init && hasInit) starts.push(pack(opts.init));
  if (!hasInit || !opts.skipDefaultStart) starts.push([0, ...new Array<number>(dim).fill(lp.mu), Math.log(1e-3)]);
  for (let r = 0; r < (opts.restarts ?? 1); r++) {
    starts.push([
      AMP_PRIOR.mu + 0.5 * rng.normal(),
      ...Array.from({ length: dim }, () => lp.mu + 0.7 * rng.normal()),
      Math.log(1e-3) + rng.normal()
    ]);
  }
  let best: number[] | null = null;
  let bestVal = Infinity;
  for (const s of starts) {
    const [theta, val] = lbfgsBox((t) => negLogPosterior(t, y, ws, kind), s, lo, hi, opts.maxIter ?? 40);
    if (val < bestVal) {
      bestVal = val;
      best = theta;
    }
  }
  return best && Number.isFinite(bestVal) ? { hyper: unpack(best, kind), negLogPosterior: bestVal } : null;
}

/**
 * Minimizes f inside a box with L-BFGS steps projected onto the box and a
 * backtracking (Armijo) line search. Small and robust enough for a dozen or
 * two smooth parameters; not a general-purpose optimizer.
 */
export function lbfgsBox(
  f: (x: number[]) => [number, number[]],
  x0: readonly number[],
  lo: readonly number[],
  hi: readonly number[],
  maxIter: number,
  memory = 6
): [number[], number] {
  const m = x0.length;
  const project = (v: number[]): number[] => v.map((vi, i) => Math.min(hi[i], Math.max(lo[i], vi)));
  let x = project([...x0]);
  let [fx, g] = f(x);
  if (!Number.isFinite(fx)) return [x, fx];
  const sHist: number[][] = [];
  const yHist: number[][] = [];
  const dot = (a: readonly number[], b: readonly number[]): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  };
  for (let iter = 0; iter < maxIter; iter++) {
    // Two-loop recursion for d = -H g.
    const q = [...g];
    const alphas: number[] = [];
    for (let k = sHist.length - 1; k >= 0; k--) {
      const a = dot(sHist[k], q) / dot(yHist[k], sHist[k]);
      alphas.push(a);
      for (let i = 0; i < m; i++) q[i] -= a * yHist[k][i];
    }
    if (sHist.length > 0) {
      const last = sHist.length - 1;
      const gamma = dot(sHist[last], yHist[last]) / dot(yHist[last], yHist[last]);
      for (let i = 0; i < m; i++) q[i] *= gamma;
    } else {
      // First step: a unit-length move in log-parameter space at most.
      const gn = Math.sqrt(dot(g, g)) || 1;
      for (let i = 0; i < m; i++) q[i] /= Math.max(gn, 1);
    }
    for (let k = 0; k < sHist.length; k++) {
      const b = dot(yHist[k], q) / dot(yHist[k], sHist[k]);
      const a = alphas[sHist.length - 1 - k];
      for (let i = 0; i < m; i++) q[i] += sHist[k][i] * (a - b);
    }
    let d = q.map((v) => -v);
    if (dot(d, g) >= 0) {
      d = g.map((v) => -v / Math.max(1, Math.sqrt(dot(g, g))));
      sHist.length = 0;
      yHist.length = 0;
    }
    let t = 1;
    let accepted = false;
    let xn = x;
    let fn = fx;
    let gn = g;
    for (let ls = 0; ls < 20; ls++) {
      xn = project(x.map((xi, i) => xi + t * d[i]));
      [fn, gn] = f(xn);
      const decrease = dot(g, xn.map((v, i) => v - x[i]));
      if (Number.isFinite(fn) && fn <= fx + 1e-4 * Math.min(decrease, 0)) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    const s = xn.map((v, i) => v - x[i]);
    const yv = gn.map((v, i) => v - g[i]);
    const improvement = fx - fn;
    x = xn;
    fx = fn;
    g = gn;
    if (dot(s, yv) > 1e-10) {
      sHist.push(s);
      yHist.push(yv);
      if (sHist.length > memory) {
        sHist.shift();
        yHist.shift();
      }
    }
    if (improvement < 1e-6 * (1 + Math.abs(fx))) break;
  }
  return [x, fx];
}
