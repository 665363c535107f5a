import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { ReactWidget } from '@jupyterlab/apputils';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import React, { act } from 'react';

import { LakeTahoeClient } from '../api';
import { DeploymentDetailModel } from '../model/deployment';
import { JobsModel } from '../model/jobs';
import { ServingModel } from '../model/serving';
import { CommandIDs } from '../tokens';
import { DeploymentDetailView } from '../widgets/DeploymentDetail';
import { JobDeployButton } from '../widgets/JobDeployButton';
import { ServingPanel } from '../widgets/ServingPanel';
import {
  jsonResponse,
  emptyTrainingOutput,
  makeAlert,
  makeJob,
  makeDeployment,
  makeModel,
  makeVersion,
  mockSettings
} from './helpers';

const trans = nullTranslator.load('laketahoe');

// Lets `act` flush renders and effects in this jsdom environment.
(
  globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
).IS_REACT_ACT_ENVIRONMENT = true;

const iris = makeModel('iris', 2);

const MONITORING = {
  deployment: 'iris-prod',
  windowSeconds: 300,
  step: 60,
  series: [],
  drift: {
    time: 't',
    rows: 20,
    score: 0.4,
    drifted: true,
    features: [
      {
        name: 'sepal_length',
        kind: 'numeric',
        psi: 0.1,
        ksPValue: 0.3,
        drifted: false,
        baseline: { edges: [0, 1, 2], counts: [1, 1] },
        live: { counts: [1, 1] }
      },
      {
        name: 'petal_width',
        kind: 'numeric',
        psi: 0.4,
        ksPValue: 0.01,
        drifted: true,
        baseline: { edges: [0, 1, 2], counts: [1, 1] },
        live: { counts: [2, 0] }
      }
    ],
    prediction: null
  },
  alerts: [makeAlert('a1', 'firing')]
};

function service() {
  const { settings } = mockSettings(req => {
    const path = req.url.split('/api/v1/')[1].split('?')[0];
    if (path === 'models') {
      return jsonResponse({ models: [iris] });
    }
    if (path === 'models/iris') {
      return jsonResponse({
        ...iris,
        versions: [makeVersion('iris', 2), makeVersion('iris', 1)]
      });
    }
    if (path.startsWith('models/iris/versions/')) {
      return jsonResponse(makeVersion('iris', 1));
    }
    if (path === 'deployments') {
      return jsonResponse({
        deployments: [makeDeployment('iris-prod', 'READY')]
      });
    }
    if (path === 'deployments/iris-prod') {
      return jsonResponse(makeDeployment('iris-prod', 'READY'));
    }
    if (path.endsWith('/alerts')) {
      return jsonResponse({ alerts: [makeAlert('a1', 'firing')] });
    }
    if (path.endsWith('/monitoring')) {
      return jsonResponse(MONITORING);
    }
    return jsonResponse({}, 404);
  });
  const jobs = new JobsModel(new LakeTahoeClient(settings));
  return new ServingModel(jobs);
}

/** Wait until React has rendered what `ready` checks (rendering is asynchronous). */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ready(); i++) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  expect(ready()).toBe(true);
}

/** Run a change of model or DOM, and let React render it. */
async function inAct(change: () => unknown): Promise<void> {
  await act(async () => {
    await change();
  });
}

/**
 * Attach a widget and wait for its first render; `act` also runs the
 * effects that subscribe the views to their models' signals.
 */
async function show(widget: Widget, selector?: string): Promise<void> {
  await act(async () => {
    Widget.attach(widget, document.body);
    MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);
  });
  if (selector) {
    await until(() => !!widget.node.querySelector(selector));
  }
}

