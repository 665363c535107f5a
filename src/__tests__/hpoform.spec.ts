import {
  defaultHpoState,
  HPO_FIELDS,
  IHpoFormState,
  paramField,
  proposeRow,
  rowErrors,
  toHyperparameterSpec,
  validateHpo
} from '../model/hpo';
import { parseParametersSource } from '../model/parameters';
import { SubmitFormModel } from '../model/submit';

const SOURCE = "x = 0.5\ny = 1\nname = 'gini'\nflag = True\nitems = [1, 2]\n";

function enabledState(): IHpoFormState {
  const { parameters } = parseParametersSource(SOURCE);
  return { ...defaultHpoState(parameters), enabled: true, metricTag: 'score' };
}

describe('HPO parameter rows', () => {
  it('proposes ranges around numbers and categories for strings and booleans', () => {
    const state = enabledState();
    expect(state.params.map(r => [r.name, r.type, r.enabled])).toEqual([
      ['x', 'DOUBLE', true],
      ['y', 'INTEGER', true],
      ['name', 'CATEGORICAL', false],
      ['flag', 'CATEGORICAL', true]
    ]);
    expect(state.params[0]).toMatchObject({
      min: '0.05',
      max: '5',
      scale: 'UNIT_LOG_SCALE'
    });
    expect(state.params[1]).toMatchObject({ min: '1', max: '5' });
    expect(state.params[3].values).toBe('True, False');
    expect(
      proposeRow({
        name: 'n',
        type: 'int',
        value: 0,
        literal: '0',
        comment: ''
      })
    ).toMatchObject({ min: '0', max: '10' });
    expect(
      proposeRow({
        name: 'n',
        type: 'float',
        value: -2,
        literal: '-2.0',
        comment: ''
      })
    ).toMatchObject({ min: '-20', max: '-0.2', scale: 'UNIT_LINEAR_SCALE' });
  });
});

describe('validateHpo', () => {
  it('accepts the proposed rows and builds the spec', () => {
    const state = enabledState();
    expect(validateHpo(state)).toEqual({});
    const spec = toHyperparameterSpec({
      ...state,
      maxTrials: '4',
      maxParallelTrials: '2'
    });
    expect(spec).toEqual({
      goal: 'MAXIMIZE',
      hyperparameterMetricTag: 'score',
      metricSelection: 'LAST',
      maxTrials: 4,
      maxParallelTrials: 2,
      enableTrialEarlyStopping: false,
      algorithm: 'ALGORITHM_UNSPECIFIED',
      params: [
        {
          parameterName: 'x',
          type: 'DOUBLE',
          minValue: 0.05,
          maxValue: 5,
          scaleType: 'UNIT_LOG_SCALE'
        },
        {
          parameterName: 'y',
          type: 'INTEGER',
          minValue: 1,
          maxValue: 5,
          scaleType: 'UNIT_LINEAR_SCALE'
        },
        {
          parameterName: 'flag',
          type: 'CATEGORICAL',
          categoricalValues: ['True', 'False']
        }
      ]
    });
  });

  it('checks the metric and budgets', () => {
    const state = {
      ...enabledState(),
      metricTag: 'not a name',
      maxTrials: '0',
      maxParallelTrials: 'two',
      maxFailedTrials: '-1',
      resumePreviousJobId: '9bad'
    };
    expect(Object.keys(validateHpo(state)).sort()).toEqual(
      [
        HPO_FIELDS.metricTag,
        HPO_FIELDS.maxTrials,
        HPO_FIELDS.maxParallelTrials,
        HPO_FIELDS.maxFailedTrials,
        HPO_FIELDS.resumePreviousJobId
      ].sort()
    );
  });

  it('needs positive bounds on a log scale and min < max', () => {
    const state = enabledState();
    state.params[0] = { ...state.params[0], min: '0', max: '1' };
    state.params[1] = { ...state.params[1], min: '5', max: '5' };
    const errors = validateHpo(state);
    expect(errors[paramField(0, 'minValue')]).toMatch(/log scale/);
    expect(errors[paramField(1, 'maxValue')]).toMatch(/greater than/);
    state.params[1] = { ...state.params[1], min: '1.5', max: '5' };
    expect(validateHpo(state)[paramField(1, 'minValue')]).toMatch(/whole/);
  });

  it('allows grid search only over non-DOUBLE parameters', () => {
    const state = { ...enabledState(), algorithm: 'GRID_SEARCH' as const };
    const errors = validateHpo(state);
    expect(errors[paramField(0, 'type')]).toMatch(/Grid search/);
    expect(errors[paramField(1, 'type')]).toBeUndefined();
    state.params[0] = {
      ...state.params[0],
      type: 'DISCRETE',
      values: '0.1, 0.5'
    };
    expect(validateHpo(state)).toEqual({});
  });

  it('checks values of CATEGORICAL and DISCRETE rows and needs one row', () => {
    const state = enabledState();
    state.params[3] = { ...state.params[3], values: 'a, a' };
    state.params[0] = { ...state.params[0], type: 'DISCRETE', values: '1, x' };
    const errors = validateHpo(state);
    // flag is the third searched row: "name" is not searched.
    expect(errors[paramField(2, 'categoricalValues')]).toMatch(/once/);
    expect(errors[paramField(0, 'discreteValues')]).toMatch(/numbers/);
    const none = {
      ...state,
      params: state.params.map(r => ({ ...r, enabled: false }))
    };
    expect(validateHpo(none)[HPO_FIELDS.params]).toBeDefined();
  });

  it('maps field errors to table rows by their index among searched rows', () => {
    const state = enabledState();
    const errors = {
      [paramField(2, 'categoricalValues')]: 'bad values',
      [paramField(1)]: 'bad row'
    };
    expect(rowErrors(state, 3, errors)).toEqual({
      categoricalValues: 'bad values'
    });
    expect(rowErrors(state, 1, errors)).toEqual({ '': 'bad row' });
    expect(rowErrors(state, 2, errors)).toEqual({});
  });
});

