import { LakeTahoeClient } from '../api';
import { JobsModel } from '../model/jobs';
import { TrialLogModel } from '../model/trialLog';
import { TrialsModel } from '../model/trials';
import { findBestTrial, sortTrials } from '../model/trialTable';
import { IJob, ITrial } from '../wire';
import {
  jsonResponse,
  makeJob,
  makeTrial,
  mockSettings,
  whenSignalled
} from './helpers';

function hpoJob(goal: 'MAXIMIZE' | 'MINIMIZE' = 'MAXIMIZE'): IJob {
  return makeJob('hpo', 'RUNNING', {
    trainingInput: {
      scaleTier: 'BASIC',
      notebook: { path: 'nb.ipynb' },
      hyperparameters: {
        goal,
        hyperparameterMetricTag: 'score',
        maxTrials: 4,
        params: [
          {
            parameterName: 'lr',
            type: 'DOUBLE',
            minValue: 0.01,
            maxValue: 1,
            scaleType: 'UNIT_LOG_SCALE'
          }
        ]
      }
    }
  });
}

function setup(
  trials: ITrial[],
  goal: 'MAXIMIZE' | 'MINIMIZE' = 'MAXIMIZE',
  pageSize = 0
) {
  const { settings, requests } = mockSettings(req => {
    const url = new URL(req.url);
    if (url.pathname.endsWith('/trials')) {
      const token = Number(url.searchParams.get('pageToken') ?? '0');
      if (!pageSize) {
        return jsonResponse({ trials });
      }
      const next = token + pageSize;
      return jsonResponse({
        trials: trials.slice(token, next),
        nextPageToken: next < trials.length ? String(next) : undefined
      });
    }
    return jsonResponse(hpoJob(goal));
  });
  const client = new LakeTahoeClient(settings);
  const jobs = new JobsModel(client);
  const model = new TrialsModel('hpo', jobs);
  return { jobs, model, requests, client };
}

