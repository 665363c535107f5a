import React from 'react';

import { HPO_FIELD, HPO_FIELDS, IHpoFormState } from '../../model/hpo';
import { FormErrors } from '../../model/submit';
import {
  HPO_ALGORITHMS,
  HpoAlgorithm,
  HpoGoal,
  MetricSelection
} from '../../wire';
import { EarlyStoppingFields } from './EarlyStoppingFields';
import { Checkbox, SelectField, TextField } from './Field';
import { HpoParamsTable } from './HpoParamsTable';
import { ISubmitPartProps } from './props';

/** Budget and warm-start fields: typed text, in the order the section shows them. */
type TextSetting =
  | 'maxTrials'
  | 'maxParallelTrials'
  | 'maxFailedTrials'
  | 'resumePreviousJobId';

/**
 * The "Hyperparameter tuning" section: objective, budget, algorithm, early
 * stopping and the searched parameters, proposed from the notebook's
 * parameters.
 */
export function HpoSection(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  const hpo = model.hpo;
  return (
    <fieldset
      className={`jp-laketahoe-HpoSection${hpo.enabled ? ' jp-mod-active' : ''}`}
    >
      <legend>
        <Checkbox
          name="hpoEnabled"
          checked={hpo.enabled}
          onChange={checked => model.updateHpo('enabled', checked)}
        >
          {trans.__('Hyperparameter tuning')}
        </Checkbox>
      </legend>
      {!hpo.enabled ? (
        <p className="jp-laketahoe-SubmitForm-hint">
          {trans.__(
            'Run many trials of the notebook with different parameter values and keep the best.'
          )}
        </p>
      ) : (
        <>
          <HpoSettings {...props} />
          <EarlyStoppingFields {...props} />
          <HpoParamsTable {...props} />
          <LooseErrors errors={errors} />
        </>
      )}
    </fieldset>
  );
}

/** Objective, algorithm and budget of the tuning job. */
function HpoSettings(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  const hpo = model.hpo;
  const update = <K extends keyof IHpoFormState>(
    key: K,
    value: IHpoFormState[K]
  ) => model.updateHpo(key, value);
  const algorithmLabels: { [a in HpoAlgorithm]: string } = {
    ALGORITHM_UNSPECIFIED: trans.__('Bayesian optimization'),
    GRID_SEARCH: trans.__('Grid search'),
    RANDOM_SEARCH: trans.__('Random search')
  };
  const textSettings: {
    key: TextSetting;
    name: string;
    label: string;
    numeric: boolean;
    hint?: string;
  }[] = [
    {
      key: 'maxTrials',
      name: 'hpoMaxTrials',
      label: trans.__('Max trials'),
      numeric: true
    },
    {
      key: 'maxParallelTrials',
      name: 'hpoMaxParallelTrials',
      label: trans.__('Max parallel trials'),
      numeric: true
    },
    {
      key: 'maxFailedTrials',
      name: 'hpoMaxFailedTrials',
      label: trans.__('Max failed trials'),
      numeric: true,
      hint: trans.__('Empty for the service default.')
    },
    {
      key: 'resumePreviousJobId',
      name: 'hpoResume',
      label: trans.__('Resume from job'),
      numeric: false,
      hint: trans.__("Warm start from an earlier tuning job's finished trials.")
    }
  ];
  return (
    <div className="jp-laketahoe-HpoSection-grid">
      <TextField
        label={trans.__('Metric')}
        field={HPO_FIELDS.metricTag}
        errors={errors}
        hint={trans.__('The name passed to laketahoe.report().')}
        name="hpoMetricTag"
        value={hpo.metricTag}
        placeholder="accuracy"
        spellCheck={false}
        onChange={value => update('metricTag', value)}
      />
      <SelectField<HpoGoal>
        label={trans.__('Goal')}
        field={HPO_FIELDS.goal}
        errors={errors}
        name="hpoGoal"
        value={hpo.goal}
        options={[
          { value: 'MAXIMIZE', label: trans.__('Maximize') },
          { value: 'MINIMIZE', label: trans.__('Minimize') }
        ]}
        onChange={value => update('goal', value)}
      />
      <SelectField<MetricSelection>
        label={trans.__('Objective value')}
        field={HPO_FIELDS.metricSelection}
        errors={errors}
        name="hpoMetricSelection"
        value={hpo.metricSelection}
        options={[
          { value: 'LAST', label: trans.__('Last reported value') },
          { value: 'BEST', label: trans.__('Best reported value') }
        ]}
        onChange={value => update('metricSelection', value)}
      />
      <SelectField<HpoAlgorithm>
        label={trans.__('Algorithm')}
        field={HPO_FIELDS.algorithm}
        errors={errors}
        name="hpoAlgorithm"
        value={hpo.algorithm}
        options={HPO_ALGORITHMS.map(a => ({
          value: a,
          label: algorithmLabels[a]
        }))}
        onChange={value => update('algorithm', value)}
      />
      {textSettings.map(setting => (
        <TextField
          key={setting.key}
          label={setting.label}
          field={HPO_FIELDS[setting.key]}
          errors={errors}
          hint={setting.hint}
          name={setting.name}
          inputMode={setting.numeric ? 'numeric' : undefined}
          spellCheck={setting.numeric ? undefined : false}
          value={hpo[setting.key]}
          onChange={value => update(setting.key, value)}
        />
      ))}
    </div>
  );
}

/** Errors on the section as a whole or on fields without an input here. */
function LooseErrors(props: { errors: FormErrors }): JSX.Element | null {
  const known = new Set<string>(Object.values(HPO_FIELDS));
  const loose = Object.entries(props.errors).filter(
    ([field]) =>
      (field === HPO_FIELD || field.startsWith(`${HPO_FIELD}.`)) &&
      !known.has(field) &&
      !field.startsWith(`${HPO_FIELDS.params}[`)
  );
  if (loose.length === 0) {
    return null;
  }
  return (
    <div className="jp-laketahoe-SubmitForm-error" role="alert">
      {loose.map(([field, message]) => (
        <div key={field}>
          {field}: {message}
        </div>
      ))}
    </div>
  );
}
