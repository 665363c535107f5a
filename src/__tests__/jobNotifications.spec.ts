import { Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';

import { LakeTahoeClient } from '../api';
import { JobsModel } from '../model/jobs';
import { notifyEndedJobs } from '../widgets/jobNotifications';
import { jsonResponse, makeJob, mockSettings } from './helpers';

const NOW = Date.parse('2026-12-05T08:00:00.000Z');
const ended = (secondsAgo: number) =>
  new Date(NOW - secondsAgo * 1000).toISOString();

describe('job end notifications', () => {
  afterEach(() => Notification.dismiss());

  it('tells each ending once, by outcome, with an action that opens the job', async () => {
    const { settings } = mockSettings(() =>
      jsonResponse({
        jobs: [
          makeJob('old', 'SUCCEEDED', { endTime: ended(3600) }),
          makeJob('run', 'RUNNING')
        ]
      })
    );
    const jobs = new JobsModel(new LakeTahoeClient(settings));
    await jobs.refresh();
    let enabled = true;
    const opened: string[] = [];
    const watcher = notifyEndedJobs(jobs, {
      enabled: () => enabled,
      openJob: id => opened.push(id),
      trans: nullTranslator.load('laketahoe'),
      now: () => NOW
    });
    const push = (job: ReturnType<typeof makeJob>) =>
      jobs.events.handleEvent({ event: 'job', data: JSON.stringify(job) });

    // The running job ends; pushed again (a later update), it stays quiet.
    push(makeJob('run', 'SUCCEEDED', { endTime: ended(1) }));
    push(makeJob('run', 'SUCCEEDED', { endTime: ended(1) }));
    // An old ended job pushed again (e.g. its models registered) is no news.
    push(makeJob('old', 'SUCCEEDED', { endTime: ended(3600) }));
    // A job submitted from a kernel or the CLI: first seen queued, then failed with its reason.
    push(makeJob('cli', 'QUEUED'));
    push(
      makeJob('cli', 'FAILED', {
        endTime: ended(1),
        errorMessage: 'Cell 2 raised ValueError: bad'
      })
    );
    // An HPO job first seen already cancelled a moment ago.
    push(
      makeJob('tune', 'CANCELLED', {
        endTime: ended(5),
        trainingOutput: {
          ...makeJob('x').trainingOutput,
          isHyperparameterTuningJob: true
        }
      })
    );
    // Turned off in the settings: nothing.
    enabled = false;
    push(makeJob('quiet', 'QUEUED'));
    push(makeJob('quiet', 'SUCCEEDED', { endTime: ended(1) }));
    enabled = true;
    watcher.dispose();
    push(makeJob('late', 'QUEUED'));
    push(makeJob('late', 'SUCCEEDED', { endTime: ended(1) }));

    const shown = Notification.manager.notifications;
    expect(shown.map(n => [n.type, n.message]).reverse()).toEqual([
      ['success', 'Job run succeeded.'],
      ['error', 'Job cli failed: Cell 2 raised ValueError: bad'],
      ['info', 'HPO job tune was cancelled.']
    ]);
    const failed = shown.find(n => n.type === 'error')!;
    expect(failed.options.autoClose).toBe(false);
    const action = failed.options.actions![0];
    expect(action.label).toBe('Open');
    action.callback(new MouseEvent('click'));
    expect(opened).toEqual(['cli']);
    jobs.dispose();
  });
});
