import { categoricalDrift, driftReport, numericDrift, prepareBaseline, BaselineError } from '../../src/monitoring/drift.js';
import {
  binCounts,
  chiSquaredHomogeneity,
  jensenShannon,
  kolmogorovSurvival,
  ksTwoSample,
  logGamma,
  psi,
  regularizedGammaQ,
  sortNumbers,
  wasserstein1
} from '../../src/monitoring/stats.js';
import { RowWindow } from '../../src/monitoring/window.js';

// Expected values were computed with numpy 2.4.6 / scipy 1.17.1 (the repository's .venv); the
// scipy call is written next to each.
const sorted = (values: number[]) => Float64Array.from(values).sort();

describe('sorting', () => {
  test('the radix sort orders negative, zero, tiny, huge and repeated values like a comparison sort', () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    // Both long enough for the radix sort (8,192 values and up).
    const values = Array.from({ length: 10_000 }, (_, i) =>
      i % 7 === 0 ? -next() * 1e6 : i % 11 === 0 ? next() * 1e-300 : i % 13 === 0 ? 3.5 : i % 17 === 0 ? -0.25 : (next() - 0.5) * 100
    );
    values.push(0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE);
    const expected = [...values].sort((a, b) => a - b);
    expect(Array.from(sortNumbers(Float64Array.from(values)))).toEqual(expected);
    // A view into a larger buffer is sorted in place, leaving the rest alone.
    const buffer = Float64Array.from({ length: 9002 }, (_, i) => (i === 0 || i === 9001 ? 1e9 : 9001 - i));
    sortNumbers(buffer.subarray(1, 9001));
    expect(Array.from(buffer)).toEqual([1e9, ...Array.from({ length: 9000 }, (_, i) => i + 1), 1e9]);
  });
});

