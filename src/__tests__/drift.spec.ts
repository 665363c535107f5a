import {
  DEFAULT_DRIFT_SORT,
  featureHistogram,
  requestColumns,
  sortDriftRows,
  toggleDriftSort
} from '../model/drift';
import { IFeatureDrift } from '../wire';

/** A feature as services before `score` and `rows` answered it: the table falls back to PSI / JS. */
const withoutScore = (
  feature: Omit<IFeatureDrift, 'score' | 'rows'>
): IFeatureDrift => feature as IFeatureDrift;

const numeric = (
  name: string,
  psi: number,
  ksPValue: number | undefined,
  drifted: boolean
): IFeatureDrift =>
  withoutScore({
    name,
    kind: 'numeric',
    psi,
    ks: 0.1,
    ksPValue,
    drifted,
    baseline: { edges: [0, 1, 2], counts: [3, 1] },
    live: { counts: [1, 3] }
  });

const features: IFeatureDrift[] = [
  numeric('b', 0.05, 0.5, false),
  withoutScore({
    name: 'color',
    kind: 'categorical',
    js: 0.3,
    chi2PValue: 0.001,
    drifted: true,
    baseline: { categories: { red: 6, blue: 2 } },
    live: { categories: { blue: 1, green: 3 } }
  }),
  numeric('a', 0.31, undefined, true),
  numeric('c', 0.05, 0.2, false)
];

describe('drift table', () => {
  it('opens most drifted first, ties by name', () => {
    const rows = sortDriftRows(features, DEFAULT_DRIFT_SORT);
    expect(rows.map(r => r.name)).toEqual(['a', 'color', 'b', 'c']);
    expect(rows[1]).toMatchObject({
      kind: 'categorical',
      statistic: 'js',
      score: 0.3,
      pValue: 0.001,
      drifted: true
    });
    expect(rows[0]).toMatchObject({ statistic: 'psi', pValue: null });
  });

  it('sorts by every column in both directions', () => {
    const names = (key: any, direction: 'asc' | 'desc') =>
      sortDriftRows(features, { key, direction }).map(r => r.name);
    expect(names('name', 'asc')).toEqual(['a', 'b', 'c', 'color']);
    expect(names('name', 'desc')).toEqual(['color', 'c', 'b', 'a']);
    expect(names('score', 'asc')).toEqual(['b', 'c', 'color', 'a']);
    expect(names('kind', 'asc')).toEqual(['color', 'a', 'b', 'c']);
    expect(names('drifted', 'desc')).toEqual(['a', 'color', 'b', 'c']);
    // A missing p-value stays last either way.
    expect(names('pValue', 'asc')).toEqual(['color', 'c', 'b', 'a']);
    expect(names('pValue', 'desc')).toEqual(['b', 'c', 'color', 'a']);
  });

  it('toggles the direction of the current column, defaults per column', () => {
    expect(toggleDriftSort(DEFAULT_DRIFT_SORT, 'score')).toEqual({
      key: 'score',
      direction: 'asc'
    });
    expect(toggleDriftSort(DEFAULT_DRIFT_SORT, 'name')).toEqual({
      key: 'name',
      direction: 'asc'
    });
    expect(
      toggleDriftSort({ key: 'name', direction: 'asc' }, 'pValue')
    ).toEqual({ key: 'pValue', direction: 'desc' });
  });
});

describe('histograms', () => {
  it('puts numeric live counts on the baseline bins as shares', () => {
    const histogram = featureHistogram(numeric('a', 0.3, 0.1, true));
    expect(histogram).toEqual({
      labels: ['0–1', '1–2'],
      baseline: [0.75, 0.25],
      live: [0.25, 0.75]
    });
  });

  it('joins the categories of both sides, training order first', () => {
    expect(featureHistogram(features[1])).toEqual({
      labels: ['red', 'blue', 'green'],
      baseline: [0.75, 0.25, 0],
      live: [0, 0.25, 0.75]
    });
  });

  it('has zero shares without live rows', () => {
    const empty = featureHistogram({
      ...numeric('x', 0, 1, false),
      live: {}
    });
    expect(empty.live).toEqual([0, 0]);
  });
});

describe('request series', () => {
  it('turns steps into rates and leaves latency gaps without requests', () => {
    const columns = requestColumns(
      [
        {
          time: '2026-11-29T01:00:00.000Z',
          requests: 120,
          errors: 6,
          clientErrors: 6,
          serverErrors: 0,
          errorRate: 0.05,
          latencyMs: { p50: 1.2, p95: 3.1, p99: 4, mean: 2 }
        },
        {
          time: '2026-11-29T01:01:00.000Z',
          requests: 0,
          errors: 0,
          clientErrors: 0,
          serverErrors: 0,
          errorRate: 0,
          latencyMs: { p50: null, p95: null, p99: null, mean: null }
        },
        {
          time: 'not a time',
          requests: 1,
          errors: 0,
          clientErrors: 0,
          serverErrors: 0,
          errorRate: 0,
          latencyMs: { p50: null, p95: null, p99: null, mean: null }
        }
      ],
      60
    );
    expect(columns).toEqual({
      time: [1795914000, 1795914060],
      rate: [2, 0],
      errorRate: [0.05, 0],
      p50: [1.2, null],
      p95: [3.1, null],
      p99: [4, null]
    });
  });
});

describe('configured statistics', () => {
  it("uses the answer's score and names its statistic", () => {
    const rows = sortDriftRows(
      [
        { ...numeric('a', 0.9, 0.5, false), score: 0.12 },
        { ...numeric('b', 0.01, 0.5, true), score: 0.4 }
      ],
      DEFAULT_DRIFT_SORT,
      { numeric: 'ks', categorical: 'chi2' }
    );
    expect(rows.map(r => [r.name, r.score, r.statistic])).toEqual([
      ['b', 0.4, 'ks'],
      ['a', 0.12, 'ks']
    ]);
  });
});
