import { StateDB } from '@jupyterlab/statedb';

import { LakeTahoeClient } from '../api';
import {
  CompareModel,
  compareCountError,
  finalMetricRows,
  overlaySeries,
  parameterRows
} from '../model/compare';
import { JobsModel, matchesSearch, SEARCH_DELAY_MS } from '../model/jobs';
import { formatLabels, parseLabels } from '../model/labels';
import { prefillFromJob } from '../model/resubmit';
import { SubmitFormModel } from '../model/submit';
import {
  JOB_FILTERS_STATE_KEY,
  readSavedFilters,
  rememberJobFilters
} from '../plugins/jobFilters';
import {
  emptyTrainingOutput,
  jsonResponse,
  makeJob,
  mockSettings,
  whenSignalled
} from './helpers';

const withParams = (
  jobId: string,
  parameters: { [name: string]: unknown },
  latestMetrics: { [name: string]: number } = {}
) =>
  makeJob(jobId, 'SUCCEEDED', {
    trainingInput: {
      scaleTier: 'BASIC',
      notebook: { path: 'work/mnist.ipynb', parameters }
    },
    trainingOutput: { ...emptyTrainingOutput(), latestMetrics }
  });

describe('job search', () => {
  const job = makeJob('mnist_lr', 'RUNNING', {
    labels: { team: 'vision', exp: 'lr' },
    trainingInput: { notebook: { path: 'work/MNIST.ipynb' } }
  });

  it('matches text in the id or notebook path and labels as the service does', () => {
    expect(matchesSearch(job, { text: 'mnist', label: '' })).toBe(true);
    expect(matchesSearch(job, { text: 'work/', label: '' })).toBe(true);
    expect(matchesSearch(job, { text: 'churn', label: '' })).toBe(false);
    expect(matchesSearch(job, { text: '', label: 'team' })).toBe(true);
    expect(matchesSearch(job, { text: '', label: 'team=vision' })).toBe(true);
    expect(matchesSearch(job, { text: '', label: 'team=vis' })).toBe(false);
    expect(matchesSearch(job, { text: ' ', label: ' exp=lr ' })).toBe(true);
  });

  it('asks the service with q and label after a pause, and hides pushed jobs that do not match', async () => {
    jest.useFakeTimers();
    try {
      const { settings, requests } = mockSettings(() =>
        jsonResponse({ jobs: [job] })
      );
      const model = new JobsModel(new LakeTahoeClient(settings));
      model.search = { text: 'mn', label: '' };
      model.search = { text: 'mnist', label: 'team=vision' };
      expect(requests).toHaveLength(0);
      jest.advanceTimersByTime(SEARCH_DELAY_MS);
      jest.useRealTimers();
      await whenSignalled(
        model.changed,
        () => !model.loading && model.jobs.length === 1,
        'list'
      );
      expect(requests).toHaveLength(1);
      const url = new URL(requests[0].url);
      expect(url.searchParams.get('q')).toBe('mnist');
      expect(url.searchParams.get('label')).toBe('team=vision');
      model.applyJob(makeJob('churn_1', 'QUEUED'));
      expect(model.filteredJobs.map(j => j.jobId)).toEqual(['mnist_lr']);
      model.dispose();
    } finally {
      jest.useRealTimers();
    }
  });

  it('remembers the state filter and search across reloads', async () => {
    const db = new StateDB();
    const { settings } = mockSettings(() => jsonResponse({ jobs: [] }));
    const first = new JobsModel(new LakeTahoeClient(settings));
    rememberJobFilters(first, db);
    await db.fetch(JOB_FILTERS_STATE_KEY);
    await Promise.resolve();
    first.filter = 'FAILED';
    first.search = { text: 'mnist', label: 'team=vision' };
    expect(await db.fetch(JOB_FILTERS_STATE_KEY)).toEqual({
      state: 'FAILED',
      text: 'mnist',
      label: 'team=vision'
    });
    first.dispose();

    const second = new JobsModel(new LakeTahoeClient(settings));
    rememberJobFilters(second, db);
    await whenSignalled(
      second.changed,
      () => second.filter === 'FAILED',
      'restored'
    );
    expect(second.search).toEqual({ text: 'mnist', label: 'team=vision' });
    second.dispose();
    // A value that is not ours falls back to no filter.
    expect(readSavedFilters({ state: 'DONE', text: 3 })).toEqual({
      state: 'ALL',
      text: '',
      label: ''
    });
  });
});

