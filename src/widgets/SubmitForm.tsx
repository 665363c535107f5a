import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import React from 'react';

import { useSignals } from '../components/common';
import { HPO_FIELD, HPO_FIELDS, rowErrors } from '../model/hpo';
import {
  FIELD,
  FORM_SCALE_TIERS,
  FormErrors,
  SubmitFormModel
} from '../model/submit';
import {
  BackendName,
  EarlyStoppingKind,
  HPO_ALGORITHMS,
  HpoAlgorithm,
  HpoGoal,
  MetricSelection,
  PARAMETER_TYPES,
  ParameterSpecType,
  Priority,
  PRIORITIES,
  SCALE_TYPES,
  ScaleTier,
  ScaleType
} from '../wire';

/**
 * The body of the submit dialog. It renders a {@link SubmitFormModel} and
 * keeps the dialog's accept button disabled while the form is invalid.
 */
export class SubmitForm extends ReactWidget {
  /** Create the form body. */
  constructor(
    readonly model: SubmitFormModel,
    private readonly trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-laketahoe-SubmitForm');
    model.changed.connect(this._syncAccept, this);
  }

  /** The form model, as the dialog's value. */
  getValue(): SubmitFormModel {
    return this.model;
  }

  /** Render the fields. */
  protected render(): JSX.Element {
    return <SubmitFormView model={this.model} trans={this.trans} />;
  }

  /** Sync the accept button once the dialog is in the DOM. */
  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._syncAccept();
  }

  /** Stop listening to the model. */
  dispose(): void {
    this.model.changed.disconnect(this._syncAccept, this);
    super.dispose();
  }

  private _syncAccept(): void {
    const dialog = this.node.closest('.jp-Dialog-content');
    const accept = dialog?.querySelector<HTMLButtonElement>(
      '.jp-Dialog-footer .jp-mod-accept'
    );
    if (accept) {
      accept.disabled = !this.model.isValid;
    }
  }
}

