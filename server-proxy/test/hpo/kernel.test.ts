import { fitGpHyper } from '../../src/hpo/gp.js';
import { kernelValue, pairCovariance, type KernelKind } from '../../src/hpo/kernel.js';
import { createRng } from '../../src/hpo/index.js';

const kinds: KernelKind[] = ['product', 'additive'];

describe('kernels', () => {
  it.each(kinds)('%s: pair covariance equals the kernel value and its lengthscale gradient matches finite differences', (kind) => {
    const a = [0.1, 0.7, 0.4];
    const b = [0.3, 0.2, 0.45];
    const pairs = Float64Array.from(a, (v, d) => (v - b[d]) ** 2);
    const logLs = [Math.log(0.2), Math.log(0.5), Math.log(0.05)];
    const invLs2 = (ls: number[]): Float64Array => Float64Array.from(ls, (l) => Math.exp(-2 * l));
    const grad = new Float64Array(3);
    const k = pairCovariance(kind, pairs, 0, invLs2(logLs), 1.7, grad);
    expect(k).toBeCloseTo(kernelValue(kind, a, b, invLs2(logLs), 1.7), 12);
    for (let d = 0; d < 3; d++) {
      const h = 1e-6;
      const up = [...logLs];
      const down = [...logLs];
      up[d] += h;
      down[d] -= h;
      const numeric = (kernelValue(kind, a, b, invLs2(up), 1.7) - kernelValue(kind, a, b, invLs2(down), 1.7)) / (2 * h);
      expect(grad[d]).toBeCloseTo(numeric, 6);
    }
  });

  it('gives the full amplitude at zero distance for both structures', () => {
    const inv = Float64Array.from([4, 9]);
    for (const kind of kinds) expect(kernelValue(kind, [0.3, 0.6], [0.3, 0.6], inv, 2.5)).toBeCloseTo(2.5, 12);
  });
});

describe('kernel selection by posterior density', () => {
  const rng = createRng(7);
  const x = Array.from({ length: 40 }, () => Float64Array.from({ length: 4 }, () => rng.next()));
  const standardize = (v: number[]): number[] => {
    const m = v.reduce((s, t) => s + t, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, t) => s + (t - m) ** 2, 0) / v.length);
    return v.map((t) => (t - m) / sd);
  };
  const fit = (y: number[], kernel: KernelKind): number => fitGpHyper(x, y, createRng(1), { kernel, restarts: 2 })!.negLogPosterior;

  it('prefers the additive kernel for a sum of rugged one-dimensional effects', () => {
    const y = standardize(x.map((p) => p.reduce((s, v) => s + Math.cos(12 * v) + 2 * v * v, 0)));
    expect(fit(y, 'additive')).toBeLessThan(fit(y, 'product'));
  });

  it('prefers the product kernel when the parameters interact', () => {
    const y = standardize(x.map((p) => Math.sin(4 * (p[0] - 0.5) * (p[1] - 0.5) * 8) + (p[2] - p[3]) ** 2 * 3 * Math.sign(p[0] - 0.5)));
    expect(fit(y, 'product')).toBeLessThan(fit(y, 'additive'));
  });
});
