import React from 'react';

import { SCHEDULE_FIELD } from '../../model/schedule';
import { MissedRunPolicy } from '../../wire';
import { Checkbox, Field, TextField } from './Field';
import { ISubmitPartProps } from './props';

/**
 * "Run on a schedule": saves the notebook and its settings as a job
 * definition with a cron schedule in a time zone, and previews the next run
 * times as the user types.
 */
export function ScheduleSection(props: ISubmitPartProps): JSX.Element | null {
  const { model, errors, trans } = props;
  const schedule = model.schedule;
  if (!schedule) {
    return null;
  }
  return (
    <fieldset className="jp-laketahoe-SubmitForm-schedule">
      <Checkbox
        name="runOnSchedule"
        checked={schedule.enabled}
        onChange={checked => schedule.update('enabled', checked)}
      >
        {trans.__('Run on a schedule (save as a job definition)')}
      </Checkbox>
      {schedule.enabled && (
        <>
          <TextField
            label={trans.__('Definition ID')}
            field={SCHEDULE_FIELD.definitionId}
            errors={errors}
            name="definitionId"
            className="jp-laketahoe-SubmitForm-definitionId"
            value={schedule.definitionId}
            maxLength={48}
            spellCheck={false}
            onChange={value => schedule.update('definitionId', value)}
          />
          <TextField
            label={trans.__('Cron schedule')}
            field={SCHEDULE_FIELD.cron}
            errors={errors}
            hint={trans.__(
              'minute hour day-of-month month day-of-week, e.g. 0 6 * * 1-5'
            )}
            name="cron"
            className="jp-laketahoe-SubmitForm-cron"
            value={schedule.cron}
            spellCheck={false}
            onChange={value => schedule.update('cron', value)}
          />
          <TextField
            label={trans.__('Time zone')}
            field={SCHEDULE_FIELD.timeZone}
            errors={errors}
            name="timeZone"
            className="jp-laketahoe-SubmitForm-timeZone"
            value={schedule.timeZone}
            placeholder="Europe/Berlin"
            spellCheck={false}
            onChange={value => schedule.update('timeZone', value)}
          />
          <Field
            label={trans.__('Runs missed while the service was down')}
            field="missedRuns"
            errors={errors}
          >
            <select
              className="jp-mod-styled jp-laketahoe-SubmitForm-missedRuns"
              name="missedRuns"
              value={schedule.missedRuns}
              onChange={e =>
                schedule.update('missedRuns', e.target.value as MissedRunPolicy)
              }
            >
              <option value="RUN_ONCE">{trans.__('Run once')}</option>
              <option value="SKIP">{trans.__('Skip and record')}</option>
            </select>
          </Field>
          <div
            className="jp-laketahoe-SubmitForm-schedulePreview"
            aria-live="polite"
          >
            <span className="jp-laketahoe-SubmitForm-label">
              {trans.__('Next runs')}
            </span>
            <ul>
              {schedule.preview.map(time => (
                <li key={time}>
                  {new Date(time).toLocaleString(undefined, {
                    timeZone: schedule.timeZone,
                    dateStyle: 'medium',
                    timeStyle: 'short'
                  })}
                </li>
              ))}
            </ul>
          </div>
        </>
      )}
    </fieldset>
  );
}