/** The form fields. */
function SubmitFormView(props: {
  model: SubmitFormModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed);
  const errors = model.validate();
  const info = model.info;
  const tierLabels: { [tier: string]: string } = {
    BASIC: trans.__('BASIC: one CPU worker'),
    BASIC_GPU: trans.__('BASIC_GPU: one worker with a GPU'),
    STANDARD_1: trans.__('STANDARD_1: distributed workers'),
    PREMIUM_1: trans.__('PREMIUM_1: large distributed cluster'),
    CUSTOM: trans.__('CUSTOM: choose CPU, memory and GPUs')
  };
  const priorityLabels: { [p in Priority]: string } = {
    high: trans.__('High (scheduled jobs)'),
    middle: trans.__('Middle (normal jobs)'),
    low: trans.__('Low (bulk experiments)')
  };

  return (
    <form
      className="jp-laketahoe-SubmitForm-form"
      onSubmit={e => e.preventDefault()}
      noValidate
    >
      <p className="jp-laketahoe-SubmitForm-notebook">
        {trans.__('Notebook: %1', model.notebookPath)}
      </p>

      <Field label={trans.__('Job ID')} field={FIELD.jobId} errors={errors}>
        <input
          className="jp-mod-styled jp-laketahoe-SubmitForm-jobId"
          name="jobId"
          value={model.jobId}
          maxLength={128}
          spellCheck={false}
          onChange={e => model.update('jobId', e.target.value, FIELD.jobId)}
        />
      </Field>

      {model.showBackendChooser && (
        <Field label={trans.__('Run on')} field={FIELD.backend} errors={errors}>
          <select
            className="jp-mod-styled jp-laketahoe-SubmitForm-backend"
            name="backend"
            value={model.targetBackend?.name ?? ''}
            onChange={e =>
              model.update(
                'backend',
                e.target.value as BackendName,
                FIELD.backend
              )
            }
          >
            {model.backendChoices.map(b => (
              <option key={b.name} value={b.name}>
                {b.name === 'kubernetes'
                  ? trans.__('Kubernetes cluster')
                  : trans.__('This machine')}
              </option>
            ))}
          </select>
        </Field>
      )}
      {model.targetBackend?.name === 'kubernetes' && (
        <p className="jp-laketahoe-SubmitForm-target">
          {trans.__(
            'Cluster %1, namespace %2',
            model.targetBackend.server ?? '',
            model.targetBackend.namespace ?? ''
          )}
        </p>
      )}

      <Field
        label={trans.__('Scale tier')}
        field={FIELD.scaleTier}
        errors={errors}
        hint={
          model.isTierUnavailable('STANDARD_1')
            ? trans.__(
                'Distributed tiers need a cluster backend; this one runs jobs locally.'
              )
            : undefined
        }
      >
        <select
          className="jp-mod-styled jp-laketahoe-SubmitForm-scaleTier"
          name="scaleTier"
          value={model.scaleTier}
          onChange={e =>
            model.update(
              'scaleTier',
              e.target.value as ScaleTier,
              FIELD.scaleTier
            )
          }
        >
          {FORM_SCALE_TIERS.map(tier => (
            <option
              key={tier}
              value={tier}
              disabled={model.isTierUnavailable(tier)}
            >
              {tierLabels[tier]}
              {info?.scaleTiers?.[tier]
                ? ` (${info.scaleTiers[tier].cpu} CPU, ${formatGb(
                    info.scaleTiers[tier].memoryBytes
                  )} GB, ${info.scaleTiers[tier].gpu} GPU)`
                : ''}
            </option>
          ))}
        </select>
      </Field>

      {model.scaleTier === 'CUSTOM' && (
        <div className="jp-laketahoe-SubmitForm-custom">
          <Field label={trans.__('CPUs')} field={FIELD.cpu} errors={errors}>
            <input
              className="jp-mod-styled"
              name="cpu"
              inputMode="decimal"
              value={model.cpu}
              onChange={e => model.update('cpu', e.target.value, FIELD.cpu)}
            />
          </Field>
          <Field
            label={trans.__('Memory (GB)')}
            field={FIELD.memoryGb}
            errors={errors}
          >
            <input
              className="jp-mod-styled"
              name="memoryGb"
              inputMode="decimal"
              value={model.memoryGb}
              onChange={e =>
                model.update('memoryGb', e.target.value, FIELD.memoryGb)
              }
            />
          </Field>
          <Field
            label={trans.__('GPUs')}
            field={FIELD.gpuCount}
            errors={errors}
          >
            <input
              className="jp-mod-styled"
              name="gpuCount"
              inputMode="numeric"
              value={model.gpuCount}
              onChange={e =>
                model.update('gpuCount', e.target.value, FIELD.gpuCount)
              }
            />
          </Field>
        </div>
      )}

      <Field
        label={trans.__('Container image')}
        field="trainingInput.masterConfig.imageUri"
        errors={errors}
        hint={
          info && info.backend === 'local'
            ? trans.__(
                'Kept with the job; the local backend runs in the host Python environment.'
              )
            : undefined
        }
      >
        <input
          className="jp-mod-styled jp-laketahoe-SubmitForm-image"
          name="imageUri"
          value={model.imageUri}
          placeholder="containerregistry.example.com/aipf/laketahoecustom-tensorflow-gpu:1.0"
          spellCheck={false}
          onChange={e => model.update('imageUri', e.target.value)}
        />
      </Field>

      <Field
        label={trans.__('Priority')}
        field="trainingInput.priority"
        errors={errors}
      >
        <select
          className="jp-mod-styled jp-laketahoe-SubmitForm-priority"
          name="priority"
          value={model.priority}
          onChange={e => model.update('priority', e.target.value as Priority)}
        >
          {PRIORITIES.map(p => (
            <option key={p} value={p}>
              {priorityLabels[p]}
            </option>
          ))}
        </select>
      </Field>

      <Field
        label={trans.__('Max running time (seconds)')}
        field={FIELD.maxRunningTime}
        errors={errors}
        hint={trans.__('Empty or 0 for no limit.')}
      >
        <input
          className="jp-mod-styled jp-laketahoe-SubmitForm-maxRunningTime"
          name="maxRunningTime"
          inputMode="numeric"
          value={model.maxRunningTimeSeconds}
          onChange={e =>
            model.update(
              'maxRunningTimeSeconds',
              e.target.value,
              FIELD.maxRunningTime
            )
          }
        />
      </Field>

      <label className="jp-laketahoe-SubmitForm-checkbox">
        <input
          type="checkbox"
          name="includeFolder"
          checked={model.includeFolder}
          onChange={e => model.update('includeFolder', e.target.checked)}
        />
        {trans.__(
          "Include the notebook's folder (for data files and modules next to it)"
        )}
      </label>

      <fieldset className="jp-laketahoe-SubmitForm-parameters">
        <legend>{trans.__('Parameters')}</legend>
        {model.parameters.length === 0 ? (
          <p className="jp-laketahoe-empty">
            {trans.__(
              'No cell tagged "parameters" with simple assignments was found; the notebook runs with its own values.'
            )}
          </p>
        ) : (
          <table className="jp-laketahoe-ParametersTable">
            <thead>
              <tr>
                <th scope="col">{trans.__('Name')}</th>
                <th scope="col">{trans.__('Type')}</th>
                <th scope="col">{trans.__('Value')}</th>
              </tr>
            </thead>
            <tbody>
              {model.parameters.map((row, index) => {
                const field = `${FIELD.parameters}.${row.parameter.name}`;
                const error = errors[field];
                return (
                  <tr
                    key={row.parameter.name}
                    className="jp-laketahoe-ParametersTable-row"
                    data-parameter={row.parameter.name}
                  >
                    <th scope="row" title={row.parameter.comment}>
                      {row.parameter.name}
                    </th>
                    <td className="jp-laketahoe-ParametersTable-type">
                      {row.parameter.type}
                    </td>
                    <td>
                      {row.parameter.type === 'bool' ? (
                        <select
                          className="jp-mod-styled"
                          aria-label={row.parameter.name}
                          value={
                            /^true$/i.test(row.text.trim()) ? 'True' : 'False'
                          }
                          onChange={e =>
                            model.setParameterText(index, e.target.value)
                          }
                        >
                          <option value="True">True</option>
                          <option value="False">False</option>
                        </select>
                      ) : (
                        <input
                          className={`jp-mod-styled${error ? ' jp-laketahoe-mod-invalid' : ''}`}
                          aria-label={row.parameter.name}
                          aria-invalid={!!error}
                          spellCheck={false}
                          value={row.text}
                          onChange={e =>
                            model.setParameterText(index, e.target.value)
                          }
                        />
                      )}
                      {error && (
                        <div
                          className="jp-laketahoe-SubmitForm-error"
                          role="alert"
                        >
                          {error}
                        </div>
                      )}
                      {row.parameter.comment && (
                        <div className="jp-laketahoe-SubmitForm-hint">
                          {row.parameter.comment}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {model.skippedParameterLines.length > 0 && (
          <p className="jp-laketahoe-SubmitForm-hint">
            {trans._n(
              '%1 line of the parameters cell is not editable here and keeps its notebook value.',
              '%1 lines of the parameters cell are not editable here and keep their notebook values.',
              model.skippedParameterLines.length
            )}
          </p>
        )}
      </fieldset>
      <HpoSection model={model} errors={errors} trans={trans} />
      <OtherErrors errors={errors} />
    </form>
  );
}

/**
 * The "Hyperparameter tuning" section: objective, budget, algorithm and
 * the searched parameters, proposed from the notebook's parameters.
 */
function HpoSection(props: {
  model: SubmitFormModel;
  errors: FormErrors;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, errors, trans } = props;
  const hpo = model.hpo;
  const algorithmLabels: { [a in HpoAlgorithm]: string } = {
    ALGORITHM_UNSPECIFIED: trans.__('Bayesian optimization'),
    GRID_SEARCH: trans.__('Grid search'),
    RANDOM_SEARCH: trans.__('Random search')
  };
  const scaleLabels: { [s in ScaleType]: string } = {
    NONE: trans.__('none'),
    UNIT_LINEAR_SCALE: trans.__('linear'),
    UNIT_LOG_SCALE: trans.__('log'),
    UNIT_REVERSE_LOG_SCALE: trans.__('reverse log')
  };
  // Errors on the section as a whole or on fields without an input here.
  const known = new Set<string>(Object.values(HPO_FIELDS));
  const loose = Object.entries(errors).filter(
    ([field]) =>
      (field === HPO_FIELD || field.startsWith(`${HPO_FIELD}.`)) &&
      !known.has(field) &&
      !field.startsWith(`${HPO_FIELDS.params}[`)
  );
  return (
    <fieldset
      className={`jp-laketahoe-HpoSection${hpo.enabled ? ' jp-mod-active' : ''}`}
    >
      <legend>
        <label className="jp-laketahoe-SubmitForm-checkbox">
          <input
            type="checkbox"
            name="hpoEnabled"
            checked={hpo.enabled}
            onChange={e => model.updateHpo('enabled', e.target.checked)}
          />
          {trans.__('Hyperparameter tuning')}
        </label>
      </legend>
      {!hpo.enabled ? (
        <p className="jp-laketahoe-SubmitForm-hint">
          {trans.__(
            'Run many trials of the notebook with different parameter values and keep the best.'
          )}
        </p>
      ) : (
        <>
          <div className="jp-laketahoe-HpoSection-grid">
            <Field
              label={trans.__('Metric')}
              field={HPO_FIELDS.metricTag}
              errors={errors}
              hint={trans.__('The name passed to laketahoe.report().')}
            >
              <input
                className="jp-mod-styled"
                name="hpoMetricTag"
                value={hpo.metricTag}
                placeholder="accuracy"
                spellCheck={false}
                onChange={e => model.updateHpo('metricTag', e.target.value)}
              />
            </Field>
            <Field
              label={trans.__('Goal')}
              field={HPO_FIELDS.goal}
              errors={errors}
            >
              <select
                className="jp-mod-styled"
                name="hpoGoal"
                value={hpo.goal}
                onChange={e =>
                  model.updateHpo('goal', e.target.value as HpoGoal)
                }
              >
                <option value="MAXIMIZE">{trans.__('Maximize')}</option>
                <option value="MINIMIZE">{trans.__('Minimize')}</option>
              </select>
            </Field>
            <Field
              label={trans.__('Objective value')}
              field={HPO_FIELDS.metricSelection}
              errors={errors}
            >
              <select
                className="jp-mod-styled"
                name="hpoMetricSelection"
                value={hpo.metricSelection}
                onChange={e =>
                  model.updateHpo(
                    'metricSelection',
                    e.target.value as MetricSelection
                  )
                }
              >
                <option value="LAST">{trans.__('Last reported value')}</option>
                <option value="BEST">{trans.__('Best reported value')}</option>
              </select>
            </Field>
            <Field
              label={trans.__('Algorithm')}
              field={HPO_FIELDS.algorithm}
              errors={errors}
            >
              <select
                className="jp-mod-styled"
                name="hpoAlgorithm"
                value={hpo.algorithm}
                onChange={e =>
                  model.updateHpo('algorithm', e.target.value as HpoAlgorithm)
                }
              >
                {HPO_ALGORITHMS.map(a => (
                  <option key={a} value={a}>
                    {algorithmLabels[a]}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label={trans.__('Max trials')}
              field={HPO_FIELDS.maxTrials}
              errors={errors}
            >
              <input
                className="jp-mod-styled"
                name="hpoMaxTrials"
                inputMode="numeric"
                value={hpo.maxTrials}
                onChange={e => model.updateHpo('maxTrials', e.target.value)}
              />
            </Field>
            <Field
              label={trans.__('Max parallel trials')}
              field={HPO_FIELDS.maxParallelTrials}
              errors={errors}
            >
              <input
                className="jp-mod-styled"
                name="hpoMaxParallelTrials"
                inputMode="numeric"
                value={hpo.maxParallelTrials}
                onChange={e =>
                  model.updateHpo('maxParallelTrials', e.target.value)
                }
              />
            </Field>
            <Field
              label={trans.__('Max failed trials')}
              field={HPO_FIELDS.maxFailedTrials}
              errors={errors}
              hint={trans.__('Empty for the service default.')}
            >
              <input
                className="jp-mod-styled"
                name="hpoMaxFailedTrials"
                inputMode="numeric"
                value={hpo.maxFailedTrials}
                onChange={e =>
                  model.updateHpo('maxFailedTrials', e.target.value)
                }
              />
            </Field>
            <Field
              label={trans.__('Resume from job')}
              field={HPO_FIELDS.resumePreviousJobId}
              errors={errors}
              hint={trans.__(
                "Warm start from an earlier tuning job's finished trials."
              )}
            >
              <input
                className="jp-mod-styled"
                name="hpoResume"
                value={hpo.resumePreviousJobId}
                spellCheck={false}
                onChange={e =>
                  model.updateHpo('resumePreviousJobId', e.target.value)
                }
              />
            </Field>
          </div>
          <label className="jp-laketahoe-SubmitForm-checkbox">
            <input
              type="checkbox"
              name="hpoEarlyStopping"
              checked={hpo.earlyStopping}
              onChange={e => model.updateHpo('earlyStopping', e.target.checked)}
            />
            {trans.__('Stop unpromising trials early')}
          </label>
          {hpo.earlyStopping && (
            <div className="jp-laketahoe-HpoSection-grid">
              <Field
                label={trans.__('Early-stopping rule')}
                field={HPO_FIELDS.earlyStoppingKind}
                errors={errors}
                hint={
                  hpo.earlyStoppingKind === 'median'
                    ? trans.__(
                        'Stop a trial whose best value so far is worse than the median of finished trials at the same step.'
                      )
                    : trans.__(
                        'Successive halving: at each rung only the top 1/factor of the trials that reached it go on.'
                      )
                }
              >
                <select
                  className="jp-mod-styled"
                  name="hpoEarlyStoppingKind"
                  value={hpo.earlyStoppingKind}
                  onChange={e =>
                    model.updateHpo(
                      'earlyStoppingKind',
                      e.target.value as EarlyStoppingKind
                    )
                  }
                >
                  <option value="median">{trans.__('Median stopping')}</option>
                  <option value="asha">{trans.__('ASHA')}</option>
                </select>
              </Field>
              <Field
                label={
                  hpo.earlyStoppingKind === 'median'
                    ? trans.__('Min step')
                    : trans.__('First rung step')
                }
                field={HPO_FIELDS.earlyStoppingMinStep}
                errors={errors}
                hint={
                  hpo.earlyStoppingKind === 'median'
                    ? trans.__(
                        'No trial is stopped before this step. Empty: 0.'
                      )
                    : trans.__(
                        'Rungs sit at this step times factor, factor², … Empty: 1.'
                      )
                }
              >
                <input
                  className="jp-mod-styled"
                  name="hpoEarlyStoppingMinStep"
                  inputMode="decimal"
                  value={hpo.earlyStoppingMinStep}
                  onChange={e =>
                    model.updateHpo('earlyStoppingMinStep', e.target.value)
                  }
                />
              </Field>
              {hpo.earlyStoppingKind === 'median' ? (
                <Field
                  label={trans.__('Min finished trials')}
                  field={HPO_FIELDS.earlyStoppingMinCompletedTrials}
                  errors={errors}
                  hint={trans.__(
                    'Finished trials needed before any trial is stopped. Empty: 3.'
                  )}
                >
                  <input
                    className="jp-mod-styled"
                    name="hpoEarlyStoppingMinCompletedTrials"
                    inputMode="numeric"
                    value={hpo.earlyStoppingMinCompletedTrials}
                    onChange={e =>
                      model.updateHpo(
                        'earlyStoppingMinCompletedTrials',
                        e.target.value
                      )
                    }
                  />
                </Field>
              ) : (
                <Field
                  label={trans.__('Reduction factor')}
                  field={HPO_FIELDS.earlyStoppingReductionFactor}
                  errors={errors}
                  hint={trans.__(
                    'Keep the top 1/factor at each rung (at least 1.01). Empty: 3.'
                  )}
                >
                  <input
                    className="jp-mod-styled"
                    name="hpoEarlyStoppingReductionFactor"
                    inputMode="decimal"
                    value={hpo.earlyStoppingReductionFactor}
                    onChange={e =>
                      model.updateHpo(
                        'earlyStoppingReductionFactor',
                        e.target.value
                      )
                    }
                  />
                </Field>
              )}
            </div>
          )}
          {errors[HPO_FIELDS.params] && (
            <div className="jp-laketahoe-SubmitForm-error" role="alert">
              {errors[HPO_FIELDS.params]}
            </div>
          )}
          {hpo.params.length === 0 ? (
            <p className="jp-laketahoe-empty">
              {trans.__(
                'No number, string or boolean in the parameters cell to search.'
              )}
            </p>
          ) : (
            <table className="jp-laketahoe-HpoParams">
              <thead>
                <tr>
                  <th scope="col">{trans.__('Search')}</th>
                  <th scope="col">{trans.__('Name')}</th>
                  <th scope="col">{trans.__('Type')}</th>
                  <th scope="col">{trans.__('Range or values')}</th>
                  <th scope="col">{trans.__('Scale')}</th>
                </tr>
              </thead>
              <tbody>
                {hpo.params.map((row, index) => {
                  const rowErr = rowErrors(hpo, index, errors);
                  const numeric =
                    row.type === 'DOUBLE' || row.type === 'INTEGER';
                  const valuesErr =
                    rowErr.categoricalValues ?? rowErr.discreteValues;
                  const messages = Object.values(rowErr);
                  return (
                    <tr
                      key={row.name}
                      className={`jp-laketahoe-HpoParams-row${messages.length ? ' jp-laketahoe-mod-invalid' : ''}`}
                      data-parameter={row.name}
                    >
                      <td>
                        <input
                          type="checkbox"
                          name="enabled"
                          aria-label={trans.__('Search %1', row.name)}
                          checked={row.enabled}
                          onChange={e =>
                            model.setHpoParam(index, {
                              enabled: e.target.checked
                            })
                          }
                        />
                      </td>
                      <th scope="row">{row.name}</th>
                      <td>
                        <select
                          className={`jp-mod-styled${rowErr.type ? ' jp-laketahoe-mod-invalid' : ''}`}
                          name="type"
                          aria-label={trans.__('Type of %1', row.name)}
                          value={row.type}
                          disabled={!row.enabled}
                          onChange={e =>
                            model.setHpoParam(index, {
                              type: e.target.value as ParameterSpecType
                            })
                          }
                        >
                          {PARAMETER_TYPES.map(t => (
                            <option key={t} value={t}>
                              {t}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        {numeric ? (
                          <span className="jp-laketahoe-HpoParams-range">
                            <input
                              className={`jp-mod-styled${rowErr.minValue ? ' jp-laketahoe-mod-invalid' : ''}`}
                              name="min"
                              aria-label={trans.__('Minimum of %1', row.name)}
                              inputMode="decimal"
                              value={row.min}
                              disabled={!row.enabled}
                              onChange={e =>
                                model.setHpoParam(index, {
                                  min: e.target.value
                                })
                              }
                            />
                            <span aria-hidden="true">–</span>
                            <input
                              className={`jp-mod-styled${rowErr.maxValue ? ' jp-laketahoe-mod-invalid' : ''}`}
                              name="max"
                              aria-label={trans.__('Maximum of %1', row.name)}
                              inputMode="decimal"
                              value={row.max}
                              disabled={!row.enabled}
                              onChange={e =>
                                model.setHpoParam(index, {
                                  max: e.target.value
                                })
                              }
                            />
                          </span>
                        ) : (
                          <input
                            className={`jp-mod-styled${valuesErr ? ' jp-laketahoe-mod-invalid' : ''}`}
                            name="values"
                            aria-label={trans.__('Values of %1', row.name)}
                            placeholder={trans.__('a, b, c')}
                            spellCheck={false}
                            value={row.values}
                            disabled={!row.enabled}
                            onChange={e =>
                              model.setHpoParam(index, {
                                values: e.target.value
                              })
                            }
                          />
                        )}
                        {messages.map(message => (
                          <div
                            key={message}
                            className="jp-laketahoe-SubmitForm-error"
                            role="alert"
                          >
                            {message}
                          </div>
                        ))}
                      </td>
                      <td>
                        {numeric && (
                          <select
                            className="jp-mod-styled"
                            name="scale"
                            aria-label={trans.__('Scale of %1', row.name)}
                            value={row.scale}
                            disabled={!row.enabled}
                            onChange={e =>
                              model.setHpoParam(index, {
                                scale: e.target.value as ScaleType
                              })
                            }
                          >
                            {SCALE_TYPES.map(t => (
                              <option key={t} value={t}>
                                {scaleLabels[t]}
                              </option>
                            ))}
                          </select>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {loose.length > 0 && (
            <div className="jp-laketahoe-SubmitForm-error" role="alert">
              {loose.map(([field, message]) => (
                <div key={field}>
                  {field}: {message}
                </div>
              ))}
            </div>
          )}
        </>
      )}
    </fieldset>
  );
}

/** A labelled field with its error and hint. */
function Field(props: {
  label: string;
  field: string;
  errors: FormErrors;
  hint?: string;
  children: React.ReactNode;
}): JSX.Element {
  const error = props.errors[props.field];
  return (
    <label
      className={`jp-laketahoe-SubmitForm-field${error ? ' jp-laketahoe-mod-invalid' : ''}`}
      data-field={props.field}
    >
      <span className="jp-laketahoe-SubmitForm-label">{props.label}</span>
      {props.children}
      {error && (
        <span className="jp-laketahoe-SubmitForm-error" role="alert">
          {error}
        </span>
      )}
      {props.hint && (
        <span className="jp-laketahoe-SubmitForm-hint">{props.hint}</span>
      )}
    </label>
  );
}

/** Server errors on fields the form does not show (e.g. the notebook path). */
function OtherErrors(props: { errors: FormErrors }): JSX.Element | null {
  const shown = new Set<string>([
    ...Object.values(FIELD),
    'trainingInput.masterConfig.imageUri',
    'trainingInput.priority'
  ]);
  const other = Object.entries(props.errors).filter(
    ([field]) =>
      !shown.has(field) &&
      !field.startsWith(`${FIELD.parameters}.`) &&
      !field.startsWith(`${HPO_FIELD}.`)
  );
  if (other.length === 0) {
    return null;
  }
  return (
    <div className="jp-laketahoe-SubmitForm-error" role="alert">
      {other.map(([field, message]) => (
        <div key={field}>
          {field ? `${field}: ` : ''}
          {message}
        </div>
      ))}
    </div>
  );
}

/** Bytes to GB with at most one decimal. */
function formatGb(bytes: number): string {
  return String(Math.round((bytes / 2 ** 30) * 10) / 10);
}
