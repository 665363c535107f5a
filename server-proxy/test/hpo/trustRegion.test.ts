import { BayesianOptimization, createRng, resolveSpace, type Assignment, type TrialRecord } from '../../src/hpo/index.js';
import { boxBounds, INITIAL_LENGTH, replayTrustRegion, type RegionPoint } from '../../src/hpo/trustRegion.js';

const at = (u: number, loss: number): RegionPoint => ({ unit: [u, u], loss });

describe('replayTrustRegion', () => {
  it('centres on the best point and ignores the initial design when counting', () => {
    const region = replayTrustRegion([at(0.1, 5), at(0.2, 3), at(0.3, 4)], 3, 4);
    expect(region).toEqual({ center: [0.2, 0.2], length: INITIAL_LENGTH });
  });

  it('doubles the side after two improvements in a row, up to a limit', () => {
    const grown = replayTrustRegion([at(0.5, 10), at(0.4, 9), at(0.3, 8)], 1, 4);
    expect(grown.length).toBeCloseTo(2 * INITIAL_LENGTH);
    expect(grown.center).toEqual([0.3, 0.3]);
    const many = replayTrustRegion(
      Array.from({ length: 12 }, (_, i) => at(0.5, 10 - i)),
      1,
      4
    );
    expect(many.length).toBeLessThanOrEqual(0.8);
  });

  it('halves the side after enough failures in a row and restarts wide once converged', () => {
    const failures = (n: number): RegionPoint[] => [at(0.5, 1), ...Array.from({ length: n }, () => at(0.9, 2))];
    expect(replayTrustRegion(failures(3), 1, 4).length).toBeCloseTo(INITIAL_LENGTH);
    expect(replayTrustRegion(failures(4), 1, 4).length).toBeCloseTo(INITIAL_LENGTH / 2);
    expect(replayTrustRegion(failures(8), 1, 4).length).toBeCloseTo(INITIAL_LENGTH / 4);
    // Six halvings go below the smallest side: the region starts over.
    expect(replayTrustRegion(failures(24), 1, 4).length).toBeCloseTo(INITIAL_LENGTH);
    // A tiny gain is not a success.
    const tiny = replayTrustRegion([at(0.5, 1), ...Array.from({ length: 4 }, (_, i) => at(0.5, 1 - 1e-6 * (i + 1)))], 1, 4);
    expect(tiny.length).toBeCloseTo(INITIAL_LENGTH / 2);
  });
});

describe('boxBounds', () => {
  it('cuts the box at the faces of the unit cube and keeps a minimum width', () => {
    const region = { center: [0.1, 0.5], length: 0.4 };
    expect(boxBounds(region, 0)).toEqual([0, expect.closeTo(0.3, 12)]);
    expect(boxBounds(region, 1)).toEqual([expect.closeTo(0.3, 12), expect.closeTo(0.7, 12)]);
    expect(boxBounds({ center: [0.5], length: 0.01 }, 0, 0.5)).toEqual([0.25, 0.75]);
  });
});

describe('BayesianOptimization with local turns', () => {
  const params = Array.from({ length: 3 }, (_, i) => ({ parameterName: `x${i}`, type: 'DOUBLE' as const, minValue: 0, maxValue: 10 }));
  const space = resolveSpace(params);
  // Many local minima; the global one at (7, 7, 7).
  const rugged = (a: Assignment): number =>
    params.reduce((s, p) => {
      const v = a[p.parameterName] as number;
      return s + (v - 7) ** 2 + 5 * (1 - Math.cos(2 * Math.PI * v));
    }, 0);
  const unitOf = (t: TrialRecord): number[] => params.map((p) => (t.hyperparameters[p.parameterName] as number) / 10);

  it('puts every model-based suggestion inside the trust region when every turn is local', () => {
    // Separable turns search the whole space: off here.
    const local = new BayesianOptimization(space, { goal: 'MINIMIZE', seed: 3, localEvery: 1, coordinateMoveEvery: 0, initialTrials: 4 });
    const history: TrialRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const observed = history.map((t) => ({ unit: unitOf(t), loss: t.objectiveValue as number }));
      const region = history.length >= 4 ? replayTrustRegion(observed, 4, 4) : null;
      const [a] = local.suggest(history, [], 1, createRng(`local/${i}`));
      const t: TrialRecord = { hyperparameters: a, state: 'SUCCEEDED', objectiveValue: rugged(a) };
      if (region) {
        // Every model-based suggestion lies in the box around the incumbent.
        unitOf(t).forEach((u, d) => {
          const [lo, hi] = boxBounds(region, d);
          expect(u).toBeGreaterThanOrEqual(lo - 1e-9);
          expect(u).toBeLessThanOrEqual(hi + 1e-9);
        });
      }
      history.push(t);
    }
    // The region is smaller than the space, so the check above can fail.
    const final = replayTrustRegion(history.map((t) => ({ unit: unitOf(t), loss: t.objectiveValue as number })), 4, 4);
    expect(final.length).toBeLessThan(1);
  });

  it('alternates local and global turns within one batch and stays deterministic', () => {
    const s = (): BayesianOptimization => new BayesianOptimization(space, { goal: 'MINIMIZE', seed: 3, localEvery: 2, initialTrials: 4 });
    const history: TrialRecord[] = [];
    const a = s();
    for (let i = 0; i < 5; i++) {
      for (const p of a.suggest(history, [], 4, createRng(`b/${i}`))) {
        history.push({ hyperparameters: p, state: 'SUCCEEDED', objectiveValue: rugged(p) });
      }
    }
    const replay: TrialRecord[] = [];
    const b = s();
    for (let i = 0; i < 5; i++) {
      for (const p of b.suggest(replay, [], 4, createRng(`b/${i}`))) {
        replay.push({ hyperparameters: p, state: 'SUCCEEDED', objectiveValue: rugged(p) });
      }
    }
    expect(replay).toEqual(history);
    // The last batch: odd trial numbers are local and lie in the box, so at
    // least one point of the batch is near the incumbent.
    const before = history.slice(0, 16).map((t) => ({ unit: unitOf(t), loss: t.objectiveValue as number }));
    const region = replayTrustRegion(before, 4, 4);
    const batch = history.slice(16);
    const inBox = (t: TrialRecord): boolean =>
      unitOf(t).every((u, d) => {
        const [lo, hi] = boxBounds(region, d);
        return u >= lo - 1e-9 && u <= hi + 1e-9;
      });
    expect(inBox(batch[1])).toBe(true);
    expect(inBox(batch[3])).toBe(true);
  });
});