describe('statistics against scipy', () => {
  test('bin counts follow np.histogram inside the edges', () => {
    // np.histogram([0,.5,1,1.5,2,2.5,3,3.5,4,4,2.2], [0,1,2,3,4])[0] == [2, 2, 3, 4]
    expect(binCounts(sorted([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4, 2.2]), [0, 1, 2, 3, 4])).toEqual([2, 2, 3, 4]);
  });

  test('values outside the edges fall into the first and last bins instead of being dropped', () => {
    expect(binCounts(sorted([-5, 0.5, 9, 100]), [0, 1, 2, 3])).toEqual([2, 0, 2]);
  });

  test('PSI of two histograms, with epsilon for empty bins', () => {
    // sum((pa - pe) * log(pa / pe)) with pe = [.1,.2,.3,.4], pa = [.4,.3,.2,.1]
    expect(psi([10, 20, 30, 40], [40, 30, 20, 10])).toBeCloseTo(0.9128696382935673, 12);
    // the same with both proportions floored at 1e-4
    expect(psi([50, 50, 0], [20, 30, 50])).toBeCloseTo(4.634797220704422, 12);
    expect(psi([5, 5], [50, 50])).toBe(0);
  });

  test('Kolmogorov survival function equals scipy.stats.kstwobign.sf on both sides of the series switch', () => {
    const expected: [number, number][] = [
      [0.2, 0.999999999999495],
      [0.5, 0.9639452436648751],
      [0.8, 0.5441424115741981],
      [1.0, 0.26999967167735456],
      [1.17, 0.12939004218561884],
      [1.19, 0.11774229287977166],
      [1.5, 0.022217962616525127],
      [2.0, 0.0006709252557796953],
      [3.0, 3.045995948942526e-8]
    ];
    for (const [x, sf] of expected) {
      expect(Math.abs(kolmogorovSurvival(x) - sf)).toBeLessThan(1e-12 + 1e-9 * sf);
    }
    expect(kolmogorovSurvival(0)).toBe(1);
  });

  test('two-sample KS statistic (scipy.stats.ks_2samp) with ties, and its asymptotic p-value', () => {
    const r = ksTwoSample(sorted([0.1, 0.5, 0.9, 1.3, 2.0, 2.2, 3.1, 0.5]), sorted([0.2, 0.5, 1.0, 1.1, 2.5, 4.0]));
    expect(r.statistic).toBeCloseTo(0.20833333333333334, 12);
    // kstwobign.sf(D * sqrt(n m / (n + m)))
    expect(r.pValue).toBeCloseTo(0.998369689980837, 10);

    const a = Array.from({ length: 40 }, (_, i) => i / 40);
    const b = Array.from({ length: 30 }, (_, i) => 0.3 + i / 40);
    const shifted = ksTwoSample(sorted(a), sorted(b));
    expect(shifted.statistic).toBeCloseTo(0.3, 12);
    expect(shifted.pValue).toBeCloseTo(0.09138604092682986, 10);
    expect(ksTwoSample(sorted([]), sorted([1]))).toEqual({ statistic: 0, pValue: 1 });
  });

  test('Wasserstein-1 equals scipy.stats.wasserstein_distance', () => {
    expect(wasserstein1(sorted([0.1, 0.5, 0.9, 1.3, 2.0, 2.2, 3.1, 0.5]), sorted([0.2, 0.5, 1.0, 1.1, 2.5, 4.0]))).toBeCloseTo(0.375, 12);
    const a = Array.from({ length: 40 }, (_, i) => i / 40);
    const b = Array.from({ length: 30 }, (_, i) => 0.3 + i / 40);
    expect(wasserstein1(sorted(a), sorted(b))).toBeCloseTo(0.175, 12);
    // Shifting a sample by c moves it by exactly c.
    expect(wasserstein1(sorted([1, 2, 3]), sorted([6, 7, 8]))).toBeCloseTo(5, 12);
  });

  test('Jensen-Shannon distance equals scipy.spatial.distance.jensenshannon(p, q, base=2)', () => {
    expect(jensenShannon([10, 5, 0, 3], [2, 6, 4, 8])).toBeCloseTo(0.5116892671138855, 12);
    expect(jensenShannon([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 12);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(1, 12);
  });

  test('chi-squared homogeneity equals scipy.stats.chi2_contingency(correction=False)', () => {
    const r = chiSquaredHomogeneity([10, 5, 0, 3], [2, 6, 4, 8]);
    expect(r.statistic).toBeCloseTo(11.623905723905724, 10);
    expect(r.dof).toBe(3);
    expect(r.pValue).toBeCloseTo(0.008789083324656891, 12);
    // A category empty on both sides does not count as a degree of freedom.
    expect(chiSquaredHomogeneity([10, 5, 0, 3, 0], [2, 6, 4, 8, 0]).dof).toBe(3);
    expect(chiSquaredHomogeneity([4], [9]).pValue).toBe(1);
  });

  test('regularized upper incomplete gamma equals scipy.special.gammaincc, ln Γ equals gammaln', () => {
    const q: [number, number, number][] = [
      [0.5, 0.3, 0.4385780260809997],
      [1.5, 4.0, 0.04601170568923136],
      [3, 2.5, 0.5438131158833297],
      [10, 12.0, 0.24239216167051245],
      [0.5, 20, 2.5396285894708634e-10]
    ];
    for (const [a, x, expected] of q) {
      expect(Math.abs(regularizedGammaQ(a, x) - expected)).toBeLessThan(1e-13 + 1e-10 * expected);
    }
    const lg: [number, number][] = [
      [0.5, 0.5723649429247],
      [1, 0],
      [3.7, 1.428072326665388],
      [10, 12.801827480081469],
      [100.5, 361.43554046777757]
    ];
    for (const [x, expected] of lg) {
      expect(logGamma(x)).toBeCloseTo(expected, 11);
    }
  });
});

describe('feature drift', () => {
  const config = { numeric: 'psi' as const, categorical: 'js' as const, threshold: 0.2 };
  const uniform = Array.from({ length: 1000 }, (_, i) => i / 100); // 0 .. 9.99
  const baseline = prepareBaseline({
    rows: 1000,
    features: [
      { name: 'x', kind: 'numeric', edges: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9.99], counts: Array(10).fill(100), sample: uniform },
      { name: 'color', kind: 'categorical', categories: { red: 500, blue: 500 } }
    ],
    prediction: { name: 'prediction', kind: 'categorical', categories: { '0': 700, '1': 300 } }
  });
  const x = baseline.features[0] as Parameters<typeof numericDrift>[0];

  test('live data like the training data does not drift; shifted data does, by every numeric metric', () => {
    const same = numericDrift(x, Float64Array.from(uniform.filter((_, i) => i % 2 === 0)), config);
    expect(same.psi).toBeLessThan(0.01);
    expect(same.ks).toBeLessThan(0.01);
    expect(same.drifted).toBe(false);
    expect(same.live).toEqual({ counts: Array(10).fill(50) });

    const shifted = Float64Array.from(uniform.map(v => v + 3));
    const psiDrift = numericDrift(x, shifted.slice(), config);
    expect(psiDrift.psi).toBeGreaterThan(2);
    expect(psiDrift.ks).toBeCloseTo(0.3, 2);
    expect(psiDrift.ksPValue).toBeLessThan(1e-6);
    expect(psiDrift.wasserstein).toBeCloseTo(3, 6);
    expect(psiDrift.drifted).toBe(true);
    expect(psiDrift.score).toBe(psiDrift.psi);

    const ks = numericDrift(x, shifted.slice(), { ...config, numeric: 'ks', threshold: 0.35 });
    expect(ks.score).toBe(ks.ks);
    expect(ks.drifted).toBe(false);
    const w = numericDrift(x, shifted.slice(), { ...config, numeric: 'wasserstein', threshold: 2.5 });
    expect(w.score).toBeCloseTo(3, 6);
    expect(w.drifted).toBe(true);
  });

  test('categorical drift by JS distance or chi-squared p-value; unseen categories count', () => {
    const color = baseline.features[1] as Parameters<typeof categoricalDrift>[0];
    const balanced = categoricalDrift(color, [...Array(50).fill('red'), ...Array(50).fill('blue')], config);
    expect(balanced.js).toBeCloseTo(0, 12);
    expect(balanced.chi2PValue).toBeCloseTo(1, 12);
    expect(balanced.drifted).toBe(false);

    const green = categoricalDrift(color, [...Array(50).fill('red'), ...Array(50).fill('green')], config);
    expect(green.live).toEqual({ categories: { red: 50, green: 50 } });
    expect(green.js).toBeGreaterThan(0.5);
    expect(green.drifted).toBe(true);
    const chi2 = categoricalDrift(color, [...Array(50).fill('red'), ...Array(50).fill('green')], { ...config, categorical: 'chi2', threshold: 0.05 });
    expect(chi2.chi2PValue).toBeLessThan(1e-10);
    expect(chi2.score).toBeCloseTo(1, 9);
    expect(chi2.drifted).toBe(true);
  });

  test('the report names the feature with the largest score and includes prediction drift', () => {
    const inputs = new RowWindow(
      [
        { name: 'x', kind: 'numeric' },
        { name: 'color', kind: 'categorical' }
      ],
      1000
    );
    const n = 200;
    inputs.append(1, {
      rows: n,
      columns: new Map<string, ArrayLike<number> | string[]>([
        ['x', Array.from({ length: n }, (_, i) => 5 + (i % 100) / 20)],
        ['color', Array.from({ length: n }, (_, i) => (i % 2 ? 'red' : 'blue'))]
      ])
    });
    const predictions = new RowWindow([{ name: 'prediction', kind: 'categorical' }], 1000);
    predictions.append(1, { rows: 4, columns: new Map([['prediction', [0, 1, 1, 1]]]) });
    const report = driftReport(baseline, inputs, predictions, config, new Date(0));
    expect(report.rows).toBe(n);
    expect(report.feature).toBe('x');
    expect(report.score).toBe(report.features[0].psi);
    expect(report.drifted).toBe(true);
    expect(report.features.map(f => [f.name, f.drifted])).toEqual([
      ['x', true],
      ['color', false]
    ]);
    expect(report.prediction?.live).toEqual({ categories: { '0': 1, '1': 3 } });
  });

  test('a malformed baseline is refused with the field named', () => {
    expect(() => prepareBaseline({ features: [{ name: 'x', kind: 'numeric', edges: [0, 1], counts: [1, 2] }] })).toThrow(
      new BaselineError('baseline: features[0] needs k + 1 finite edges and k counts')
    );
    expect(() => prepareBaseline({})).toThrow('baseline: features must be a list');
  });
});