describe('TrialsModel', () => {
  it('loads every page of trials and the job', async () => {
    const trials = Array.from({ length: 25 }, (_, i) =>
      makeTrial(String(i + 1), 'SUCCEEDED', i)
    );
    const { model } = setup(trials, 'MAXIMIZE', 10);
    await model.reload();
    expect(model.trials.map(t => t.trialId)).toEqual(
      trials.map(t => t.trialId)
    );
    expect(model.metricTag).toBe('score');
    expect(model.parameterNames).toEqual(['lr', 'kind']);
    expect(model.bestTrial?.trialId).toBe('25');
  });

  it('shows the first page while later pages load', async () => {
    const trials = Array.from({ length: 25 }, (_, i) =>
      makeTrial(String(i + 1), 'SUCCEEDED', i)
    );
    let release: () => void = () => undefined;
    const held = new Promise<void>(resolve => (release = resolve));
    const { settings } = mockSettings(async req => {
      const url = new URL(req.url);
      if (!url.pathname.endsWith('/trials')) {
        return jsonResponse(hpoJob());
      }
      const token = Number(url.searchParams.get('pageToken') ?? '0');
      if (token > 0) {
        await held;
      }
      const next = token + 10;
      return jsonResponse({
        trials: trials.slice(token, next),
        nextPageToken: next < trials.length ? String(next) : undefined
      });
    });
    const model = new TrialsModel(
      'hpo',
      new JobsModel(new LakeTahoeClient(settings))
    );
    const loading = model.reload();
    await whenSignalled(
      model.changed,
      () => model.trials.length === 10,
      'the first page'
    );
    expect(model.loading).toBe(true);
    expect(model.metricTag).toBe('score');
    expect(model.bestTrial?.trialId).toBe('10');
    release();
    await loading;
    expect(model.loading).toBe(false);
    expect(model.trials).toHaveLength(25);
    expect(model.bestTrial?.trialId).toBe('25');
  });

  it('loads pages without curves, then the drawn curves whole in one request', async () => {
    const curve = (n: number) =>
      [1, 2, 3].map(s => ({ trainingStep: s, objectiveValue: n + s / 10 }));
    // 150 trials with curves; the best is the oldest, outside the latest 100.
    const trials = Array.from({ length: 150 }, (_, i) =>
      makeTrial(String(i + 1), 'SUCCEEDED', i === 0 ? 99 : i / 1000, {
        allMetrics: curve(i + 1)
      })
    );
    const { settings, requests } = mockSettings(req => {
      const url = new URL(req.url);
      if (!url.pathname.endsWith('/trials')) {
        return jsonResponse(hpoJob());
      }
      const ids = url.searchParams.get('trialIds')?.split(',');
      const light = url.searchParams.get('metrics') === 'last';
      const token = Number(url.searchParams.get('pageToken') ?? '0');
      const shown = ids
        ? trials.filter(t => ids.includes(t.trialId))
        : trials.slice(token, token + 100);
      return jsonResponse({
        trials: shown.map(t =>
          light ? { ...t, allMetrics: t.allMetrics.slice(-1) } : t
        ),
        nextPageToken:
          !ids && token + 100 < 150 ? String(token + 100) : undefined
      });
    });
    const model = new TrialsModel(
      'hpo',
      new JobsModel(new LakeTahoeClient(settings))
    );
    const plotted: number[] = [];
    model.trialsChanged.connect(() => plotted.push(model.trials.length));
    await model.reload();
    const trialRequests = requests
      .map(r => new URL(r.url))
      .filter(u => u.pathname.endsWith('/trials'));
    expect(trialRequests.map(u => u.searchParams.get('metrics'))).toEqual([
      'last',
      'last',
      null
    ]);
    const drawn = ['1', ...trials.slice(51).map(t => t.trialId)];
    expect(trialRequests[2].searchParams.get('trialIds')).toBe(drawn.join(','));
    expect(model.trials).toHaveLength(150);
    for (const trial of model.trials) {
      expect(trial.allMetrics).toEqual(
        drawn.includes(trial.trialId)
          ? curve(Number(trial.trialId))
          : curve(Number(trial.trialId)).slice(-1)
      );
    }
    expect(model.bestTrial?.trialId).toBe('1');
    // The plots saw every trial at once: the first page was no new version.
    expect(plotted.length).toBeGreaterThan(0);
    expect(plotted.every(n => n === 150)).toBe(true);
  });

  it('applies pushed trial events live and ignores other jobs', async () => {
    const { jobs, model } = setup([makeTrial('1', 'RUNNING')]);
    await model.reload();
    const changed = jest.fn();
    model.changed.connect(changed);
    jobs.events.handleEvent({
      event: 'trial',
      data: JSON.stringify({
        jobId: 'hpo',
        trial: makeTrial('1', 'SUCCEEDED', 0.5)
      })
    });
    jobs.events.handleEvent({
      event: 'trial',
      data: JSON.stringify({ jobId: 'hpo', trial: makeTrial('2', 'QUEUED') })
    });
    jobs.events.handleEvent({
      event: 'trial',
      data: JSON.stringify({
        jobId: 'other',
        trial: makeTrial('3', 'QUEUED')
      })
    });
    expect(changed).toHaveBeenCalledTimes(2);
    expect(model.trials.map(t => [t.trialId, t.state])).toEqual([
      ['1', 'SUCCEEDED'],
      ['2', 'QUEUED']
    ]);
    expect(model.counts).toEqual({ SUCCEEDED: 1, QUEUED: 1 });
    expect(model.bestTrial?.trialId).toBe('1');
  });

  it('keeps events that arrive while a load is in flight', async () => {
    const { jobs, model } = setup([makeTrial('1', 'RUNNING')]);
    const loading = model.reload();
    jobs.events.handleEvent({
      event: 'trial',
      data: JSON.stringify({
        jobId: 'hpo',
        trial: makeTrial('1', 'SUCCEEDED', 2)
      })
    });
    await loading;
    expect(model.get('1')?.state).toBe('SUCCEEDED');
  });

  it('sorts by columns, flips on a second click, and filters by state', async () => {
    const trials = [
      makeTrial('1', 'SUCCEEDED', 0.2),
      makeTrial('2', 'FAILED', null),
      makeTrial('10', 'SUCCEEDED', 0.9),
      makeTrial('3', 'RUNNING', null)
    ];
    const { model } = setup(trials);
    await model.reload();
    expect(model.view.map(t => t.trialId)).toEqual(['1', '2', '3', '10']);
    model.toggleSort('objective');
    // Maximize: best first; trials without an objective last.
    expect(model.view.map(t => t.trialId)).toEqual(['10', '1', '2', '3']);
    model.toggleSort('objective');
    expect(model.view.map(t => t.trialId)).toEqual(['1', '10', '2', '3']);
    model.toggleSort('param:lr');
    expect(model.view.map(t => t.trialId)).toEqual(['1', '2', '3', '10']);
    model.toggleSort('state');
    expect(model.view.map(t => t.state)).toEqual([
      'FAILED',
      'RUNNING',
      'SUCCEEDED',
      'SUCCEEDED'
    ]);
    model.filter = 'SUCCEEDED';
    expect(model.view.map(t => t.trialId)).toEqual(['1', '10']);
    model.filter = 'ALL';
    expect(model.view).toHaveLength(4);
  });

  it('selects trials and emits selection changes once', async () => {
    const { model } = setup([makeTrial('1'), makeTrial('2')]);
    await model.reload();
    const selected = jest.fn();
    model.selectionChanged.connect((_, id) => selected(id));
    model.select('2');
    model.select('2');
    expect(selected).toHaveBeenCalledTimes(1);
    expect(model.selected?.trialId).toBe('2');
  });

  it('patches order, counts and best trial per event, and tells plots apart from sorting', async () => {
    const { model } = setup([
      makeTrial('1', 'SUCCEEDED', 0.5),
      makeTrial('2', 'RUNNING'),
      makeTrial('3', 'SUCCEEDED', 0.7)
    ]);
    await model.reload();
    // Read the caches, so the events below patch them.
    expect(model.trials.map(t => t.trialId)).toEqual(['1', '2', '3']);
    expect(model.counts).toEqual({ SUCCEEDED: 2, RUNNING: 1 });
    expect(model.bestTrial?.trialId).toBe('3');
    const plots = jest.fn();
    model.trialsChanged.connect(plots);
    const version = model.version;

    model.toggleSort('objective');
    model.filter = 'SUCCEEDED';
    model.select('1');
    expect(plots).not.toHaveBeenCalled();
    expect(model.version).toBe(version);
    expect(model.view.map(t => t.trialId)).toEqual(['3', '1']);

    const before = model.trials;
    model.applyTrials([makeTrial('2', 'SUCCEEDED', 0.9)]);
    expect(plots).toHaveBeenCalledTimes(1);
    expect(model.version).toBe(version + 1);
    expect(model.trials).not.toBe(before);
    expect(model.trials.map(t => t.finalMetric?.objectiveValue)).toEqual([
      0.5, 0.9, 0.7
    ]);
    expect(model.counts).toEqual({ SUCCEEDED: 3, RUNNING: 0 });
    expect(model.bestTrial?.trialId).toBe('2');
    expect(model.view.map(t => t.trialId)).toEqual(['2', '3', '1']);

    // A new trial appends; one arriving out of order still lands in place.
    model.applyTrials([makeTrial('5', 'FAILED')]);
    model.applyTrials([makeTrial('4', 'SUCCEEDED', 0.1)]);
    expect(model.trials.map(t => t.trialId)).toEqual(['1', '2', '3', '4', '5']);
    expect(model.counts.FAILED).toBe(1);
    // The best trial itself getting worse hands the title on.
    model.applyTrials([makeTrial('2', 'SUCCEEDED', 0.2)]);
    expect(model.bestTrial?.trialId).toBe('3');
  });

  it('sorts 10,000 trials into objective order', () => {
    const many = Array.from({ length: 10000 }, (_, i) =>
      makeTrial(String(i + 1), 'SUCCEEDED', Math.sin(i))
    );
    const sorted = sortTrials(many, { key: 'objective', ascending: false });
    expect(sorted).toHaveLength(10000);
    const values = sorted.map(t => t.finalMetric!.objectiveValue);
    expect(values.every((v, i) => i === 0 || values[i - 1] >= v)).toBe(true);
    expect(values[0]).toBeGreaterThan(0.9999);
  });
});

