import { logExpectedImprovement } from './acquisition.js';
import { fitGpHyper, GaussianProcess, type GpFit, type GpHyper } from './gp.js';
import type { KernelKind } from './kernel.js';
import { haltonPoint } from './halton.js';
import { RandomSearch } from './random.js';
import { coordinateMoves } from './separable.js';
import { warpOutputs, type OutputWarp } from './outputWarp.js';
import { createRng, type Rng } from './rng.js';
import { assignmentKey, encode, fromUnit, toUnit, type SearchSpace } from './space.js';
import { toLoss, usedKeys, type Suggester } from './suggester.js';
import { boxBounds, replayTrustRegion, type TrustRegion } from './trustRegion.js';
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
  /**
   * Every how many trials one maximizes the acquisition inside the trust
   * region around the best point instead of the whole space (0: never).
   */
  localEvery?: number;
  /**
   * Models fitted at every suggestion, each a kernel structure (see
   * kernel.ts) on an output transform (see outputWarp.ts); the one under
   * which the observed losses are most probable is used.
   */
  models?: readonly ModelKind[];
  /**
   * Every how many trials, when an additive model fits the objective (see
   * {@link ADDITIVE_MARGIN_NATS}), one parameter of the incumbent is moved
   * to its additive component's optimum (see separable.ts; 0: never).
   */
  coordinateMoveEvery?: number;
}

/** A kernel structure fitted on one output transform. */
export interface ModelKind {
  kernel: KernelKind;
  warp: OutputWarp;
  /**
   * Let this model compete for the acquisition only when the best one so
   * far uses this kernel: the models are tried in order, so a later one can
   * refine a structure the data already favour without competing on
   * objectives it does not suit. An additive one is still fitted while
   * coordinate moves are on, and may serve them.
   */
  ifBest?: KernelKind;
}

/**
 * The models fitted by default: the product kernel on robustly warped
 * losses suits most objectives; the additive kernel suits sums of
 * per-parameter effects and is also fitted on the raw scale, where the log
 * compression does not bend the sum into interactions. Rugged non-additive
 * objectives (Ackley) sometimes fit the raw-scale additive model best and
 * then search worse: it competes for the acquisition only once an additive
 * model wins, and otherwise serves only the coordinate moves.
 */
const DEFAULT_MODELS: readonly ModelKind[] = [
  { kernel: 'product', warp: 'robust' },
  { kernel: 'additive', warp: 'robust' },
  { kernel: 'additive', warp: 'linear', ifBest: 'additive' }
];
/**
 * Weight of the standard deviation in coordinate moves' lower confidence
 * bound. A move explores by itself (one parameter jumps across its range);
 * little optimism on top serves best: over 40 seeds of the bench problems
 * 0.25 beat 1 and 0.5 on the multimodal ones, and 0 cost Rosenbrock-4.
 */
const MOVE_BETA = 0.25;
/**
 * How much less probable (negative log posterior, in nats, over all the
 * model's points) the best additive fit may make the losses than the
 * winning model and still serve coordinate moves. Near-additive objectives
 * (Levy, whose first and last terms are not separable) lose to the product
 * kernel by a few nats yet gain from the moves; clearly interacting ones
 * (Rosenbrock, Hartmann: 15-20 nats at the median suggestion) do not, and
 * moves there spend trials the acquisition would use better.
 */
