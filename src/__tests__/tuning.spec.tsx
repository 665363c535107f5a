import { nullTranslator } from '@jupyterlab/translation';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { act } from 'react';

import { LakeTahoeClient } from '../api';
import { JobDetailModel } from '../model/detail';
import { JobsModel } from '../model/jobs';
import { IHistoryData } from '../model/plots';
import { tuningSummary } from '../model/tuning';
import { IJob } from '../wire';
import { JobDetailView } from '../widgets/JobDetail';
import {
  emptyTrainingOutput,
  jsonResponse,
  makeJob,
  makeTrial,
  mockSettings
} from './helpers';

const trans = nullTranslator.load('laketahoe');

// The chart module draws on a canvas jsdom lacks: record what it is asked to draw instead.
const drawn: IHistoryData[] = [];
jest.mock('../components/charts/hpoCharts', () => ({
  historyPlot: (_el: HTMLElement, data: IHistoryData) => {
    drawn.push(data);
    return {
      update: (next: IHistoryData) => drawn.push(next),
      setWidth: () => undefined,
      destroy: () => undefined
    };
  }
}));
(globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= class {
  observe(): void {}
  disconnect(): void {}
};

(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const hpoJob = (): IJob =>
  makeJob('hpo', 'RUNNING', {
    trainingInput: {
      scaleTier: 'BASIC',
      notebook: { path: 'quad.ipynb', parameters: {} },
      hyperparameters: {
        goal: 'MINIMIZE',
        hyperparameterMetricTag: 'loss',
        maxTrials: 6,
        params: [
          { parameterName: 'lr', type: 'DOUBLE', minValue: 0, maxValue: 1 }
        ]
      }
    },
    trainingOutput: {
      ...emptyTrainingOutput(),
      isHyperparameterTuningJob: true,
      completedTrialCount: 3,
      trialCounts: { SUCCEEDED: 2, FAILED: 1, RUNNING: 1 }
    }
  });

const TRIALS = [
  makeTrial('1', 'SUCCEEDED', 0.5),
  makeTrial('2', 'SUCCEEDED', 0.2),
  makeTrial('3', 'FAILED', null, {
    errorMessage: 'infeasible: metric loss was NaN at step 1'
  }),
  makeTrial('4', 'RUNNING', null)
];

describe('tuningSummary', () => {
  it('counts trials by state, finds the best for the goal and the best so far', () => {
    const summary = tuningSummary(hpoJob(), TRIALS);
    expect(summary.counts).toEqual([
      { state: 'RUNNING', count: 1 },
      { state: 'SUCCEEDED', count: 2 },
      { state: 'FAILED', count: 1 }
    ]);
    expect(summary.best).toEqual({
      trialId: '2',
      objective: 0.2,
      hyperparameters: { lr: 0.2, kind: 'a' }
    });
    expect(summary.maxTrials).toBe(6);
    expect(summary.history).toEqual({
      x: [1, 2, 3, 4],
      objective: [0.5, 0.2, null, null],
      best: [0.5, 0.2, 0.2, 0.2]
    });
  });

  it("falls back to the job's own counts and best trial before trials load", () => {
    const job = hpoJob();
    job.trainingOutput!.bestTrial = makeTrial('7', 'SUCCEEDED', 0.1);
    const summary = tuningSummary(job, []);
    expect(summary.counts.map(c => [c.state, c.count])).toEqual([
      ['RUNNING', 1],
      ['SUCCEEDED', 2],
      ['FAILED', 1]
    ]);
    expect(summary.best?.trialId).toBe('7');
  });
});

describe('an HPO job in the detail view', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('shows the tuning summary instead of empty metrics and log, and follows trials', async () => {
    const { settings } = mockSettings(req => {
      if (req.url.includes('/trials')) {
        return jsonResponse({ trials: TRIALS });
      }
      if (req.url.includes('/metrics')) {
        return jsonResponse({ metrics: [] });
      }
      return jsonResponse(hpoJob());
    });
    const jobs = new JobsModel(new LakeTahoeClient(settings));
    const model = new JobDetailModel('hpo', jobs);
    const view = new JobDetailView({
      model,
      actions: {
        cancel: jest.fn(),
        openNotebook: jest.fn(),
        openHtml: jest.fn()
      },
      trans
    });
    await act(async () => {
      Widget.attach(view, document.body);
      MessageLoop.sendMessage(view, Widget.Msg.UpdateRequest);
      await model.reload();
    });
    const text = () => view.node.textContent ?? '';
    expect(model.trials.map(t => t.trialId)).toEqual(['1', '2', '3', '4']);
    expect(text()).toContain('Tuning');
    expect(text()).toContain('4 of 6 trials');
    expect(text()).toContain('Best: trial 2, loss = 0.2 (lr=0.2, kind="a")');
    expect(
      view.node.querySelector(
        '.jp-laketahoe-TuningSummary-counts [data-state="FAILED"]'
      )?.textContent
    ).toContain('1');
    expect(view.node.querySelector('[data-plot="history"]')).not.toBeNull();
    // The best-so-far curve (MINIMIZE): trial 3 failed and trial 4 runs, so the best stays 0.2.
    expect(drawn[drawn.length - 1]).toEqual({
      x: [1, 2, 3, 4],
      objective: [0.5, 0.2, null, null],
      best: [0.5, 0.2, 0.2, 0.2]
    });
    expect(text()).not.toContain('No metrics reported yet');
    expect(view.node.querySelector('.jp-laketahoe-LogView')).toBeNull();

    // A pushed trial event updates the summary.
    await act(async () => {
      jobs.events.handleEvent({
        event: 'trial',
        data: JSON.stringify({
          jobId: 'hpo',
          trial: makeTrial('4', 'SUCCEEDED', 0.05)
        })
      });
    });
    expect(text()).toContain('Best: trial 4, loss = 0.05');
    expect(drawn[drawn.length - 1].best).toEqual([0.5, 0.2, 0.2, 0.05]);
    expect(
      view.node.querySelector(
        '.jp-laketahoe-TuningSummary-counts [data-state="SUCCEEDED"]'
      )?.textContent
    ).toContain('3');
    await act(async () => {
      view.dispose();
    });
    model.dispose();
    jobs.dispose();
  });
});
