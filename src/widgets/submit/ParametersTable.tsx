import React from 'react';

import { FIELD, IParameterRow } from '../../model/submit';
import { ISubmitPartProps } from './props';

/**
 * The notebook's parameters: one row per assignment of the cell tagged
 * "parameters", edited as text (booleans with a True/False choice).
 */
export function ParametersTable(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  return (
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
            {model.parameters.map((row, index) => (
              <ParameterRow
                key={row.parameter.name}
                row={row}
                error={errors[`${FIELD.parameters}.${row.parameter.name}`]}
                onChange={text => model.setParameterText(index, text)}
              />
            ))}
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
  );
}

/** One parameter: name, type and the value's edit text with its error. */
function ParameterRow(props: {
  row: IParameterRow;
  error: string | undefined;
  onChange: (text: string) => void;
}): JSX.Element {
  const { row, error, onChange } = props;
  const { name, type, comment } = row.parameter;
  return (
    <tr className="jp-laketahoe-ParametersTable-row" data-parameter={name}>
      <th scope="row" title={comment}>
        {name}
      </th>
      <td className="jp-laketahoe-ParametersTable-type">{type}</td>
      <td>
        {type === 'bool' ? (
          <select
            className="jp-mod-styled"
            aria-label={name}
            value={/^true$/i.test(row.text.trim()) ? 'True' : 'False'}
            onChange={e => onChange(e.target.value)}
          >
            <option value="True">True</option>
            <option value="False">False</option>
          </select>
        ) : (
          <input
            className={`jp-mod-styled${error ? ' jp-laketahoe-mod-invalid' : ''}`}
            aria-label={name}
            aria-invalid={!!error}
            spellCheck={false}
            value={row.text}
            onChange={e => onChange(e.target.value)}
          />
        )}
        {error && (
          <div className="jp-laketahoe-SubmitForm-error" role="alert">
            {error}
          </div>
        )}
        {comment && (
          <div className="jp-laketahoe-SubmitForm-hint">{comment}</div>
        )}
      </td>
    </tr>
  );
}