const ADDITIVE_MARGIN_NATS = 10;

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
 * snapped to their grid); at every suggestion a product kernel on robustly
 * warped losses and an additive kernel on warped and on raw losses are
 * fitted, and the one under which the losses are most probable is used.
 * The next point maximizes log expected improvement, over the whole space
 * on global turns and inside a trust region around the best point on local
 * turns (every `localEvery`-th trial); the maximizer combines random
 * candidates, coordinate sweeps and hill climbing. When an additive model
 * fits nearly as well as the winner, every `coordinateMoveEvery`-th trial
 * instead moves one parameter of the incumbent to its additive component's
 * optimum (after Add-GP-UCB). The first trials come
 * from a rotated Halton design. Parallel requests use
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
  private readonly lastHyper = new Map<string, GpHyper>();

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
      candidates: options.candidates ?? Math.min(768, 256 + 32 * space.dims.length),
      localEvery: options.localEvery ?? 2,
      models: options.models ?? DEFAULT_MODELS,
      coordinateMoveEvery: options.coordinateMoveEvery ?? 3
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
    const region = this.trustRegion(observations);
    for (let i = 0; i < remaining; i++) {
      // A portfolio: global turns explore the whole space, local turns
      // descend inside the trust region. Turns follow the trial number, so
      // batches mix both.
      const trial = started + out.length;
      const local = this.opts.localEvery > 0 && trial % this.opts.localEvery === this.opts.localEvery - 1;
      const coordinate = this.opts.coordinateMoveEvery > 0 && model.additive !== undefined && trial % this.opts.coordinateMoveEvery === 0;
      const pick =
        (coordinate ? this.coordinatePick(model.additive!, region, used) : null) ??
        this.maximizeAcquisition(model, observations, used, rng, local ? region : undefined);
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

  private trustRegion(observations: Observation[]): TrustRegion {
    const failuresToShrink = Math.max(4, this.space.dims.length);
    return replayTrustRegion(observations, this.opts.initialTrials, failuresToShrink);
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
    const losses = data.map((o) => o.loss);
    const x = data.map((o) => o.x);
    // Small data: the likelihood is multimodal and fits are cheap, so use
    // restarts. Large data: one refit from the previous optimum is enough
    // and keeps latency bounded.
    const small = data.length <= 32;
    let chosen: (GpFit & { y: number[] }) | null = null;
    // The most probable additive fit, whether or not it may compete: the coordinate moves' model.
    let additive: (GpFit & { y: number[] }) | null = null;
    const warped = new Map<OutputWarp, ReturnType<typeof warpOutputs>>();
    for (const { kernel, warp, ifBest } of this.opts.models) {
      const competes = !ifBest || chosen?.hyper.kernel === ifBest;
      // A model that may not compete is only worth fitting for the coordinate moves.
      if (!competes && (kernel !== 'additive' || this.opts.coordinateMoveEvery === 0)) continue;
      let outputs = warped.get(warp);
      if (!outputs) {
        outputs = warpOutputs(losses, warp);
        warped.set(warp, outputs);
      }
      const { z: y, logJacobian } = outputs;
      const key = `${kernel}/${warp}`;
      const init = this.lastHyper.get(key);
      const fit = fitGpHyper(x, y, rng, {
        kernel,
        init,
        restarts: small ? 2 : 0,
        skipDefaultStart: !small && init !== undefined,
        maxIter: small || !init ? 40 : 6
      });
      if (!fit) continue;
      this.lastHyper.set(key, fit.hyper);
      // Densities of the raw losses, so fits on different warps compare.
      const score = fit.negLogPosterior - logJacobian;
      const candidate = { hyper: fit.hyper, negLogPosterior: score, y };
      if (kernel === 'additive' && (!additive || score < additive.negLogPosterior)) additive = candidate;
      if (competes && (!chosen || score < chosen.negLogPosterior)) chosen = candidate;
    }
    if (!chosen) return null;
    const gp = new GaussianProcess(x, chosen.y, chosen.hyper);
    const additiveGp = this.movesModel(x, gp, chosen, additive);
    // Incumbent: the lowest posterior mean at an observed point rather than
    // the lowest observation. When the fit finds much noise (rugged
    // objectives such as Ackley look noisy to a smooth kernel), the lowest
    // observation is partly luck; improving on it looks possible only where
    // the variance is largest, at the corners of the box, and the search
    // stops following the trend. With little noise both are nearly equal.
    let best = Infinity;
    for (const xi of x) best = Math.min(best, gp.predict(xi).mean);
    return new ModelState(gp, best, data, chosen.y, additiveGp);
  }

  /**
   * The process of the coordinate moves: the winning model when it is
   * additive, else the best additive fit when it is within
   * {@link ADDITIVE_MARGIN_NATS} of the winner; none when moves are off.
   */
  private movesModel(
    x: Float64Array[],
    winner: GaussianProcess,
    chosen: GpFit & { y: number[] },
    additive: (GpFit & { y: number[] }) | null
  ): GaussianProcess | undefined {
    if (this.opts.coordinateMoveEvery === 0) return undefined;
    if (chosen.hyper.kernel === 'additive') return winner;
    if (!additive || additive.negLogPosterior - chosen.negLogPosterior > ADDITIVE_MARGIN_NATS) return undefined;
    return new GaussianProcess(x, additive.y, additive.hyper);
  }

  /**
   * The first coordinate move of the incumbent (see separable.ts) not yet
   * taken, over the whole range of each parameter; null when none is left.
   */
  private coordinatePick(
    additive: GaussianProcess,
    region: TrustRegion,
    used: Set<string>
  ): { assignment: Assignment; x: Float64Array; key: string } | null {
    const bounds = this.space.dims.map((): [number, number] => [0, 1 - 1e-12]);
    for (const u of coordinateMoves(additive, this.space, region.center, bounds, MOVE_BETA)) {
      const assignment = fromUnit(this.space, u);
      const key = assignmentKey(this.space, assignment);
      const x = encode(this.space, assignment);
      if (x && !used.has(key)) return { assignment, x, key };
    }
    return null;
  }

  private maximizeAcquisition(
    model: ModelState,
    observations: Observation[],
    used: Set<string>,
    rng: Rng,
    region?: TrustRegion
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
    // Inside a trust region, steps scale with its side and stay in its box;
    // categoricals keep the centre's value unless picked to move.
    const bounds = this.space.dims.map((dim, d): [number, number] =>
      region ? boxBounds(region, d, 2 / cellCount(dim)) : [0, 1 - 1e-12]
    );
    const stepScale = region ? region.length : 1;
    const perturb = (u: readonly number[], sigma: number): number[] => {
      const v = [...u];
      sigma *= stepScale;
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
            const step = Math.max(sigma, 1 / cellCount(dim));
            const [lo, hi] = bounds[d];
            v[d] = Math.min(hi, Math.max(lo, v[d] + step * rng.normal()));
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
    const uniform = (d: number): number => {
      if (region && this.space.dims[d].kind === 'categorical' && rng.next() >= 1 / dims) return region.center[d];
      const [lo, hi] = bounds[d];
      return lo + (hi - lo) * rng.next();
    };
    for (let c = 0; c < this.opts.candidates; c++) {
      consider(Array.from({ length: dims }, (_, d) => uniform(d)));
    }
    const ranked = region ? [{ unit: region.center }] : [...observations].sort((a, b) => a.loss - b.loss).slice(0, 5);
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
      let cur = scanCoordinates(this.space, start, bounds, score, isFree);
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

/**
 * Coordinate sweeps over a grid along each numeric dimension, keeping the
 * others fixed. Random steps rarely land in a narrow trough of a rugged
 * acquisition surface; with an additive kernel the surface is a sum of
 * one-dimensional shapes and a sweep finds each trough directly.
 */
function scanCoordinates<C extends { u: number[]; value: number }>(
  space: SearchSpace,
  start: C,
  bounds: readonly [number, number][],
  score: (u: number[]) => Omit<C, 'u'>,
  isFree: (c: C) => boolean
): C {
  let cur = start;
  for (let sweep = 0; sweep < SCAN_SWEEPS; sweep++) {
    for (let d = 0; d < space.dims.length; d++) {
      if (space.dims[d].kind === 'categorical') continue;
      const [lo, hi] = bounds[d];
      for (let g = 0; g < SCAN_POINTS; g++) {
        const u = [...cur.u];
        u[d] = lo + ((g + 0.5) / SCAN_POINTS) * (hi - lo);
        const c = { u, ...score(u) } as C;
        if (c.value > cur.value && isFree(c)) cur = c;
      }
    }
  }
  return cur;
}
const SCAN_SWEEPS = 2;
const SCAN_POINTS = 48;

/** How many distinct values a dimension has along its unit axis (Infinity for continuous ones). */
function cellCount(dim: SearchSpace['dims'][number]): number {
  if (dim.kind === 'categorical' || dim.kind === 'discrete') return dim.values.length;
  return dim.integer ? dim.max - dim.min + 1 : Infinity;
}

/**
 * A fitted model plus the incumbent (lowest warped loss, believed points
 * included), and the additive process of the coordinate moves when one
 * fits (the model itself when it is additive).
 */
class ModelState {
  constructor(
    readonly gp: GaussianProcess,
    readonly best: number,
    readonly data: Observation[],
    readonly y: number[],
    readonly additive?: GaussianProcess
  ) {}

  /** The model after believing its own prediction at `x` (in both processes). */
  believe(x: Float64Array): ModelState {
    const mean = this.gp.predict(x).mean;
    const gp = this.gp.condition(x, mean);
    const additive = this.additive === this.gp ? gp : this.additive?.condition(x, this.additive.predict(x).mean);
    return new ModelState(gp, Math.min(this.best, mean), this.data, this.y, additive);
  }
}
