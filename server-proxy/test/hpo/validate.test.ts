import { validateHyperparameterSpec, type HyperparameterSpec } from '../../src/hpo/index.js';

const P = 'trainingInput.hyperparameters';

function base(): HyperparameterSpec {
  return {
    goal: 'MAXIMIZE',
    hyperparameterMetricTag: 'accuracy',
    maxTrials: 20,
    maxParallelTrials: 4,
    params: [
      { parameterName: 'learning_rate', type: 'DOUBLE', minValue: 1e-4, maxValue: 1e-1, scaleType: 'UNIT_LOG_SCALE' },
      { parameterName: 'layers', type: 'INTEGER', minValue: 1, maxValue: 8 },
      { parameterName: 'optimizer', type: 'CATEGORICAL', categoricalValues: ['adam', 'sgd'] },
      { parameterName: 'batch_size', type: 'DISCRETE', discreteValues: [16, 32, 64, 128] }
    ]
  };
}

/** Fields reported for a spec mutated by `edit`. */
function fieldsOf(edit: (s: HyperparameterSpec & Record<string, unknown>) => void): string[] {
  const spec = base() as HyperparameterSpec & Record<string, unknown>;
  edit(spec);
  return validateHyperparameterSpec(spec).map((i) => i.field);
}

describe('validateHyperparameterSpec', () => {
  it('accepts a valid mixed spec and a minimal one', () => {
    expect(validateHyperparameterSpec(base())).toEqual([]);
    expect(validateHyperparameterSpec({ params: [{ parameterName: 'x', type: 'DOUBLE', minValue: 0, maxValue: 1 }] })).toEqual([]);
  });

  it('rejects non-objects and empty params', () => {
    expect(validateHyperparameterSpec(null).map((i) => i.field)).toEqual([P]);
    expect(fieldsOf((s) => (s.params = []))).toEqual([`${P}.params`]);
  });

  it.each<[string, (s: HyperparameterSpec & Record<string, unknown>) => void, string]>([
    ['unknown goal', (s) => (s.goal = 'UP' as never), `${P}.goal`],
    ['unknown algorithm', (s) => (s.algorithm = 'HYPERBAND' as never), `${P}.algorithm`],
    ['empty metric tag', (s) => (s.hyperparameterMetricTag = ''), `${P}.hyperparameterMetricTag`],
    ['fractional maxTrials', (s) => (s.maxTrials = 2.5), `${P}.maxTrials`],
    ['zero maxTrials', (s) => (s.maxTrials = 0), `${P}.maxTrials`],
    ['negative maxFailedTrials', (s) => (s.maxFailedTrials = -1), `${P}.maxFailedTrials`],
    ['maxParallelTrials above maxTrials', (s) => (s.maxParallelTrials = 21), `${P}.maxParallelTrials`],
    ['non-boolean early stopping', (s) => (s.enableTrialEarlyStopping = 'yes' as never), `${P}.enableTrialEarlyStopping`],
    ['empty resumePreviousJobId', (s) => (s.resumePreviousJobId = ''), `${P}.resumePreviousJobId`],
    ['duplicate name', (s) => (s.params[2].parameterName = 'learning_rate'), `${P}.params[2].parameterName`],
    ['name with spaces', (s) => (s.params[1].parameterName = 'num layers'), `${P}.params[1].parameterName`],
    ['name that is code', (s) => (s.params[1].parameterName = 'x = 1; import os'), `${P}.params[1].parameterName`],
    ['name that is a Python keyword', (s) => (s.params[1].parameterName = 'lambda'), `${P}.params[1].parameterName`],
    ['unknown type', (s) => (s.params[0].type = 'FLOAT' as never), `${P}.params[0].type`],
    ['min equal to max', (s) => (s.params[1].minValue = 8), `${P}.params[1].minValue`],
    ['min above max', (s) => (s.params[0].minValue = 1), `${P}.params[0].minValue`],
    ['missing maxValue', (s) => delete s.params[1].maxValue, `${P}.params[1].maxValue`],
    ['fractional INTEGER bound', (s) => (s.params[1].maxValue = 8.5), `${P}.params[1].maxValue`],
    ['log scale with zero min', (s) => (s.params[0].minValue = 0), `${P}.params[0].minValue`],
    [
      'reverse log scale with negative min',
      (s) => Object.assign(s.params[1], { minValue: -2, scaleType: 'UNIT_REVERSE_LOG_SCALE' }),
      `${P}.params[1].minValue`
    ],
    ['unknown scale', (s) => (s.params[0].scaleType = 'UNIT_EXP_SCALE' as never), `${P}.params[0].scaleType`],
    ['scale on a categorical', (s) => (s.params[2].scaleType = 'UNIT_LOG_SCALE'), `${P}.params[2].scaleType`],
    ['empty categorical values', (s) => (s.params[2].categoricalValues = []), `${P}.params[2].categoricalValues`],
    ['duplicate categorical value', (s) => (s.params[2].categoricalValues = ['adam', 'adam']), `${P}.params[2].categoricalValues[1]`],
    ['bounds on a categorical', (s) => (s.params[2].minValue = 0), `${P}.params[2].minValue`],
    ['values on a DOUBLE', (s) => (s.params[0].discreteValues = [1, 2]), `${P}.params[0].discreteValues`],
    ['unsorted discrete values', (s) => (s.params[3].discreteValues = [16, 64, 32]), `${P}.params[3].discreteValues[2]`],
    ['repeated discrete value', (s) => (s.params[3].discreteValues = [16, 16]), `${P}.params[3].discreteValues[1]`],
    ['non-finite discrete value', (s) => (s.params[3].discreteValues = [1, Infinity]), `${P}.params[3].discreteValues[1]`],
    [
      'non-positive discrete value on a log scale',
      (s) => Object.assign(s.params[3], { discreteValues: [0, 1], scaleType: 'UNIT_LOG_SCALE' }),
      `${P}.params[3].discreteValues[0]`
    ],
    [
      'too many discrete values',
      (s) => (s.params[3].discreteValues = Array.from({ length: 1001 }, (_, i) => i)),
      `${P}.params[3].discreteValues`
    ]
  ])('names the field for: %s', (_label, edit, field) => {
    expect(fieldsOf(edit)).toEqual([field]);
  });

  it('allows exactly 1000 discrete values', () => {
    expect(fieldsOf((s) => (s.params[3].discreteValues = Array.from({ length: 1000 }, (_, i) => i)))).toEqual([]);
  });

  it('reports every problem at once', () => {
    const fields = fieldsOf((s) => {
      s.goal = 'UP' as never;
      s.params[0].minValue = 1;
      s.params[2].categoricalValues = [];
    });
    expect(fields).toEqual([`${P}.goal`, `${P}.params[0].minValue`, `${P}.params[2].categoricalValues`]);
  });

  describe('GRID_SEARCH', () => {
    const grid = (): HyperparameterSpec => ({
      algorithm: 'GRID_SEARCH',
      maxTrials: 12,
      params: [
        { parameterName: 'layers', type: 'INTEGER', minValue: 1, maxValue: 3 },
        { parameterName: 'optimizer', type: 'CATEGORICAL', categoricalValues: ['adam', 'sgd'] },
        { parameterName: 'lr', type: 'DISCRETE', discreteValues: [0.01, 0.1] }
      ]
    });

    it('accepts INTEGER, CATEGORICAL and DISCRETE parameters with maxTrials up to the grid size', () => {
      expect(validateHyperparameterSpec(grid())).toEqual([]);
    });

    it('rejects DOUBLE parameters', () => {
      const spec = grid();
      spec.params.push({ parameterName: 'dropout', type: 'DOUBLE', minValue: 0, maxValue: 0.5 });
      expect(validateHyperparameterSpec(spec).map((i) => i.field)).toEqual([`${P}.params[3].type`]);
    });

    it('rejects maxTrials above the number of grid points, saying how many there are', () => {
      const spec = { ...grid(), maxTrials: 13 };
      const issues = validateHyperparameterSpec(spec);
      expect(issues.map((i) => i.field)).toEqual([`${P}.maxTrials`]);
      expect(issues[0].message).toContain('12');
    });
  });

  it('uses the caller-supplied path prefix', () => {
    const issues = validateHyperparameterSpec({ params: [] }, 'hyperparameters');
    expect(issues).toEqual([{ field: 'hyperparameters.params', message: expect.any(String) }]);
  });
});
