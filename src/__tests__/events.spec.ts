import { LakeTahoeClient } from '../api';
import { PushEvents } from '../model/events';
import { JobsModel } from '../model/jobs';
import { jsonResponse, makeJob, makeTrial, mockSettings } from './helpers';

/** A push connection whose client answers every request with an empty job list. */
function events(): PushEvents {
  const { settings } = mockSettings(() => jsonResponse({ jobs: [] }));
  return new PushEvents(new LakeTahoeClient(settings));
}

describe('PushEvents', () => {
  it('hands each event, parsed, to the signal of its kind', () => {
    const push = events();
    const seen: string[] = [];
    push.jobReceived.connect((_, job) => seen.push(`job ${job.jobId}`));
    push.metricReceived.connect((_, m) => seen.push(`metric ${m.name}`));
    push.trialReceived.connect((_, t) => seen.push(`trial ${t.trial.trialId}`));
    push.otherEventReceived.connect((_, e) => seen.push(`other ${e.event}`));

    push.handleEvent({ event: 'job', data: JSON.stringify(makeJob('a')) });
    push.handleEvent({
      event: 'metric',
      data: JSON.stringify({ jobId: 'a', name: 'loss', value: 1, step: 1 })
    });
    push.handleEvent({
      event: 'trial',
      data: JSON.stringify({ jobId: 'h', trial: makeTrial('3') })
    });
    push.handleEvent({ event: 'deployment', data: '{"name":"d"}' });
    expect(seen).toEqual([
      'job a',
      'metric loss',
      'trial 3',
      'other deployment'
    ]);
    push.dispose();
  });

  it('drops malformed payloads of every kind', () => {
    const push = events();
    const seen = jest.fn();
    for (const signal of [
      push.jobReceived,
      push.metricReceived,
      push.trialReceived,
      push.otherEventReceived
    ]) {
      signal.connect(seen);
    }
    push.handleEvent({ event: 'job', data: 'not json' });
    push.handleEvent({ event: 'job', data: '{"nope":1}' });
    push.handleEvent({ event: 'metric', data: '{"jobId":"a","name":"x"}' });
    push.handleEvent({ event: 'trial', data: '{"jobId":"a","trial":null}' });
    push.handleEvent({ event: 'alert', data: 'not json' });
    expect(seen).not.toHaveBeenCalled();
    push.dispose();
  });

  it('is shared: a jobs model applies its job and metric events, and the owner disposes it', () => {
    const push = events();
    const { settings } = mockSettings(() => jsonResponse({ jobs: [] }));
    const jobs = new JobsModel(new LakeTahoeClient(settings), push);
    expect(jobs.events).toBe(push);
    const metrics: number[] = [];
    jobs.metricReceived.connect((_, m) => metrics.push(m.value));
    push.handleEvent({ event: 'job', data: JSON.stringify(makeJob('a')) });
    push.handleEvent({
      event: 'metric',
      data: JSON.stringify({ jobId: 'a', name: 'acc', value: 0.9, step: 2 })
    });
    expect(jobs.get('a')?.trainingOutput.latestMetrics).toEqual({ acc: 0.9 });
    expect(metrics).toEqual([0.9]);
    expect(jobs.connection).toBe('stopped');
    jobs.dispose();
    expect(push.isDisposed).toBe(true);
  });
});
