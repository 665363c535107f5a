import { logExpectedImprovement } from './acquisition.js';
import { fitGpHyper, GaussianProcess, type GpHyper } from './gp.js';
import { haltonPoint } from './halton.js';
import { RandomSearch } from './random.js';
import { createRng, type Rng } from './rng.js';
import { assignmentKey, encode, fromUnit, toUnit, type SearchSpace } from './space.js';
import { toLoss, usedKeys, type Suggester } from './suggester.js';
import type { Assignment, GoalType, TrialRecord } from './types.js';

/** Tuning knobs of {@link BayesianOptimization}; the defaults suit most jobs. */
export interface BayesianOptions {
  /** Direction of the objective; MAXIMIZE when unset, as in AI Platform. */
  goal?: GoalType;
  /** Seed of the initial design's rotation, fixed per job. */
  seed?: number;
  /** Trials drawn from the quasi-random design before the model takes over; max(5, params + 1) by default. */
  initialTrials?: number;
  /** Most observations the model is fitted on; more are subsampled to bound latency. */
  maxModelPoints?: number;
  /** Random candidates scored per suggestion before local refinement. */
  candidates?: number;
}

interface Observation {
  unit: number[];
  x: Float64Array;
  loss: number;
}

/**
 * Bayesian optimization, the default algorithm (ALGORITHM_UNSPECIFIED).
 *
 * A Gaussian process with a Matern 5/2 ARD kernel models the loss over the
 * unit-cube features (one-hot for categoricals, integers and discrete values
 * snapped to their grid); the next point maximizes log expected improvement.
 * The first trials come from a rotated Halton design. Parallel requests use
 * the kriging believer: each chosen point, every pending trial and every
 * failed trial is added to the model with its predicted value, which removes
 * the uncertainty there and pushes the next point elsewhere. Failed trials
 * are otherwise non-informative. When the model cannot be fitted the
 * suggester falls back to random search.
 */
export class BayesianOptimization implements Suggester {
  private readonly opts: Required<BayesianOptions>;
  private readonly shift: number[];
  private readonly random: RandomSearch;
  // Last fitted hyperparameters: warm start only, so refits converge in a
  // few iterations. Outputs stay a deterministic function of the call
  // sequence.
  private lastHyper: GpHyper | undefined;

  /**
   * @param space - The resolved search space.
   * @param options - See {@link BayesianOptions}.
   */
  constructor(
    private readonly space: SearchSpace,
    options: BayesianOptions = {}
  ) {
    this.opts = {
      goal: options.goal ?? 'MAXIMIZE',
      seed: options.seed ?? 0,
      initialTrials: options.initialTrials ?? Math.max(5, space.dims.length + 1),
      maxModelPoints: options.maxModelPoints ?? 48,
      candidates: options.candidates ?? Math.min(768, 256 + 32 * space.dims.length)
    };
    const shiftRng = createRng(this.opts.seed ^ 0x5bd1e995);
    this.shift = space.dims.map(() => shiftRng.next());
    this.random = new RandomSearch(space);
  }

  /** See {@link Suggester.suggest}. */
  suggest(history: readonly TrialRecord[], pending: readonly Assignment[], count: number, rng: Rng): Assignment[] {
    const used = usedKeys(this.space, history, pending);
    const out: Assignment[] = [];
    const observations = this.observations(history);
    const started = history.length + pending.length;
    let haltonIndex = started + 1;

    // Quasi-random design until enough trials have been started, or while
    // there is too little data to fit anything.
    while (out.length < count && (started + out.length < this.opts.initialTrials || observations.length < 2)) {
      let found = false;
      for (let tries = 0; tries < 64 && !found; tries++) {
        const a = fromUnit(this.space, haltonPoint(haltonIndex++, this.space.dims.length, this.shift));
        const key = assignmentKey(this.space, a);
        if (!used.has(key)) {
          used.add(key);
          out.push(a);
          found = true;
        }
      }
      if (!found) break;
    }
    if (out.length === count) return out;

    const remaining = count - out.length;
    let model: ModelState | null = null;
    if (observations.length >= 2) {
      try {
        model = this.fit(observations, rng);
      } catch {
        model = null;
      }
    }
    if (!model) {
      return [...out, ...this.random.suggest(history, [...pending, ...out], remaining, rng)];
    }
    // Believe the model at points that are running, failed, or just chosen.
    const believe: Assignment[] = [...pending, ...out];
    for (const t of history) if (t.state === 'FAILED') believe.push(t.hyperparameters);
    for (const a of believe) {
      const x = encode(this.space, a);
      if (x) model = model.believe(x);
    }
    for (let i = 0; i < remaining; i++) {
      const pick = this.maximizeAcquisition(model, observations, used, rng);
      if (!pick) break;
      used.add(pick.key);
      out.push(pick.assignment);
      model = model.believe(pick.x);
    }
    if (out.length < count) {
      // Every candidate was taken: the space is nearly exhausted.
      out.push(...this.random.suggest(history, [...pending, ...out], count - out.length, rng));
    }
    return out;
  }

