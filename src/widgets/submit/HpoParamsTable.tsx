import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { HPO_FIELDS, IHpoParamRow, rowErrors } from '../../model/hpo';
import {
  PARAMETER_TYPES,
  ParameterSpecType,
  SCALE_TYPES,
  ScaleType
} from '../../wire';
import { ISubmitPartProps } from './props';

/**
 * The searched parameters: one row per notebook parameter, with whether it
 * is searched, its kind, its range or values and its scale.
 */
export function HpoParamsTable(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  const hpo = model.hpo;
  return (
    <>
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
            {hpo.params.map((row, index) => (
              <HpoParamRow
                key={row.name}
                row={row}
                errors={rowErrors(hpo, index, errors)}
                onChange={patch => model.setHpoParam(index, patch)}
                trans={trans}
              />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** One searched parameter; `errors` are the row's, by spec key. */
function HpoParamRow(props: {
  row: IHpoParamRow;
  errors: { [key: string]: string };
  onChange: (patch: Partial<IHpoParamRow>) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { row, errors, onChange, trans } = props;
  const numeric = row.type === 'DOUBLE' || row.type === 'INTEGER';
  const valuesErr = errors.categoricalValues ?? errors.discreteValues;
  const messages = Object.values(errors);
  const invalid = (error: string | undefined) =>
    `jp-mod-styled${error ? ' jp-laketahoe-mod-invalid' : ''}`;
  const scaleLabels: { [s in ScaleType]: string } = {
    NONE: trans.__('none'),
    UNIT_LINEAR_SCALE: trans.__('linear'),
    UNIT_LOG_SCALE: trans.__('log'),
    UNIT_REVERSE_LOG_SCALE: trans.__('reverse log')
  };
  return (
    <tr
      className={`jp-laketahoe-HpoParams-row${messages.length ? ' jp-laketahoe-mod-invalid' : ''}`}
      data-parameter={row.name}
    >
      <td>
        <input
          type="checkbox"
          name="enabled"
          aria-label={trans.__('Search %1', row.name)}
          checked={row.enabled}
          onChange={e => onChange({ enabled: e.target.checked })}
        />
      </td>
      <th scope="row">{row.name}</th>
      <td>
        <select
          className={invalid(errors.type)}
          name="type"
          aria-label={trans.__('Type of %1', row.name)}
          value={row.type}
          disabled={!row.enabled}
          onChange={e =>
            onChange({ type: e.target.value as ParameterSpecType })
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
              className={invalid(errors.minValue)}
              name="min"
              aria-label={trans.__('Minimum of %1', row.name)}
              inputMode="decimal"
              value={row.min}
              disabled={!row.enabled}
              onChange={e => onChange({ min: e.target.value })}
            />
            <span aria-hidden="true">–</span>
            <input
              className={invalid(errors.maxValue)}
              name="max"
              aria-label={trans.__('Maximum of %1', row.name)}
              inputMode="decimal"
              value={row.max}
              disabled={!row.enabled}
              onChange={e => onChange({ max: e.target.value })}
            />
          </span>
        ) : (
          <input
            className={invalid(valuesErr)}
            name="values"
            aria-label={trans.__('Values of %1', row.name)}
            placeholder={trans.__('a, b, c')}
            spellCheck={false}
            value={row.values}
            disabled={!row.enabled}
            onChange={e => onChange({ values: e.target.value })}
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
            onChange={e => onChange({ scale: e.target.value as ScaleType })}
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
}