describe('labels', () => {
  it('round-trip through the one-line editor and are checked like the service', () => {
    expect(formatLabels({ team: 'vision', draft: '' })).toBe(
      'team=vision, draft'
    );
    expect(parseLabels('team=vision, draft ,')).toEqual({
      labels: { team: 'vision', draft: '' }
    });
    expect(parseLabels('=x')).toEqual({ error: '"=x" has no key' });
    expect('error' in parseLabels(`k=${'v'.repeat(64)}`)).toBe(true);
    expect(
      'error' in
        parseLabels(Array.from({ length: 65 }, (_, i) => `k${i}`).join(','))
    ).toBe(true);
  });

  it('are sent by PATCH and the answer replaces the job in the list', async () => {
    const relabelled = makeJob('a', 'SUCCEEDED', { labels: { team: 'x' } });
    const { settings, requests } = mockSettings(() => jsonResponse(relabelled));
    const model = new JobsModel(new LakeTahoeClient(settings));
    await model.setLabels('a', { team: 'x' });
    expect(requests[0].method).toBe('PATCH');
    expect(requests[0].url).toMatch(/\/api\/v1\/jobs\/a$/);
    expect(JSON.parse(requests[0].body!)).toEqual({ labels: { team: 'x' } });
    expect(model.get('a')!.labels).toEqual({ team: 'x' });
    model.dispose();
  });
});

describe('run again and edit and resubmit', () => {
  it('run again posts to the rerun route and lists the new job', async () => {
    const { settings, requests } = mockSettings(() =>
      jsonResponse(makeJob('a_2', 'QUEUED'), 201)
    );
    const model = new JobsModel(new LakeTahoeClient(settings));
    const job = await model.rerun('a');
    expect(requests[0].method).toBe('POST');
    expect(requests[0].url).toMatch(/\/api\/v1\/jobs\/a\/rerun$/);
    expect(job.jobId).toBe('a_2');
    expect(model.get('a_2')).toBeDefined();
    model.dispose();
  });

  it('fills the submit form from the job, keeping a fresh id', () => {
    const form = new SubmitFormModel('work/mnist.ipynb', [
      { name: 'lr', type: 'float', value: 0.1, line: 1 } as any,
      { name: 'epochs', type: 'int', value: 5, line: 2 } as any
    ]);
    const job = makeJob('old_run', 'FAILED', {
      labels: { team: 'vision' },
      trainingInput: {
        scaleTier: 'CUSTOM',
        priority: 'low',
        masterConfig: {
          resources: { cpu: 2, memoryGb: 8 },
          acceleratorConfig: { count: 1 }
        },
        scheduling: { maxRunningTime: '600s' },
        notebook: { path: 'work/mnist.ipynb', parameters: { lr: 0.5 } }
      }
    });
    prefillFromJob(form, job);
    expect(form.jobId).not.toBe('old_run');
    const request = form.toRequest();
    expect(request.labels).toEqual({ team: 'vision' });
    expect(request.trainingInput).toMatchObject({
      scaleTier: 'CUSTOM',
      priority: 'low',
      masterConfig: {
        resources: { cpu: 2, memoryGb: 8 },
        acceleratorConfig: { count: 1 }
      },
      scheduling: { maxRunningTime: '600s' },
      notebook: { path: 'work/mnist.ipynb', parameters: { lr: 0.5 } }
    });
  });

  it('fills the tuning section of an HPO job, so the resubmitted spec is the same', () => {
    const form = new SubmitFormModel('work/mnist.ipynb', [
      { name: 'lr', type: 'float', value: 0.1, line: 1 } as any,
      { name: 'epochs', type: 'int', value: 5, line: 2 } as any,
      { name: 'dropout', type: 'float', value: 0.2, line: 3 } as any
    ]);
    const hyperparameters = {
      goal: 'MINIMIZE' as const,
      hyperparameterMetricTag: 'loss',
      metricSelection: 'BEST' as const,
      maxTrials: 30,
      maxParallelTrials: 3,
      maxFailedTrials: 4,
      enableTrialEarlyStopping: true,
      earlyStopping: { kind: 'asha' as const, minStep: 2, reductionFactor: 4 },
      algorithm: 'RANDOM_SEARCH' as const,
      params: [
        {
          parameterName: 'lr',
          type: 'DOUBLE' as const,
          minValue: 0.001,
          maxValue: 0.3,
          scaleType: 'UNIT_LOG_SCALE' as const
        },
        {
          parameterName: 'epochs',
          type: 'DISCRETE' as const,
          discreteValues: [5, 10, 20]
        },
        {
          parameterName: 'optimizer',
          type: 'CATEGORICAL' as const,
          categoricalValues: ['adam', 'sgd']
        }
      ]
    };
    const job = makeJob('old_tuning', 'SUCCEEDED', {
      trainingInput: {
        scaleTier: 'BASIC',
        notebook: { path: 'work/mnist.ipynb' },
        hyperparameters
      }
    });
    prefillFromJob(form, job);
    // dropout was proposed by the notebook but not searched: it stays unchecked.
    expect(form.hpo.params.find(row => row.name === 'dropout')?.enabled).toBe(
      false
    );
    const request = form.toRequest();
    expect(request.trainingInput.hyperparameters).toEqual(hyperparameters);
  });
});

