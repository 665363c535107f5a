import { LakeTahoeClient } from '../api';
import { JobDetailModel, MAX_LOG_LINES } from '../model/detail';
import { JobsModel } from '../model/jobs';
import { ILogLine } from '../wire';
import { jsonResponse, makeJob, mockSettings } from './helpers';

function setup(): { jobs: JobsModel; detail: JobDetailModel } {
  const { settings } = mockSettings(req =>
    req.url.includes('/metrics')
      ? jsonResponse({
          metrics: [
            { step: 2, name: 'loss', value: 0.4, time: 't' },
            { step: 1, name: 'loss', value: 0.9, time: 't' }
          ]
        })
      : jsonResponse(makeJob('j', 'RUNNING'))
  );
  const jobs = new JobsModel(new LakeTahoeClient(settings));
  return { jobs, detail: new JobDetailModel('j', jobs) };
}

const line = (seq: number): ILogLine => ({
  seq,
  time: 't',
  stream: 'stdout',
  text: `line ${seq}`
});

describe('JobDetailModel', () => {
  it('loads the job and its metrics in step order', async () => {
    const { jobs, detail } = setup();
    await detail.reload();
    expect(detail.job!.state).toBe('RUNNING');
    expect(jobs.get('j')).toBeDefined();
    expect(detail.metrics).toEqual([
      { name: 'loss', steps: [1, 2], values: [0.9, 0.4] }
    ]);
    detail.dispose();
    jobs.dispose();
  });

  it('follows pushed state and metrics of its own job only', async () => {
    const { jobs, detail } = setup();
    const changed = jest.fn();
    detail.changed.connect(changed);
    jobs.applyJob(makeJob('other', 'FAILED'));
    jobs.applyJob(makeJob('j', 'RUNNING'));
    expect(changed).toHaveBeenCalledTimes(1);
    jobs.applyMetric({
      jobId: 'j',
      step: 5,
      name: 'acc',
      value: 0.7,
      time: 't'
    });
    jobs.applyMetric({
      jobId: 'j',
      step: 5,
      name: 'acc',
      value: 0.8,
      time: 't'
    });
    jobs.applyMetric({
      jobId: 'other',
      step: 1,
      name: 'acc',
      value: 0.1,
      time: 't'
    });
    expect(detail.metrics).toEqual([
      { name: 'acc', steps: [5], values: [0.8] }
    ]);
    detail.dispose();
    jobs.dispose();
  });

  it("keeps its log to MAX_LOG_LINES (deduplication is LogStreamModel's, tested there)", () => {
    const { jobs, detail } = setup();
    detail.addLogLines(
      Array.from({ length: MAX_LOG_LINES + 1 }, (_, i) => line(i + 1))
    );
    expect(detail.logs).toHaveLength(MAX_LOG_LINES);
    expect(detail.logs[0].seq).toBe(2);
    detail.dispose();
    jobs.dispose();
  });
});
