import React from 'react';

import { ENV_FIELD, IEnvRow } from '../../model/environment';
import { KERNEL_FALLBACK_FIELD, KERNEL_FIELD } from '../../model/submit';
import { Field } from './Field';
import { ISubmitPartProps } from './props';

/**
 * What the job's process sees: its kernel (and a fallback) and its environment variables, each a value
 * or a secret named by name and key. Secret values are never typed here: they stay in the cluster's
 * Secrets or the user's secrets file.
 */
export function EnvironmentFields(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  const kubernetes = model.targetBackend?.name === 'kubernetes';
  // The service lists the kernels of this machine; a cluster image's are the notebook's own or python3.
  const kernels = kubernetes
    ? [{ name: 'python3', displayName: 'Python 3 (ipykernel)' }]
    : (model.kernels ?? []);
  const kernelOptions = (empty: string) => (
    <>
      <option value="">{empty}</option>
      {kernels.map(k => (
        <option key={k.name} value={k.name}>
          {k.displayName === k.name ? k.name : `${k.displayName} (${k.name})`}
        </option>
      ))}
    </>
  );
  return (
    <fieldset className="jp-laketahoe-SubmitForm-environment">
      <legend>{trans.__('Environment')}</legend>
      {!kubernetes && (
        <Field label={trans.__('Kernel')} field={KERNEL_FIELD} errors={errors}>
          <select
            className="jp-mod-styled jp-laketahoe-SubmitForm-kernel"
            name="kernelName"
            value={model.kernelName}
            onChange={e =>
              model.update('kernelName', e.target.value, KERNEL_FIELD)
            }
          >
            {kernelOptions(trans.__("The notebook's kernel"))}
          </select>
        </Field>
      )}
      <Field
        label={trans.__('If that kernel is missing')}
        field={KERNEL_FALLBACK_FIELD}
        errors={errors}
        hint={trans.__(
          'Without a fallback, a kernel that is not installed is an error.'
        )}
      >
        <select
          className="jp-mod-styled jp-laketahoe-SubmitForm-kernelFallback"
          name="kernelFallback"
          value={model.kernelFallback}
          onChange={e =>
            model.update(
              'kernelFallback',
              e.target.value,
              KERNEL_FALLBACK_FIELD
            )
          }
        >
          {kernelOptions(trans.__('Fail the job'))}
        </select>
      </Field>
      <table className="jp-laketahoe-SubmitForm-env" data-field={ENV_FIELD}>
        <thead>
          <tr>
            <th>{trans.__('Variable')}</th>
            <th>{trans.__('Source')}</th>
            <th>{trans.__('Value, or secret name and key')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {model.envRows.map((row, i) => (
            <EnvRow key={i} index={i} row={row} {...props} />
          ))}
        </tbody>
      </table>
      <button
        type="button"
        className="jp-mod-styled jp-laketahoe-SubmitForm-addEnv"
        onClick={() => model.addEnvRow()}
      >
        {trans.__('Add variable')}
      </button>
      <p className="jp-laketahoe-SubmitForm-hint">
        {kubernetes
          ? trans.__(
              'Secrets are Kubernetes Secrets in namespace %1.',
              model.targetBackend?.namespace ?? ''
            )
          : trans.__(
              'Secrets come from your secrets file (see the README); their values are masked in logs and outputs.'
            )}
      </p>
    </fieldset>
  );
}

/** One variable: name, value or secret, and its errors. */
function EnvRow(
  props: ISubmitPartProps & { index: number; row: IEnvRow }
): JSX.Element {
  const { model, errors, trans, index, row } = props;
  const field = `${ENV_FIELD}.${index}`;
  const set = (patch: Partial<IEnvRow>) => model.setEnvRow(index, patch);
  const rowErrors = Object.entries(errors)
    .filter(([f]) => f === field || f.startsWith(`${field}.`))
    .map(([, message]) => message);
  return (
    <tr
      className={rowErrors.length ? 'jp-laketahoe-mod-invalid' : undefined}
      data-field={field}
    >
      <td>
        <input
          className="jp-mod-styled"
          name={`env-${index}-name`}
          aria-label={trans.__('Variable name')}
          value={row.name}
          spellCheck={false}
          onChange={e => set({ name: e.target.value })}
        />
        {rowErrors.map((message, k) => (
          <span key={k} className="jp-laketahoe-SubmitForm-error" role="alert">
            {message}
          </span>
        ))}
      </td>
      <td>
        <select
          className="jp-mod-styled"
          name={`env-${index}-kind`}
          aria-label={trans.__('Source')}
          value={row.kind}
          onChange={e => set({ kind: e.target.value as IEnvRow['kind'] })}
        >
          <option value="value">{trans.__('Value')}</option>
          <option value="secret">{trans.__('Secret')}</option>
        </select>
      </td>
      <td>
        {row.kind === 'value' ? (
          <input
            className="jp-mod-styled"
            name={`env-${index}-value`}
            aria-label={trans.__('Value')}
            value={row.value}
            onChange={e => set({ value: e.target.value })}
          />
        ) : (
          <>
            <input
              className="jp-mod-styled"
              name={`env-${index}-secretName`}
              aria-label={trans.__('Secret name')}
              placeholder={trans.__('secret name')}
              value={row.secretName}
              spellCheck={false}
              onChange={e => set({ secretName: e.target.value })}
            />
            <input
              className="jp-mod-styled"
              name={`env-${index}-secretKey`}
              aria-label={trans.__('Secret key')}
              placeholder={trans.__('key')}
              value={row.secretKey}
              spellCheck={false}
              onChange={e => set({ secretKey: e.target.value })}
            />
          </>
        )}
      </td>
      <td>
        <button
          type="button"
          className="jp-mod-styled jp-laketahoe-SubmitForm-removeEnv"
          aria-label={trans.__('Remove variable %1', row.name)}
          onClick={() => model.removeEnvRow(index)}
        >
          ×
        </button>
      </td>
    </tr>
  );
}
