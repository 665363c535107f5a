import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { act } from 'react';

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
import { SubmitForm } from '../widgets/SubmitForm';

// Lets `act` flush renders and effects in this jsdom environment.
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

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

describe('early stopping settings', () => {
  function withEarlyStopping(patch: Partial<IHpoFormState>): IHpoFormState {
    return { ...enabledState(), earlyStopping: true, ...patch };
  }

  it('sends no rule while early stopping is off, whatever was typed', () => {
    const state = {
      ...enabledState(),
      earlyStoppingKind: 'asha' as const,
      earlyStoppingMinStep: '-1'
    };
    expect(validateHpo(state)).toEqual({});
    const spec = toHyperparameterSpec(state);
    expect(spec.enableTrialEarlyStopping).toBe(false);
    expect(spec.earlyStopping).toBeUndefined();
  });

  it('defaults to the median rule with the service defaults', () => {
    const state = withEarlyStopping({});
    expect(validateHpo(state)).toEqual({});
    const spec = toHyperparameterSpec(state);
    expect(spec.enableTrialEarlyStopping).toBe(true);
    expect(spec.earlyStopping).toEqual({ kind: 'median' });
  });

  it('sends only the fields of the chosen rule', () => {
    const typed = {
      earlyStoppingMinStep: ' 2 ',
      earlyStoppingMinCompletedTrials: '4',
      earlyStoppingReductionFactor: '2.5'
    };
    expect(
      toHyperparameterSpec(withEarlyStopping({ ...typed })).earlyStopping
    ).toEqual({ kind: 'median', minStep: 2, minCompletedTrials: 4 });
    expect(
      toHyperparameterSpec(
        withEarlyStopping({ ...typed, earlyStoppingKind: 'asha' })
      ).earlyStopping
    ).toEqual({ kind: 'asha', minStep: 2, reductionFactor: 2.5 });
  });

  it('checks minStep, minCompletedTrials and reductionFactor as the service does', () => {
    expect(
      validateHpo(
        withEarlyStopping({
          earlyStoppingMinStep: '-1',
          earlyStoppingMinCompletedTrials: '0'
        })
      )
    ).toEqual({
      [HPO_FIELDS.earlyStoppingMinStep]:
        'Enter a step of 0 or more, or leave empty for the default.',
      [HPO_FIELDS.earlyStoppingMinCompletedTrials]:
        'Enter a whole number of trials, 1 or more, or leave empty for 3.'
    });
    expect(
      validateHpo(withEarlyStopping({ earlyStoppingMinCompletedTrials: '1.5' }))
    ).toHaveProperty([HPO_FIELDS.earlyStoppingMinCompletedTrials]);
    expect(
      validateHpo(withEarlyStopping({ earlyStoppingMinStep: 'two' }))
    ).toHaveProperty([HPO_FIELDS.earlyStoppingMinStep]);
    // Step 0 is allowed, as are fractional steps (epochs).
    expect(
      validateHpo(withEarlyStopping({ earlyStoppingMinStep: '0.5' }))
    ).toEqual({});

    const asha = (factor: string) =>
      validateHpo(
        withEarlyStopping({
          earlyStoppingKind: 'asha',
          earlyStoppingReductionFactor: factor,
          // A median-only field is neither checked nor sent for ASHA.
          earlyStoppingMinCompletedTrials: 'x'
        })
      );
    expect(asha('1')).toEqual({
      [HPO_FIELDS.earlyStoppingReductionFactor]:
        'Enter a number of at least 1.01, or leave empty for 3.'
    });
    expect(asha('abc')).toHaveProperty([
      HPO_FIELDS.earlyStoppingReductionFactor
    ]);
    expect(asha('1.01')).toEqual({});
    expect(asha('')).toEqual({});
  });

  it('round-trips through the form model into the request', () => {
    const { parameters } = parseParametersSource(SOURCE);
    const model = new SubmitFormModel('nb.ipynb', parameters);
    model.updateHpo('enabled', true);
    model.updateHpo('metricTag', 'score');
    model.updateHpo('earlyStopping', true);
    model.updateHpo('earlyStoppingKind', 'asha');
    model.updateHpo('earlyStoppingMinStep', '1');
    model.updateHpo('earlyStoppingReductionFactor', '1');
    expect(model.isValid).toBe(false);
    expect(model.validate()[HPO_FIELDS.earlyStoppingReductionFactor]).toBe(
      'Enter a number of at least 1.01, or leave empty for 3.'
    );
    model.updateHpo('earlyStoppingReductionFactor', '2');
    expect(model.isValid).toBe(true);
    const sent = model.toRequest().trainingInput.hyperparameters;
    expect(sent?.enableTrialEarlyStopping).toBe(true);
    expect(sent?.earlyStopping).toEqual({
      kind: 'asha',
      minStep: 1,
      reductionFactor: 2
    });
  });

  it("shows the service's errors on its fields and clears them when the rule changes", () => {
    const { parameters } = parseParametersSource(SOURCE);
    const model = new SubmitFormModel('nb.ipynb', parameters);
    model.updateHpo('enabled', true);
    model.updateHpo('metricTag', 'score');
    model.updateHpo('earlyStopping', true);
    model.serverErrors = {
      [HPO_FIELDS.earlyStoppingMinStep]: 'must be >= 0',
      [HPO_FIELDS.earlyStoppingReductionFactor]: 'must be >= 1.01',
      [HPO_FIELDS.maxTrials]: 'too many'
    };
    expect(model.validate()[HPO_FIELDS.earlyStoppingMinStep]).toBe(
      'must be >= 0'
    );
    model.updateHpo('earlyStoppingMinStep', '3');
    expect(Object.keys(model.serverErrors)).toEqual([
      HPO_FIELDS.earlyStoppingReductionFactor,
      HPO_FIELDS.maxTrials
    ]);
    model.updateHpo('earlyStoppingKind', 'asha');
    expect(model.serverErrors).toEqual({ [HPO_FIELDS.maxTrials]: 'too many' });
  });
});