describe('compare', () => {
  it('takes 2 to 5 jobs', () => {
    expect(compareCountError(1)).toMatch(/at least 2/);
    expect(compareCountError(2)).toBeNull();
    expect(compareCountError(5)).toBeNull();
    expect(compareCountError(6)).toMatch(/at most 5/);
  });

  it('highlights parameters and final metrics where the jobs differ', () => {
    const jobs = [
      withParams('a', { lr: 0.1, depth: 3 }, { loss: 0.5, acc: 0.9 }),
      withParams('b', { lr: 0.2, depth: 3 }, { loss: 0.4 })
    ];
    const rows = parameterRows(jobs);
    expect(rows.map(r => [r.name, r.values, r.differs])).toEqual([
      ['notebook', ['work/mnist.ipynb', 'work/mnist.ipynb'], false],
      ['scaleTier', ['BASIC', 'BASIC'], false],
      ['depth', ['3', '3'], false],
      ['lr', ['0.1', '0.2'], true]
    ]);
    expect(
      finalMetricRows(jobs).map(r => [r.name, r.values, r.differs])
    ).toEqual([
      ['acc', ['0.9', undefined], true],
      ['loss', ['0.5', '0.4'], true]
    ]);
  });

  it('overlays each metric of every job on shared steps', () => {
    const point = (name: string, step: number, value: number) => ({
      jobId: 'x',
      name,
      step,
      value,
      time: ''
    });
    const series = overlaySeries([
      [point('loss', 1, 0.9), point('loss', 2, 0.5)],
      [point('loss', 2, 0.6), point('loss', 3, 0.4), point('acc', 3, 0.8)]
    ]);
    expect(series).toEqual([
      { name: 'acc', steps: [3], values: [[null], [0.8]] },
      {
        name: 'loss',
        steps: [1, 2, 3],
        values: [
          [0.9, 0.5, null],
          [null, 0.6, 0.4]
        ]
      }
    ]);
  });

  it('loads the jobs and their thinned metrics; refuses one job', async () => {
    const { settings, requests } = mockSettings(request => {
      const url = new URL(request.url);
      const id =
        url.pathname.split('/')[url.pathname.split('/').indexOf('jobs') + 1];
      return url.pathname.endsWith('/metrics')
        ? jsonResponse({
            metrics: [
              {
                jobId: id,
                name: 'loss',
                step: 1,
                value: id === 'a' ? 1 : 2,
                time: ''
              }
            ]
          })
        : jsonResponse(withParams(id, { lr: id === 'a' ? 0.1 : 0.2 }));
    });
    const client = new LakeTahoeClient(settings);
    const model = new CompareModel(client, ['a', 'b']);
    await model.load();
    expect(model.error).toBeNull();
    expect(model.jobs.map(j => j.jobId)).toEqual(['a', 'b']);
    expect(model.series).toEqual([
      { name: 'loss', steps: [1], values: [[1], [2]] }
    ]);
    expect(requests.filter(r => r.url.includes('maxPoints=300'))).toHaveLength(
      2
    );
    model.dispose();

    const one = new CompareModel(client, ['a']);
    await one.load();
    expect(one.error?.message).toMatch(/at least 2/);
    one.dispose();
  });
});