describe('findBestTrial', () => {
  const trials = [
    makeTrial('1', 'SUCCEEDED', 0.5),
    makeTrial('2', 'SUCCEEDED', 0.1),
    makeTrial('3', 'FAILED', 5),
    makeTrial('4', 'SUCCEEDED', 0.9, { isTrialStoppedEarly: true }),
    makeTrial('5', 'RUNNING', 10),
    makeTrial('6', 'SUCCEEDED', 0.1)
  ];

  it('maximizes over succeeded trials, early-stopped ones included', () => {
    expect(findBestTrial(trials, 'MAXIMIZE')?.trialId).toBe('4');
  });

  it('minimizes, the lower trial id winning a tie', () => {
    expect(findBestTrial(trials, 'MINIMIZE')?.trialId).toBe('2');
  });

  it('is null without objectives', () => {
    expect(findBestTrial([makeTrial('1', 'FAILED')])).toBeNull();
  });

  it('follows the job goal in the model', async () => {
    const { model } = setup(trials, 'MINIMIZE');
    await model.reload();
    expect(model.goal).toBe('MINIMIZE');
    expect(model.bestTrial?.trialId).toBe('2');
  });
});

describe('TrialLogModel', () => {
  it('appends streamed lines once and stops at the end event', async () => {
    const body =
      'event: log\ndata: {"seq":1,"time":"t","stream":"stdout","text":"a"}\n\n' +
      'event: log\ndata: {"seq":2,"time":"t","stream":"stderr","text":"b"}\n\n' +
      'event: log\ndata: {"seq":2,"time":"t","stream":"stderr","text":"b"}\n\n' +
      'event: end\ndata: {}\n\n';
    const { settings, requests } = mockSettings(
      () =>
        new Response(body, { headers: { 'Content-Type': 'text/event-stream' } })
    );
    const log = new TrialLogModel(new LakeTahoeClient(settings), 'hpo', '7');
    const ended = new Promise<void>(resolve =>
      log.changed.connect(() => {
        if (log.lines.length === 2 && log.status === 'stopped') {
          resolve();
        }
      })
    );
    log.start();
    await ended;
    expect(log.lines.map(l => l.text)).toEqual(['a', 'b']);
    expect(requests[0].url).toContain('/jobs/hpo/trials/7/logs/stream');
    log.dispose();
  });
});