describe('SubmitForm early-stopping fields', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the fields of the chosen rule, with errors beside them', async () => {
    const { parameters } = parseParametersSource(SOURCE);
    const model = new SubmitFormModel('nb.ipynb', parameters);
    model.updateHpo('enabled', true);
    model.updateHpo('metricTag', 'score');
    const form = new SubmitForm(model, nullTranslator.load('laketahoe'));
    await act(async () => {
      Widget.attach(form, document.body);
      MessageLoop.sendMessage(form, Widget.Msg.UpdateRequest);
    });
    const find = (name: string) =>
      form.node.querySelector<HTMLInputElement>(`[name="${name}"]`);
    expect(find('hpoEarlyStoppingKind')).toBeNull();

    await act(async () => model.updateHpo('earlyStopping', true));
    expect(find('hpoEarlyStoppingKind')?.value).toBe('median');
    expect(find('hpoEarlyStoppingMinStep')).not.toBeNull();
    expect(find('hpoEarlyStoppingMinCompletedTrials')).not.toBeNull();
    expect(find('hpoEarlyStoppingReductionFactor')).toBeNull();

    await act(async () => {
      model.updateHpo('earlyStoppingKind', 'asha');
      model.updateHpo('earlyStoppingReductionFactor', '0.5');
    });
    expect(find('hpoEarlyStoppingMinCompletedTrials')).toBeNull();
    const factor = form.node.querySelector(
      `[data-field="${HPO_FIELDS.earlyStoppingReductionFactor}"]`
    );
    expect(factor?.querySelector('input')?.value).toBe('0.5');
    expect(factor?.querySelector('[role="alert"]')?.textContent).toBe(
      'Enter a number of at least 1.01, or leave empty for 3.'
    );
    expect(
      form.node.querySelector(
        `[data-field="${HPO_FIELDS.earlyStoppingMinStep}"]`
      )?.textContent
    ).toContain('First rung step');
    form.dispose();
  });
});