  private observations(history: readonly TrialRecord[]): Observation[] {
    const obs: Observation[] = [];
    for (const t of history) {
      if (t.state === 'FAILED' || typeof t.objectiveValue !== 'number' || !Number.isFinite(t.objectiveValue)) continue;
      const x = encode(this.space, t.hyperparameters);
      const unit = toUnit(this.space, t.hyperparameters);
      if (!x || !unit) continue;
      obs.push({ unit, x, loss: toLoss(this.opts.goal, t.objectiveValue) });
    }
    return obs;
  }

  private fit(observations: Observation[], rng: Rng): ModelState | null {
    let data = observations;
    if (data.length > this.opts.maxModelPoints) {
      // Keep the best half (where the search concentrates) plus a random
      // sample of the rest for the global picture: bounded cost at any
      // history length.
      const sorted = [...data].sort((a, b) => a.loss - b.loss);
      const nBest = Math.floor(this.opts.maxModelPoints / 2);
      const rest = sorted.slice(nBest);
      for (let i = rest.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [rest[i], rest[j]] = [rest[j], rest[i]];
      }
      data = [...sorted.slice(0, nBest), ...rest.slice(0, this.opts.maxModelPoints - nBest)];
    }
    const y = warpOutputs(data.map((o) => o.loss));
    const x = data.map((o) => o.x);
    // Small data: the likelihood is multimodal and fits are cheap, so use
    // restarts. Large data: one refit from the previous optimum is enough
    // and keeps latency bounded.
    const small = data.length <= 32;
    const hyper = fitGpHyper(x, y, rng, {
      init: this.lastHyper,
      restarts: small ? 2 : 0,
      skipDefaultStart: !small && this.lastHyper !== undefined,
      maxIter: small || !this.lastHyper ? 40 : 6
    });
    if (!hyper) return null;
    this.lastHyper = hyper;
    const gp = new GaussianProcess(x, y, hyper);
    // Incumbent: the lowest posterior mean at an observed point rather than
    // the lowest observation. When the fit finds much noise (rugged
    // objectives such as Ackley look noisy to a smooth kernel), the lowest
    // observation is partly luck; improving on it looks possible only where
    // the variance is largest, at the corners of the box, and the search
    // stops following the trend. With little noise both are nearly equal.
    let best = Infinity;
    for (const xi of x) best = Math.min(best, gp.predict(xi).mean);
    return new ModelState(gp, best, data, y);
  }

