/**
 * CSV export of trials (RFC 4180: comma-separated, CRLF line ends, fields
 * with commas, quotes, line breaks or edge spaces in double quotes, quotes
 * doubled).
 */
import { ITrial, JSONValue } from '../wire';
import { durationOf, objectiveOf, stepsOf } from './trialTable';

/** One CSV field. */
export function csvField(value: JSONValue | undefined): string {
  if (value === undefined || value === null) {
    return '';
  }
  const text =
    typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line, without the line end. */
export function csvRow(values: readonly (JSONValue | undefined)[]): string {
  return values.map(csvField).join(',');
}

/**
 * Every trial as CSV: trial, state, objective, one column per parameter
 * (`param_<name>`), steps, stopped early, duration in seconds, start and
 * end times, error message.
 */
export function trialsToCsv(
  trials: readonly ITrial[],
  parameterNames: readonly string[],
  now = Date.now()
): string {
  const header = [
    'trial',
    'state',
    'objective',
    ...parameterNames.map(name => `param_${name}`),
    'steps',
    'stopped_early',
    'duration_s',
    'start_time',
    'end_time',
    'error_message'
  ];
  const lines = [csvRow(header)];
  for (const trial of trials) {
    const duration = durationOf(trial, now);
    lines.push(
      csvRow([
        trial.trialId,
        trial.state,
        objectiveOf(trial),
        ...parameterNames.map(name => trial.hyperparameters?.[name]),
        stepsOf(trial),
        trial.isTrialStoppedEarly ? 'true' : 'false',
        duration === null ? null : duration / 1000,
        trial.startTime,
        trial.endTime,
        trial.errorMessage || null
      ])
    );
  }
  return lines.join('\r\n') + '\r\n';
}
