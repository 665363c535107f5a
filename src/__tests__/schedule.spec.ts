import {
  definitionIdFor,
  ScheduleOptions,
  SCHEDULE_FIELD
} from '../model/schedule';
import { parseParametersSource } from '../model/parameters';
import { SubmitFormModel } from '../model/submit';

/** A previewer that answers from a table, or fails like the service's 400. */
function previewer(calls: string[]) {
  return async (cron: string, timeZone: string): Promise<string[]> => {
    calls.push(`${cron}|${timeZone}`);
    if (timeZone === 'Nowhere/Land') {
      throw Object.assign(new Error('timeZone: not an IANA time zone'), {
        field: 'timeZone'
      });
    }
    return [`next of ${cron}`];
  };
}

describe('ScheduleOptions', () => {
  it('previews the last fields typed, once the user pauses', async () => {
    jest.useFakeTimers();
    const calls: string[] = [];
    const options = new ScheduleOptions(previewer(calls), 300);
    options.update('enabled', true);
    options.update('cron', '0 7 * * *');
    options.update('timeZone', 'Asia/Tokyo');
    expect(calls).toEqual([]);
    jest.advanceTimersByTime(300);
    jest.useRealTimers();
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(calls).toEqual(['0 7 * * *|Asia/Tokyo']);
    expect(options.preview).toEqual(['next of 0 7 * * *']);
  });

  it("puts the service's error on the field it names and blocks the form", async () => {
    const form = new SubmitFormModel(
      'reports/daily report.ipynb',
      parseParametersSource('day = "mon"').parameters
    );
    const options = new ScheduleOptions(previewer([]), 0);
    form.schedule = options;
    options.definitionId = definitionIdFor(form.notebookPath);
    expect(options.definitionId).toBe('daily_report');
    options.update('enabled', true);
    options.update('timeZone', 'Nowhere/Land');
    await options.refreshPreview();
    expect(form.validate()[SCHEDULE_FIELD.timeZone]).toContain('IANA');
    expect(form.isValid).toBe(false);
    options.update('timeZone', 'Europe/Berlin');
    await options.refreshPreview();
    expect(form.isValid).toBe(true);
    options.update('cron', '0 6 * *');
    expect(form.validate()[SCHEDULE_FIELD.cron]).toBeDefined();
  });

  it('builds the definition request from the form', () => {
    const form = new SubmitFormModel('a.ipynb', []);
    const options = new ScheduleOptions(previewer([]), 0);
    form.schedule = options;
    options.definitionId = 'nightly';
    options.enabled = true;
    options.cron = ' 30 2 * * * ';
    options.timeZone = 'Europe/Berlin';
    options.missedRuns = 'SKIP';
    const request = form.toDefinitionRequest();
    expect(request).toMatchObject({
      definitionId: 'nightly',
      schedule: { cron: '30 2 * * *', timeZone: 'Europe/Berlin' },
      missedRuns: 'SKIP'
    });
    expect(request.trainingInput.notebook?.path).toBe('a.ipynb');
    expect('jobId' in request).toBe(false);
  });
});
