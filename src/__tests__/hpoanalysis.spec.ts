import { csvField, trialsToCsv } from '../model/csv';
import {
  binCount,
  correlationRatio,
  parameterImportance,
  rankBins
} from '../model/importance';
import { historyData, learningCurves, sliceData } from '../model/plots';
import { makeTrial } from './helpers';

describe('parameter importance', () => {
  it('bins numbers by rank, equal values together', () => {
    expect(rankBins([5, 1, 3, 3, 100, 2], 3)).toEqual([2, 0, 1, 1, 2, 0]);
    expect(binCount(4)).toBe(2);
    expect(binCount(10000)).toBe(10);
  });

  it('gives 0 without variance or groups and 1 when groups explain all', () => {
    expect(correlationRatio(['a', 'a', 'b', 'b'], [1, 1, 1, 1]).score).toBe(0);
    expect(correlationRatio(['a', 'a', 'b', 'b'], [1, 1, 5, 5]).score).toBe(1);
  });

  it('ranks the parameter that drives the objective first', () => {
    // y depends on x only; z is noise-free but irrelevant.
    const samples = Array.from({ length: 60 }, (_, i) => {
      const x = (i % 10) / 10;
      const z = ((i * 7) % 13) / 13;
      const c = i % 2 ? 'a' : 'b';
      return { params: { x, z, c }, objective: -((x - 0.3) ** 2) };
    });
    const result = parameterImportance(samples, ['x', 'z', 'c']);
    const byName = Object.fromEntries(result.map(r => [r.name, r]));
    expect(byName.x.score).toBeGreaterThan(0.9);
    expect(byName.z.score).toBeLessThan(0.2);
    expect(byName.c.score).toBeLessThan(0.1);
    const total = result.reduce((a, r) => a + r.share, 0);
    expect(total).toBeCloseTo(1);
  });

  it('is the same on a log scale (rank bins)', () => {
    const samples = Array.from({ length: 30 }, (_, i) => ({
      params: { lr: 10 ** (-i / 5) },
      objective: i % 3
    }));
    const log = samples.map(s => ({
      ...s,
      params: { lr: Math.log(s.params.lr) }
    }));
    expect(parameterImportance(samples, ['lr'])[0].score).toBeCloseTo(
      parameterImportance(log, ['lr'])[0].score
    );
  });

  it('needs three samples', () => {
    const result = parameterImportance(
      [
        { params: { x: 1 }, objective: 1 },
        { params: { x: 2 }, objective: 2 }
      ],
      ['x']
    );
    expect(result[0]).toEqual({ name: 'x', score: 0, share: 0, groups: 0 });
  });
});

describe('CSV export', () => {
  it('quotes commas, quotes, line breaks and edge spaces', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField([1, 'a'])).toBe('"[1,""a""]"');
  });

  it('writes a header and one row per trial', () => {
    const csv = trialsToCsv(
      [
        makeTrial('1', 'SUCCEEDED', 0.25, {
          hyperparameters: { lr: 0.1, kind: 'x,y' }
        }),
        makeTrial('2', 'FAILED', null, {
          hyperparameters: { lr: 0.2 },
          errorMessage: 'metric "score" was never reported',
          endTime: null,
          startTime: null
        })
      ],
      ['lr', 'kind']
    );
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'trial,state,objective,param_lr,param_kind,steps,stopped_early,duration_s,start_time,end_time,error_message'
    );
    expect(lines[1]).toBe(
      '1,SUCCEEDED,0.25,0.1,"x,y",3,false,10,2026-11-29T01:00:00.000Z,2026-11-29T01:00:10.000Z,'
    );
    expect(lines[2]).toBe(
      '2,FAILED,,0.2,,,false,,,,"metric ""score"" was never reported"'
    );
    expect(lines[3]).toBe('');
  });
});

describe('plot data', () => {
  it('tracks the best so far over succeeded trials', () => {
    const trials = [
      makeTrial('2', 'SUCCEEDED', 0.1),
      makeTrial('1', 'SUCCEEDED', 0.5),
      makeTrial('3', 'FAILED', null),
      makeTrial('4', 'SUCCEEDED', 0.7)
    ];
    expect(historyData(trials, 'MAXIMIZE')).toEqual({
      x: [1, 2, 3, 4],
      objective: [0.5, 0.1, null, 0.7],
      best: [0.5, 0.5, 0.5, 0.7]
    });
    expect(historyData(trials, 'MINIMIZE').best).toEqual([0.5, 0.1, 0.1, 0.1]);
  });

  it('keeps the best curve among the latest ones', () => {
    const trials = Array.from({ length: 5 }, (_, i) =>
      makeTrial(String(i + 1), 'SUCCEEDED', i, {
        isTrialStoppedEarly: i === 4
      })
    );
    const curves = learningCurves(trials, '1', 2);
    expect(curves.map(c => [c.trialId, c.best, c.stoppedEarly])).toEqual([
      ['1', true, false],
      ['5', false, true]
    ]);
  });

  it('slices on a log axis and on categories', () => {
    const trials = [
      makeTrial('1', 'SUCCEEDED', 1, { hyperparameters: { lr: 0.1, k: 'b' } }),
      makeTrial('2', 'SUCCEEDED', 2, { hyperparameters: { lr: 0.01, k: 'a' } })
    ];
    const [lr, k] = sliceData(
      trials,
      ['lr', 'k'],
      [
        {
          parameterName: 'lr',
          type: 'DOUBLE',
          minValue: 0.001,
          maxValue: 1,
          scaleType: 'UNIT_LOG_SCALE'
        }
      ]
    );
    expect(lr.axis.log).toBe(true);
    expect(lr.x).toEqual([0.01, 0.1]);
    expect(lr.y).toEqual([2, 1]);
    expect(k.axis.categories).toEqual(['b', 'a']);
    expect(k.x).toEqual([0, 1]);
  });
});