describe('serving views', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('lists deployments with alert badges and versions with lineage', async () => {
    const serving = service();
    await serving.refresh();
    const commands = new CommandRegistry();
    const executed: [string, unknown][] = [];
    for (const id of [
      CommandIDs.deploy,
      CommandIDs.openDeployment,
      CommandIDs.openJob
    ]) {
      commands.addCommand(id, {
        execute: args => void executed.push([id, args])
      });
    }
    const panel = new ServingPanel({ model: serving, commands, trans });
    await show(panel, '.jp-laketahoe-VersionList-item');

    const row = panel.node.querySelector(
      '.jp-laketahoe-DeploymentList-item[data-deployment="iris-prod"]'
    ) as HTMLElement;
    expect(row.dataset.state).toBe('READY');
    expect(row.textContent).toContain('iris v1');
    (
      row.querySelector('.jp-laketahoe-DeploymentList-alerts') as HTMLElement
    ).click();
    const versions = panel.node.querySelectorAll(
      '.jp-laketahoe-VersionList-item'
    );
    expect(
      Array.from(versions).map(v => (v as HTMLElement).dataset.version)
    ).toEqual(['2', '1']);
    expect(versions[0].textContent).toContain('from train_2');
    expect(versions[0].textContent).toContain('n_estimators=20');
    (
      versions[0].querySelector(
        '.jp-laketahoe-VersionList-deploy'
      ) as HTMLElement
    ).click();
    (
      versions[0].querySelector('.jp-laketahoe-VersionList-job') as HTMLElement
    ).click();
    await until(() => executed.length === 3);
    expect(executed).toEqual([
      [CommandIDs.openDeployment, { name: 'iris-prod', tab: 'monitoring' }],
      [CommandIDs.deploy, { model: 'iris', version: 2 }],
      [CommandIDs.openJob, { jobId: 'train_2' }]
    ]);

    // A pushed state change re-renders the row.
    await inAct(() =>
      serving.applyDeployment(makeDeployment('iris-prod', 'FAILED'))
    );
    await until(
      () =>
        (
          panel.node.querySelector(
            '.jp-laketahoe-DeploymentList-item'
          ) as HTMLElement
        ).dataset.state === 'FAILED'
    );
    await inAct(() => panel.dispose());
  });

  it('shows the endpoint, snippets and a sortable drift table', async () => {
    const serving = service();
    await serving.refresh();
    const model = new DeploymentDetailModel({ name: 'iris-prod', serving });
    await model.reload();
    const view = new DeploymentDetailView({
      model,
      actions: {
        undeploy: jest.fn(),
        switchVersion: jest.fn(),
        openJob: jest.fn(),
        copy: jest.fn()
      },
      trans
    });
    await show(view, '.jp-laketahoe-Endpoint-url');
    expect(view.node.dataset.state).toBe('READY');
    expect(
      view.node.querySelector('.jp-laketahoe-Endpoint-url')!.textContent
    ).toBe(
      'http://localhost:8888/user/alice/laketahoe/api/v1/deployments/iris-prod/v2/models/iris/infer'
    );
    expect(
      view.node.querySelector('[data-snippet="python"] pre')!.textContent
    ).toContain('laketahoe.predict("iris-prod", X)');

    await inAct(async () => {
      model.tab = 'monitoring';
      await model.refreshMonitoring();
    });
    const names = () =>
      Array.from(
        view.node.querySelectorAll('.jp-laketahoe-DriftTable-row')
      ).map(r => (r as HTMLElement).dataset.feature);
    await until(() => names().length === 2);
    // Most drifted first.
    expect(names()).toEqual(['petal_width', 'sepal_length']);
    const sortByName = () =>
      (
        view.node.querySelector(
          '.jp-laketahoe-DriftTable-sort[data-sort="name"]'
        ) as HTMLElement
      ).click();
    await inAct(sortByName);
    await until(() =>
      view.node
        .querySelector('.jp-laketahoe-DriftTable-sort[data-sort="name"]')!
        .textContent!.includes('▲')
    );
    expect(names()).toEqual(['petal_width', 'sepal_length']);
    await inAct(sortByName);
    await until(() => names()[0] === 'sepal_length');
    expect(names()).toEqual(['sepal_length', 'petal_width']);
    expect(
      view.node.querySelectorAll(
        '.jp-laketahoe-AlertList-item[data-state="firing"]'
      )
    ).toHaveLength(1);
    await inAct(() => view.dispose());
    model.dispose();
  });

  it('offers Deploy on a succeeded job that saved a model', async () => {
    const serving = service();
    const deployed: string[] = [];
    const button = (job: ReturnType<typeof makeJob>) =>
      ReactWidget.create(
        <JobDeployButton
          job={job}
          serving={serving}
          deploy={jobId => deployed.push(jobId)}
          trans={trans}
        />
      );
    const saved = makeJob('train_9', 'SUCCEEDED', {
      trainingOutput: {
        ...emptyTrainingOutput(),
        models: [{ name: 'iris', path: 'models/iris' }]
      }
    });
    const running = button({ ...saved, state: 'RUNNING' });
    const none = button(makeJob('train_8', 'SUCCEEDED'));
    const registered = button(makeJob('train_2', 'SUCCEEDED'));
    const ready = button(saved);
    await show(ready, '.jp-laketahoe-JobDetail-deploy');
    await show(running);
    await show(none);
    expect(running.node.querySelector('button')).toBeNull();
    expect(none.node.querySelector('button')).toBeNull();
    await inAct(() =>
      (
        ready.node.querySelector(
          '.jp-laketahoe-JobDetail-deploy'
        ) as HTMLElement
      ).click()
    );
    expect(deployed).toEqual(['train_9']);
    // A version registered from the job also counts, once the models load.
    await show(registered);
    expect(registered.node.querySelector('button')).toBeNull();
    await inAct(() => serving.refresh());
    expect(
      registered.node.querySelector('.jp-laketahoe-JobDetail-deploy')
    ).not.toBeNull();
    for (const widget of [ready, running, none, registered]) {
      await inAct(() => widget.dispose());
    }
  });
});
