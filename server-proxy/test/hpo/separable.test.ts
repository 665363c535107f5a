import { fitGpHyper, GaussianProcess } from '../../src/hpo/gp.js';
import { warpOutputs, type OutputWarp } from '../../src/hpo/outputWarp.js';
import { coordinateMoves } from '../../src/hpo/separable.js';
import { createRng, resolveSpace } from '../../src/hpo/index.js';

const standardize = (v: number[]): number[] => {
  const m = v.reduce((s, t) => s + t, 0) / v.length;
  const sd = Math.sqrt(v.reduce((s, t) => s + (t - m) ** 2, 0) / v.length);
  return v.map((t) => (t - m) / sd);
};

describe('additive components', () => {
  const rng = createRng(3);
  const x = Array.from({ length: 40 }, () => Float64Array.from({ length: 3 }, () => rng.next()));
  const centre = [0.2, 0.65, 0.8];
  // A sum of one-dimensional bowls, each tilted by a wave.
  const f = (p: ArrayLike<number>): number => [0, 1, 2].reduce((s, d) => s + 4 * (p[d] - centre[d]) ** 2 + 0.3 * Math.sin(6 * p[d]), 0);
  const y = standardize(x.map(f));
  const hyper = fitGpHyper(x, y, createRng(1), { kernel: 'additive', restarts: 2 })!.hyper;
  const gp = new GaussianProcess(x, y, hyper);

  it('add up to the full posterior mean', () => {
    for (const p of [
      [0.1, 0.5, 0.9],
      [0.7, 0.2, 0.3]
    ]) {
      const parts = p.reduce((s, v, d) => s + gp.predictComponent(d, v).mean, 0);
      expect(parts).toBeCloseTo(gp.predict(Float64Array.from(p)).mean, 10);
    }
  });

  it('move one parameter of the incumbent at a time to its minimum, the largest gain first', () => {
    const space = resolveSpace(['a', 'b', 'c'].map((parameterName) => ({ parameterName, type: 'DOUBLE' as const, minValue: 0, maxValue: 1 })));
    const incumbent = [0.5, 0.5, 0.5];
    const moves = coordinateMoves(gp, space, incumbent, [[0, 1], [0, 1], [0, 1]], 0);
    expect(moves).toHaveLength(3);
    const moved = moves.map((u) => u.findIndex((v, d) => v !== incumbent[d]));
    moves.forEach((u) => expect(u.filter((v, d) => v !== incumbent[d])).toHaveLength(1));
    // The objective falls by 0.70, 0.39 and 0.24 when the third, second and first parameter move.
    expect(moved).toEqual([2, 1, 0]);
    moves.forEach((u, i) => {
      const d = moved[i];
      // The waves move each term's minimum off its bowl's centre.
      const term = (v: number): number => 4 * (v - centre[d]) ** 2 + 0.3 * Math.sin(6 * v);
      let argmin = 0;
      for (let g = 0; g <= 1000; g++) if (term(g / 1000) < term(argmin)) argmin = g / 1000;
      expect(Math.abs(u[d] - argmin)).toBeLessThan(0.03);
    });
    // Confined to a box, each move stays inside it; an incumbent already at its minimum is not moved.
    const boxed = coordinateMoves(gp, space, incumbent, [[0.4, 0.6], [0.4, 0.6], [0.4, 0.6]], 0);
    for (const u of boxed) for (const v of u) expect(v).toBeGreaterThanOrEqual(0.4), expect(v).toBeLessThanOrEqual(0.6);
    const atMinimum = moves.reduce((u, move, i) => u.map((v, d) => (d === moved[i] ? move[d] : v)), incumbent);
    expect(coordinateMoves(gp, space, atMinimum, [[0, 1], [0, 1], [0, 1]], 0)).toEqual([]);
  });

  it('exist only for an additive kernel', () => {
    const product = new GaussianProcess(x, y, { ...hyper, kernel: 'product' });
    expect(() => product.predictComponent(0, 0.5)).toThrow(/additive/);
  });
});

describe('output warps', () => {
  const losses = [3, 1, 4, 1.5, 9, 2.6, 50, 3.5, 8, 0.2];
  it.each<OutputWarp>(['robust', 'linear'])('%s: an affine change of units keeps z and shifts the log Jacobian by -n log a', (warp) => {
    const a = 7;
    const base = warpOutputs(losses, warp);
    const scaled = warpOutputs(
      losses.map((l) => a * l - 2),
      warp
    );
    scaled.z.forEach((z, i) => expect(z).toBeCloseTo(base.z[i], 10));
    expect(scaled.logJacobian).toBeCloseTo(base.logJacobian - losses.length * Math.log(a), 8);
  });

  it('robust compresses values worse than the median; linear only standardizes', () => {
    const lin = warpOutputs(losses, 'linear').z;
    const rob = warpOutputs(losses, 'robust').z;
    expect(lin.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 10);
    // The outlier 50 dominates the linear scale and is pulled in by the robust one.
    const spread = (z: number[]): number => (z[6] - Math.min(...z)) / (z[4] - Math.min(...z));
    expect(spread(rob)).toBeLessThan(spread(lin) / 2);
  });
});
