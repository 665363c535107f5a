import {
  createRng,
  createSuggester,
  GridSearch,
  RandomSearch,
  resolveSpace,
  type Assignment,
  type ParameterSpec,
  type TrialRecord
} from '../../src/hpo/index.js';

const done = (a: Assignment, objectiveValue = 0): TrialRecord => ({ hyperparameters: a, state: 'SUCCEEDED', objectiveValue });

describe('createRng', () => {
  it('is reproducible from a seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng('job-1/0');
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('draws uniform floats, integers and normals with the right moments', () => {
    const rng = createRng(7);
    const n = 20000;
    let sum = 0;
    let sumN = 0;
    let sumN2 = 0;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      counts[rng.int(4)]++;
      const z = rng.normal();
      sumN += z;
      sumN2 += z * z;
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    for (const c of counts) expect(Math.abs(c / n - 0.25)).toBeLessThan(0.02);
    expect(Math.abs(sumN / n)).toBeLessThan(0.03);
    expect(Math.abs(sumN2 / n - 1)).toBeLessThan(0.05);
  });
});

describe('GridSearch', () => {
  const params: ParameterSpec[] = [
    { parameterName: 'layers', type: 'INTEGER', minValue: 1, maxValue: 3 },
    { parameterName: 'optimizer', type: 'CATEGORICAL', categoricalValues: ['adam', 'sgd'] },
    { parameterName: 'batch', type: 'DISCRETE', discreteValues: [32, 64] }
  ];
  const key = (a: Assignment): string => `${a.layers}/${a.optimizer}/${a.batch}`;

  it('covers every grid point exactly once across calls, then returns none', () => {
    const grid = new GridSearch(resolveSpace(params));
    expect(grid.totalPoints).toBe(12);
    const rng = createRng(1);
    const history: TrialRecord[] = [];
    let pending: Assignment[] = [];
    // Uneven batch sizes, with trials finishing out of order.
    for (const count of [5, 1, 3, 4, 2]) {
      pending = [...pending, ...grid.suggest(history, pending, count, rng)];
      const finished = pending.splice(pending.length > 1 ? 1 : 0, 1);
      history.push(...finished.map((a) => done(a)));
    }
    history.push(...pending.map((a) => done(a)));
    const keys = history.map((t) => key(t.hyperparameters));
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
    expect(grid.suggest(history, [], 3, rng)).toEqual([]);
  });

  it('walks the grid in a stable row-major order (last parameter fastest)', () => {
    const grid = new GridSearch(resolveSpace(params));
    const first = grid.suggest([], [], 4, createRng(0)).map(key);
    expect(first).toEqual(['1/adam/32', '1/adam/64', '1/sgd/32', '1/sgd/64']);
    expect(grid.suggest([], [], 4, createRng(99)).map(key)).toEqual(first);
  });

  it('does not retry failed points', () => {
    const grid = new GridSearch(resolveSpace(params));
    const failed: TrialRecord = { hyperparameters: { layers: 1, optimizer: 'adam', batch: 32 }, state: 'FAILED' };
    expect(grid.suggest([failed], [], 1, createRng(0)).map(key)).toEqual(['1/adam/64']);
  });

  it('refuses continuous parameters', () => {
    expect(() => new GridSearch(resolveSpace([{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }]))).toThrow(/GRID_SEARCH/);
  });
});

describe('points already tried', () => {
  const grid = (name: string): GridSearch => new GridSearch(resolveSpace([{ parameterName: name, type: 'INTEGER', minValue: 1, maxValue: 3 }]));
  const history = [done({ a: 1 }), done({ a: 2 })];

  it('stay excluded when the same finished trials come back pass after pass', () => {
    const space = grid('a');
    for (let pass = 0; pass < 3; pass++) {
      expect(space.suggest(history, [], 3)).toEqual([{ a: 3 }]);
    }
    expect(space.suggest([...history, done({ a: 3 })], [], 3)).toEqual([]);
  });

  it('are told apart by parameter name, not by the point object alone', () => {
    expect(grid('a').suggest(history, [], 3)).toEqual([{ a: 3 }]);
    // The same point objects under another parameter name exclude nothing.
    expect(grid('b').suggest(history, [], 3)).toEqual([{ b: 1 }, { b: 2 }, { b: 3 }]);
  });
});

describe('RandomSearch', () => {
  const params: ParameterSpec[] = [
    { parameterName: 'lr', type: 'DOUBLE', minValue: 1e-5, maxValue: 1e-1, scaleType: 'UNIT_LOG_SCALE' },
    { parameterName: 'momentum', type: 'DOUBLE', minValue: 0.5, maxValue: 0.999, scaleType: 'UNIT_REVERSE_LOG_SCALE' },
    { parameterName: 'dropout', type: 'DOUBLE', minValue: 0, maxValue: 0.5 },
    { parameterName: 'units', type: 'INTEGER', minValue: 16, maxValue: 1024, scaleType: 'UNIT_LOG_SCALE' },
    { parameterName: 'depth', type: 'INTEGER', minValue: 1, maxValue: 4 },
    { parameterName: 'act', type: 'CATEGORICAL', categoricalValues: ['relu', 'gelu', 'tanh'] },
    { parameterName: 'batch', type: 'DISCRETE', discreteValues: [16, 32, 64, 128] }
  ];
  const n = 4000;
  const samples = new RandomSearch(resolveSpace(params)).suggest([], [], n, createRng(2024));
  const col = (name: string): number[] => samples.map((a) => a[name] as number);
  const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;

  it('returns distinct points inside the bounds with the right types', () => {
    expect(samples).toHaveLength(n);
    expect(new Set(samples.map((a) => JSON.stringify(a))).size).toBe(n);
    for (const a of samples) {
      expect(a.lr).toBeGreaterThanOrEqual(1e-5);
      expect(a.lr).toBeLessThanOrEqual(1e-1);
      expect(a.dropout).toBeGreaterThanOrEqual(0);
      expect(a.dropout).toBeLessThanOrEqual(0.5);
      expect(Number.isInteger(a.units)).toBe(true);
      expect(a.units).toBeGreaterThanOrEqual(16);
      expect(a.units).toBeLessThanOrEqual(1024);
      expect(Number.isInteger(a.depth)).toBe(true);
      expect(['relu', 'gelu', 'tanh']).toContain(a.act);
      expect([16, 32, 64, 128]).toContain(a.batch);
    }
  });

  it('samples log-scaled parameters log-uniformly', () => {
    // log10(lr) is uniform on [-5, -1]: mean -3, variance 16/12; a third of the mass per decade pair.
    const logs = col('lr').map(Math.log10);
    expect(mean(logs)).toBeCloseTo(-3, 1);
    const variance = mean(logs.map((v) => (v + 3) ** 2));
    expect(Math.abs(variance - 16 / 12)).toBeLessThan(0.08);
    const belowMinus4 = logs.filter((v) => v < -4).length / n;
    expect(Math.abs(belowMinus4 - 0.25)).toBeLessThan(0.03);
    // A linear sampler would put about 0.01% of samples below 1e-4.
    expect(col('lr').filter((v) => v < 1e-4).length / n).toBeGreaterThan(0.2);
  });

  it('samples reverse-log parameters densely near the top', () => {
    // 1.499 - momentum is log-uniform on [0.5, 0.999].
    const logs = col('momentum').map((v) => Math.log(1.499 - v));
    const lo = Math.log(0.5);
    const hi = Math.log(0.999);
    expect(mean(logs)).toBeCloseTo((lo + hi) / 2, 1);
    expect(col('momentum').filter((v) => v > 0.9).length / n).toBeGreaterThan(0.25);
  });

  it('samples linear, integer and categorical parameters uniformly', () => {
    expect(mean(col('dropout'))).toBeCloseTo(0.25, 1);
    for (const d of [1, 2, 3, 4]) {
      expect(Math.abs(col('depth').filter((v) => v === d).length / n - 0.25)).toBeLessThan(0.03);
    }
    for (const c of ['relu', 'gelu', 'tanh']) {
      expect(Math.abs(samples.filter((a) => a.act === c).length / n - 1 / 3)).toBeLessThan(0.03);
    }
    // Log-scaled integers: log(units) near uniform on [log 16, log 1024].
    const logUnits = col('units').map(Math.log2);
    expect(mean(logUnits)).toBeCloseTo(7, 0);
  });

  it('is reproducible from the seed', () => {
    const again = new RandomSearch(resolveSpace(params)).suggest([], [], 5, createRng(2024));
    expect(again).toEqual(samples.slice(0, 5));
  });

  it('exhausts a small finite space without repeats', () => {
    const rs = createSuggester({
      algorithm: 'RANDOM_SEARCH',
      params: [
        { parameterName: 'a', type: 'INTEGER', minValue: 0, maxValue: 2 },
        { parameterName: 'b', type: 'CATEGORICAL', categoricalValues: ['x', 'y'] }
      ]
    });
    const history: TrialRecord[] = [];
    for (let i = 0; i < 4; i++) history.push(...rs.suggest(history, [], 2, createRng(i)).map((a) => done(a)));
    expect(history).toHaveLength(6);
    expect(new Set(history.map((t) => `${t.hyperparameters.a}${t.hyperparameters.b}`)).size).toBe(6);
  });
});
