import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import React from 'react';

import { useSignals } from '../components/hooks';
import { FIELD, SubmitFormModel } from '../model/submit';
import { BackendChooser } from './submit/BackendChooser';
import { TextField } from './submit/Field';
import { EnvironmentFields } from './submit/EnvironmentFields';
import { HpoSection } from './submit/HpoSection';
import { OtherErrors } from './submit/OtherErrors';
import { ParametersTable } from './submit/ParametersTable';
import { ResourceFields } from './submit/ResourceFields';
import { RunOptions } from './submit/RunOptions';
import { ScheduleSection } from './submit/ScheduleSection';

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

/** The form: the notebook, its job id, and one part per group of fields. */
function SubmitFormView(props: {
  model: SubmitFormModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed);
  const part = { model, errors: model.validate(), trans };
  return (
    <form
      className="jp-laketahoe-SubmitForm-form"
      onSubmit={e => e.preventDefault()}
      noValidate
    >
      <p className="jp-laketahoe-SubmitForm-notebook">
        {trans.__('Notebook: %1', model.notebookPath)}
      </p>
      <TextField
        label={trans.__('Job ID')}
        field={FIELD.jobId}
        errors={part.errors}
        className="jp-laketahoe-SubmitForm-jobId"
        name="jobId"
        value={model.jobId}
        maxLength={128}
        spellCheck={false}
        onChange={value => model.update('jobId', value, FIELD.jobId)}
      />
      <BackendChooser {...part} />
      <ResourceFields {...part} />
      <RunOptions {...part} />
      <EnvironmentFields {...part} />
      <ParametersTable {...part} />
      <HpoSection {...part} />
      <ScheduleSection {...part} />
      <OtherErrors errors={part.errors} />
    </form>
  );
}
