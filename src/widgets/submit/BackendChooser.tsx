import React from 'react';

import { FIELD } from '../../model/submit';
import { BackendName } from '../../wire';
import { Field } from './Field';
import { ISubmitPartProps } from './props';

/**
 * Where the job runs: a chooser when the service has several backends, and
 * the target cluster and namespace when it is Kubernetes.
 */
export function BackendChooser(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  const target = model.targetBackend;
  return (
    <>
      {model.showBackendChooser && (
        <Field label={trans.__('Run on')} field={FIELD.backend} errors={errors}>
          <select
            className="jp-mod-styled jp-laketahoe-SubmitForm-backend"
            name="backend"
            value={target?.name ?? ''}
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
      {target?.name === 'kubernetes' && (
        <p className="jp-laketahoe-SubmitForm-target">
          {trans.__(
            'Cluster %1, namespace %2',
            target.server ?? '',
            target.namespace ?? ''
          )}
        </p>
      )}
    </>
  );
}
