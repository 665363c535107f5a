import React from 'react';

import { HPO_FIELD } from '../../model/hpo';
import { SCHEDULE_FIELD } from '../../model/schedule';
import { FIELD, FormErrors } from '../../model/submit';
import { RUN_OPTION_FIELDS } from './RunOptions';

/** Server errors on fields the form does not show (e.g. the notebook path). */
export function OtherErrors(props: { errors: FormErrors }): JSX.Element | null {
  const shown = new Set<string>([
    ...Object.values(FIELD),
    ...RUN_OPTION_FIELDS,
    ...Object.values(SCHEDULE_FIELD)
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