  private maximizeAcquisition(
    model: ModelState,
    observations: Observation[],
    used: Set<string>,
    rng: Rng
  ): { assignment: Assignment; x: Float64Array; key: string } | null {
    const dims = this.space.dims.length;
    const buf = new Float64Array(this.space.featureDim);
    // Keys (for the never-twice rule) are checked only when picking, not
    // for every scored candidate: believed points already score low.
    const score = (u: number[]): { value: number; assignment: Assignment } => {
      const assignment = fromUnit(this.space, u);
      encode(this.space, assignment, buf);
      const p = model.gp.predict(buf);
      return { value: logExpectedImprovement(p.mean, p.variance, model.best), assignment };
    };
    const perturb = (u: readonly number[], sigma: number): number[] => {
      const v = [...u];
      // Move a random subset of coordinates (at least one) so that local
      // search also works in higher dimensions.
      const pMove = Math.min(1, 3 / dims);
      let moved = false;
      for (let d = 0; d < dims; d++) {
        if (rng.next() < pMove || (d === dims - 1 && !moved)) {
          moved = true;
          const dim = this.space.dims[d];
          if (dim.kind === 'categorical') {
            v[d] = rng.next();
          } else {
            // A step smaller than a cell never leaves an integer's or a
            // discrete value's cell: use at least one cell width.
            const cells = dim.kind === 'discrete' ? dim.values.length : dim.integer ? dim.max - dim.min + 1 : Infinity;
            const step = Math.max(sigma, 1 / cells);
            v[d] = Math.min(1 - 1e-12, Math.max(0, v[d] + step * rng.normal()));
          }
        }
      }
      return v;
    };

    type Cand = { u: number[]; value: number; assignment: Assignment };
    const cands: Cand[] = [];
    const consider = (u: number[]): void => {
      cands.push({ u, ...score(u) });
    };
    for (let c = 0; c < this.opts.candidates; c++) {
      consider(Array.from({ length: dims }, () => rng.next()));
    }
    const ranked = [...observations].sort((a, b) => a.loss - b.loss).slice(0, 5);
    for (const o of ranked) {
      for (let c = 0; c < 24; c++) consider(perturb(o.unit, c % 2 === 0 ? 0.1 : 0.02));
    }
    cands.sort((a, b) => b.value - a.value);
    // Local refinement of the top few by stochastic hill climbing.
    const isFree = (c: Cand): boolean => !used.has(assignmentKey(this.space, c.assignment));
    const starts: Cand[] = [];
    for (const c of cands) {
      if (starts.length === 3) break;
      if (isFree(c)) starts.push(c);
    }
    const finals: Cand[] = [];
    for (const start of starts) {
      let cur = start;
      for (const sigma of [0.05, 0.02, 0.005]) {
        for (let s = 0; s < 8; s++) {
          const u = perturb(cur.u, sigma);
          const c = { u, ...score(u) };
          if (c.value > cur.value && isFree(c)) cur = c;
        }
      }
      finals.push(cur);
    }
    finals.sort((a, b) => b.value - a.value);
    const best = finals[0];
    if (!best || !Number.isFinite(best.value)) return null;
    const x = encode(this.space, best.assignment);
    return x ? { assignment: best.assignment, x, key: assignmentKey(this.space, best.assignment) } : null;
  }
}

/** A fitted model plus the incumbent (lowest warped loss, believed points included). */
class ModelState {
  constructor(
    readonly gp: GaussianProcess,
    readonly best: number,
    readonly data: Observation[],
    readonly y: number[]
  ) {}

  /** The model after believing its own prediction at `x`. */
  believe(x: Float64Array): ModelState {
    const mean = this.gp.predict(x).mean;
    return new ModelState(this.gp.condition(x, mean), Math.min(this.best, mean), this.data, this.y);
  }
}

/**
 * Robust output transform: centre on the median, scale by the interquartile
 * range, compress values worse than the median logarithmically, then
 * standardize. A few disastrous trials (diverged training, Rosenbrock-like
 * valleys) would otherwise dominate the fit and flatten the model near the
 * optimum, where precision matters.
 */
export function warpOutputs(losses: readonly number[]): number[] {
  const sorted = [...losses].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))];
  const med = q(0.5);
  let scale = q(0.75) - q(0.25);
  if (!(scale > 0)) scale = sorted[sorted.length - 1] - sorted[0];
  if (!(scale > 0)) scale = 1;
  const z = losses.map((l) => {
    const v = (l - med) / scale;
    return v > 0 ? Math.log1p(v) : v;
  });
  const mean = z.reduce((s, v) => s + v, 0) / z.length;
  const sd = Math.sqrt(z.reduce((s, v) => s + (v - mean) * (v - mean), 0) / z.length) || 1;
  return z.map((v) => (v - mean) / sd);
}
