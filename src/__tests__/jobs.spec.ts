import { LakeTahoeClient } from '../api';
import { JobsModel } from '../model/jobs';
import { IJob } from '../wire';
import { errorResponse, jsonResponse, makeJob, mockSettings } from './helpers';

/** A client whose listJobs answers the given pages. */
function modelWith(pages: { jobs: IJob[]; nextPageToken?: string }[]): {
  model: JobsModel;
  urls: string[];
} {
  let i = 0;
  const { settings, requests } = mockSettings(() =>
    jsonResponse(pages[Math.min(i++, pages.length - 1)])
  );
  const model = new JobsModel(new LakeTahoeClient(settings));
  return { model, urls: requests.map(r => r.url) as string[] };
}

const at = (minute: number) =>
  `2026-11-29T01:${String(minute).padStart(2, '0')}:00.000Z`;

describe('JobsModel', () => {
  it('loads every page, newest first', async () => {
    const { model } = modelWith([
      {
        jobs: [makeJob('b', 'RUNNING', { createTime: at(2) })],
        nextPageToken: 't'
      },
      { jobs: [makeJob('a', 'SUCCEEDED', { createTime: at(1) })] }
    ]);
    const changed = jest.fn();
    model.changed.connect(changed);
    await model.refresh();
    expect(model.jobs.map(j => j.jobId)).toEqual(['b', 'a']);
    expect(model.loading).toBe(false);
    expect(model.error).toBeNull();
    expect(changed).toHaveBeenCalled();
    model.dispose();
  });

  it('applies job events: updates, inserts in order, emits signals', async () => {
    const { model } = modelWith([
      { jobs: [makeJob('a', 'QUEUED', { createTime: at(1) })] }
    ]);
    await model.refresh();
    const changed = jest.fn();
    const jobChanged = jest.fn();
    model.changed.connect(changed);
    model.jobChanged.connect((_, job) => jobChanged(job.jobId, job.state));

    model.events.handleEvent({
      event: 'job',
      data: JSON.stringify(makeJob('a', 'RUNNING', { createTime: at(1) }))
    });
    model.events.handleEvent({
      event: 'job',
      data: JSON.stringify(makeJob('c', 'QUEUED', { createTime: at(5) }))
    });
    expect(model.get('a')!.state).toBe('RUNNING');
    expect(model.jobs.map(j => j.jobId)).toEqual(['c', 'a']);
    expect(jobChanged.mock.calls).toEqual([
      ['a', 'RUNNING'],
      ['c', 'QUEUED']
    ]);
    expect(changed).toHaveBeenCalledTimes(2);
    model.dispose();
  });

  it('ignores malformed and unknown events', async () => {
    const { model } = modelWith([{ jobs: [] }]);
    const changed = jest.fn();
    model.changed.connect(changed);
    model.events.handleEvent({ event: 'job', data: 'not json' });
    model.events.handleEvent({ event: 'job', data: '{"nope":1}' });
    model.events.handleEvent({ event: 'other', data: '{}' });
    expect(model.jobs).toHaveLength(0);
    expect(changed).not.toHaveBeenCalled();
    model.dispose();
  });

  it('records pushed metrics as latest values and re-emits them', async () => {
    const { model } = modelWith([{ jobs: [makeJob('a', 'RUNNING')] }]);
    await model.refresh();
    const metrics = jest.fn();
    model.metricReceived.connect((_, m) => metrics(m.name, m.value));
    model.events.handleEvent({
      event: 'metric',
      data: JSON.stringify({
        jobId: 'a',
        step: 3,
        name: 'acc',
        value: 0.9,
        time: 't'
      })
    });
    expect(model.get('a')!.trainingOutput.latestMetrics).toEqual({ acc: 0.9 });
    expect(metrics).toHaveBeenCalledWith('acc', 0.9);
    model.dispose();
  });

  it('filters by state and emits on filter change only', async () => {
    const { model } = modelWith([
      {
        jobs: [
          makeJob('r', 'RUNNING', { createTime: at(3) }),
          makeJob('s', 'SUCCEEDED', { createTime: at(2) }),
          makeJob('f', 'FAILED', { createTime: at(1) })
        ]
      }
    ]);
    await model.refresh();
    const changed = jest.fn();
    model.changed.connect(changed);
    expect(model.filteredJobs).toHaveLength(3);
    model.filter = 'FAILED';
    model.filter = 'FAILED';
    expect(changed).toHaveBeenCalledTimes(1);
    expect(model.filteredJobs.map(j => j.jobId)).toEqual(['f']);
    // A job entering the filtered state appears without a reload.
    model.applyJob(makeJob('r', 'FAILED', { createTime: at(3) }));
    expect(model.filteredJobs.map(j => j.jobId)).toEqual(['r', 'f']);
    expect(model.hasActiveJobs).toBe(false);
    model.dispose();
  });

  it('keeps events that arrive during a reload over the older page', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>(resolve => (release = resolve));
    const { settings } = mockSettings(async () => {
      await gate;
      return jsonResponse({ jobs: [makeJob('a', 'QUEUED')] });
    });
    const model = new JobsModel(new LakeTahoeClient(settings));
    const loading = model.refresh();
    expect(model.loading).toBe(true);
    model.applyJob(makeJob('a', 'RUNNING'));
    release();
    await loading;
    expect(model.get('a')!.state).toBe('RUNNING');
    model.dispose();
  });

  it('reports a failed reload and keeps the previous list', async () => {
    let fail = false;
    const { settings } = mockSettings(() =>
      fail
        ? errorResponse(500, 'internal', 'boom')
        : jsonResponse({ jobs: [makeJob('a')] })
    );
    const model = new JobsModel(new LakeTahoeClient(settings));
    await model.refresh();
    fail = true;
    await model.refresh();
    expect(model.error?.message).toBe('boom');
    expect(model.jobs.map(j => j.jobId)).toEqual(['a']);
    model.dispose();
  });

  it('cancels through the API and applies the answer', async () => {
    const { settings, requests } = mockSettings(req =>
      req.url.includes('/cancel')
        ? jsonResponse(makeJob('a', 'CANCELLING'))
        : jsonResponse({ jobs: [makeJob('a', 'RUNNING')] })
    );
    const model = new JobsModel(new LakeTahoeClient(settings));
    await model.refresh();
    await model.cancel('a');
    expect(requests[1].method).toBe('POST');
    expect(model.get('a')!.state).toBe('CANCELLING');
    model.dispose();
  });

  it('keeps a pushed end over a slower answer that predates it', async () => {
    const history = (...states: IJob['state'][]) =>
      states.map((state, i) => ({ state, time: at(i), reason: '' }));
    let release: () => void = () => undefined;
    const gate = new Promise<void>(resolve => (release = resolve));
    const { settings } = mockSettings(async req => {
      if (!req.url.includes('/cancel')) {
        return jsonResponse({
          jobs: [
            makeJob('a', 'RUNNING', {
              stateHistory: history('QUEUED', 'RUNNING')
            })
          ]
        });
      }
      await gate;
      return jsonResponse(
        makeJob('a', 'CANCELLING', {
          stateHistory: history('QUEUED', 'RUNNING', 'CANCELLING')
        })
      );
    });
    const model = new JobsModel(new LakeTahoeClient(settings));
    await model.refresh();
    const cancelling = model.cancel('a');
    // The runner stops at once: CANCELLED is pushed before the cancel request answers.
    model.events.handleEvent({
      event: 'job',
      data: JSON.stringify(
        makeJob('a', 'CANCELLED', {
          stateHistory: history('QUEUED', 'RUNNING', 'CANCELLING', 'CANCELLED')
        })
      )
    });
    release();
    await cancelling;
    expect(model.get('a')!.state).toBe('CANCELLED');
    // A job submitted again under the same id (a new create time) is not an older snapshot.
    model.applyJob(makeJob('a', 'QUEUED', { createTime: at(30) }));
    expect(model.get('a')!.state).toBe('QUEUED');
    model.dispose();
  });

  it('deletes the selected jobs in one request and keeps those the service kept', async () => {
    const { settings, requests } = mockSettings(req =>
      req.url.includes('/batch-delete')
        ? jsonResponse({
            results: [
              { jobId: 'a', deleted: true },
              {
                jobId: 'b',
                deleted: false,
                error: { code: 'conflict', message: 'job b is kept' }
              }
            ]
          })
        : jsonResponse({
            jobs: [makeJob('a', 'SUCCEEDED'), makeJob('b', 'SUCCEEDED')]
          })
    );
    const model = new JobsModel(new LakeTahoeClient(settings));
    await model.refresh();
    model.setSelected('a', true);
    model.setSelected('b', true);
    expect([...model.selected]).toEqual(['a', 'b']);
    const results = await model.deleteJobs([...model.selected]);
    expect(requests[1].method).toBe('POST');
    expect(JSON.parse(requests[1].body as string)).toEqual({
      jobIds: ['a', 'b']
    });
    expect(results.map(r => r.deleted)).toEqual([true, false]);
    expect(model.jobs.map(j => j.jobId)).toEqual(['b']);
    expect([...model.selected]).toEqual(['b']);
    model.dispose();
  });

  it('drops a job a pushed `deleted` event names', async () => {
    const { model } = modelWith([
      { jobs: [makeJob('a', 'SUCCEEDED'), makeJob('b', 'RUNNING')] }
    ]);
    await model.refresh();
    model.setSelected('a', true);
    model.events.handleEvent({
      event: 'deleted',
      data: JSON.stringify({ jobId: 'a' })
    });
    model.events.handleEvent({ event: 'deleted', data: 'not json' });
    expect(model.jobs.map(j => j.jobId)).toEqual(['b']);
    expect(model.selected.size).toBe(0);
    model.dispose();
  });

  it('subscribes to /events and reloads the list on every (re)connect', async () => {
    const job = makeJob('pushed', 'RUNNING');
    let streams = 0;
    const { settings, requests } = mockSettings(req => {
      if (req.url.includes('/events')) {
        streams++;
        // The first connection delivers one event and closes; the second stays open.
        const body =
          streams === 1
            ? `event: job\ndata: ${JSON.stringify(job)}\n\n`
            : new ReadableStreamShim();
        return new Response(body as any, {
          headers: { 'Content-Type': 'text/event-stream' }
        });
      }
      return jsonResponse({ jobs: [] });
    });
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick'] });
    const model = new JobsModel(new LakeTahoeClient(settings));
    try {
      model.start();
      await waitFor(() => model.get('pushed') !== undefined);
      await waitFor(() => model.connection === 'waiting');
      jest.advanceTimersByTime(1500);
      await waitFor(() => streams === 2 && model.connection === 'open');
      const lists = () => requests.filter(r => /\/jobs\?/.test(r.url)).length;
      await waitFor(() => lists() >= 2);
      expect(lists()).toBe(2);
    } finally {
      model.dispose();
      jest.useRealTimers();
    }
  });
});

/** A body that never ends, like a live event stream. */
class ReadableStreamShim {
  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ReadableStream } = require('stream/web');
    return new ReadableStream({ start: () => undefined });
  }
}

/** Let promises settle until `predicate` holds. */
async function waitFor(predicate: () => boolean, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (predicate()) {
      return;
    }
    await new Promise(resolve =>
      jest.requireActual('timers').setImmediate(resolve)
    );
  }
  throw new Error('condition not reached');
}