describe('SubmitFormModel with HPO', () => {
  function form() {
    const { parameters } = parseParametersSource(SOURCE);
    return new SubmitFormModel(
      'nb.ipynb',
      parameters,
      undefined,
      new Date(2026, 10, 29, 1, 1, 5)
    );
  }

  it('adds the spec and leaves searched parameters out of the notebook values', () => {
    const model = form();
    model.setParameterText(0, '0.7');
    model.setParameterText(2, 'entropy');
    model.updateHpo('enabled', true);
    expect(model.isValid).toBe(false);
    model.updateHpo('metricTag', 'score');
    expect(model.isValid).toBe(true);
    const request = model.toRequest();
    expect(request.trainingInput.notebook?.parameters).toEqual({
      name: 'entropy'
    });
    expect(
      request.trainingInput.hyperparameters?.params.map(p => p.parameterName)
    ).toEqual(['x', 'y', 'flag']);
  });

  it('clears the service error of a field once it is edited', () => {
    const model = form();
    model.updateHpo('enabled', true);
    model.updateHpo('metricTag', 'score');
    model.serverErrors = {
      [paramField(0, 'minValue')]: 'too small',
      [HPO_FIELDS.maxTrials]: 'too many'
    };
    expect(model.validate()[paramField(0, 'minValue')]).toBe('too small');
    model.setHpoParam(0, { min: '0.1' });
    expect(model.serverErrors).toEqual({ [HPO_FIELDS.maxTrials]: 'too many' });
    model.updateHpo('maxTrials', '5');
    expect(model.serverErrors).toEqual({});
  });

  it('takes values from a trial as a plain training job', () => {
    const model = form();
    model.applyValues({ x: 0.31, y: 2, flag: 'False' });
    expect(model.hpo.enabled).toBe(false);
    expect(model.changedParameters()).toEqual({ x: 0.31, y: 2, flag: false });
    expect(model.toRequest().trainingInput.hyperparameters).toBeUndefined();
  });
});
