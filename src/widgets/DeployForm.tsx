import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import React, { useState } from 'react';

import { IDeployFormValues, isValidDeploymentName } from '../model/deployForm';
import { IModelVersion } from '../wire';

/** Options of the deploy dialog's body. */
export interface IDeployFormOptions {
  /** The proposed deployment name. */
  name: string;
  /** Versions to choose from (newest first); empty for a job's model. */
  versions: readonly IModelVersion[];
  /** The preselected version. */
  version: number | null;
  /** What is deployed, in words (shown above the fields). */
  description: string;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}

/** Body of the "Deploy" dialog: a deployment name and a version. */
export class DeployForm extends ReactWidget {
  /** Create the form. */
  constructor(options: IDeployFormOptions) {
    super();
    this._options = options;
    this._values = { name: options.name, version: options.version };
    this.addClass('jp-laketahoe-DeployForm');
  }

  /** The values as entered. */
  getValue(): IDeployFormValues {
    return { ...this._values };
  }

  /** Render the fields. */
  protected render(): JSX.Element {
    return (
      <DeployFields
        {...this._options}
        onChange={values => {
          this._values = values;
        }}
      />
    );
  }

  private _options: IDeployFormOptions;
  private _values: IDeployFormValues;
}

/** The fields; reports every change. */
function DeployFields(
  props: IDeployFormOptions & { onChange: (v: IDeployFormValues) => void }
): JSX.Element {
  const { versions, description, trans, onChange } = props;
  const [name, setName] = useState(props.name);
  const [version, setVersion] = useState(props.version);
  const valid = isValidDeploymentName(name);
  return (
    <div className="jp-laketahoe-DeployForm-fields">
      <p className="jp-laketahoe-DeployForm-description">{description}</p>
      <label
        className={
          'jp-laketahoe-DeployForm-field' +
          (valid ? '' : ' jp-laketahoe-mod-invalid')
        }
      >
        <span>{trans.__('Deployment name')}</span>
        <input
          className="jp-mod-styled jp-laketahoe-DeployForm-name"
          name="deploymentName"
          value={name}
          spellCheck={false}
          onChange={e => {
            setName(e.target.value);
            onChange({ name: e.target.value, version });
          }}
        />
        {!valid && (
          <span className="jp-laketahoe-SubmitForm-error">
            {trans.__(
              'Lower-case letters, digits and "-", starting with a letter (at most 63).'
            )}
          </span>
        )}
      </label>
      {versions.length > 0 && (
        <label className="jp-laketahoe-DeployForm-field">
          <span>{trans.__('Version')}</span>
          <select
            className="jp-mod-styled"
            name="version"
            value={version ?? ''}
            onChange={e => {
              const next = Number(e.target.value);
              setVersion(next);
              onChange({ name, version: next });
            }}
          >
            {versions.map(v => (
              <option key={v.version} value={v.version}>
                {trans.__('Version %1', v.version)}
                {v.source ? ` · ${v.source.jobId}` : ''}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
