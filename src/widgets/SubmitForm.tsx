import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import React from 'react';

import { useSignals } from '../components/common';
import {
  FIELD,
  FORM_SCALE_TIERS,
  FormErrors,
  SubmitFormModel
} from '../model/submit';
import { Priority, PRIORITIES, ScaleTier } from '../types';

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

      <Field
        label={trans.__('Scale tier')}
        field={FIELD.scaleTier}
        errors={errors}
        hint={
          model.isTierUnavailable('STANDARD_1')
            ? trans.__(
                'Distributed tiers need a cluster backend; this service runs jobs locally.'
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
      <OtherErrors errors={errors} />
    </form>
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
    ([field]) => !shown.has(field) && !field.startsWith(`${FIELD.parameters}.`)
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
