import { Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';

import { LakeTahoeClient } from '../api';
import { JobsModel } from '../model/jobs';
import { ServingModel } from '../model/serving';
import { notifyFiringAlerts } from '../widgets/alertNotifications';
import { jsonResponse, makeAlert, mockSettings } from './helpers';

describe('alert notifications', () => {
  afterEach(() => Notification.dismiss());

  it('warns on firing alerts pushed by the stream, with an action to open monitoring', () => {
    const { settings } = mockSettings(() => jsonResponse({}));
    const jobs = new JobsModel(new LakeTahoeClient(settings));
    const serving = new ServingModel(jobs);
    let enabled = true;
    const opened: string[] = [];
    const watcher = notifyFiringAlerts(serving, {
      enabled: () => enabled,
      openMonitoring: name => opened.push(name),
      trans: nullTranslator.load('laketahoe')
    });
    const push = (data: unknown) =>
      jobs.events.handleEvent({ event: 'alert', data: JSON.stringify(data) });

    push(makeAlert('a1', 'firing'));
    push(makeAlert('a1', 'resolved'));
    enabled = false;
    push(makeAlert('a2', 'firing'));
    enabled = true;
    watcher.dispose();
    push(makeAlert('a3', 'firing'));

    const shown = Notification.manager.notifications;
    expect(shown).toHaveLength(1);
    expect(shown[0].type).toBe('warning');
    expect(shown[0].message).toBe(
      'Alert on iris-prod: feature drift 0.31 > 0.2 (sepal_length)'
    );
    expect(shown[0].options.autoClose).toBe(false);
    const action = shown[0].options.actions![0];
    expect(action.label).toBe('Open Monitoring');
    action.callback(new MouseEvent('click'));
    expect(opened).toEqual(['iris-prod']);
    // Firing alerts also count for the panel's badge.
    expect(serving.firingAlerts().map(a => a.id)).toEqual(['a2', 'a3']);
  });
});
