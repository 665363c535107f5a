import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { LakeTahoeClient } from '../api';
import { DeploymentDetailModel } from '../model/deployment';
import { JobsModel } from '../model/jobs';
import { ServingModel } from '../model/serving';
import { CommandIDs } from '../tokens';
import { IModel } from '../types';
import { DeploymentDetailView } from '../widgets/DeploymentDetail';
import { ServingPanel } from '../widgets/ServingPanel';
import {
  jsonResponse,
  makeAlert,
  makeDeployment,
  makeVersion,
  mockSettings
} from './helpers';

const trans = nullTranslator.load('laketahoe');

const iris: IModel = {
  name: 'iris',
  owner: 'alice',
  latestVersion: 2,
  createTime: 't',
  updateTime: 't'
};

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

/** Attach a widget and let React render. */
async function show(widget: Widget): Promise<void> {
  Widget.attach(widget, document.body);
  MessageLoop.sendMessage(widget, Widget.Msg.UpdateRequest);
  await new Promise(resolve => setTimeout(resolve, 20));
}

const settle = () => new Promise(resolve => setTimeout(resolve, 20));

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
    await show(panel);

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
    await settle();
    expect(executed).toEqual([
      [CommandIDs.openDeployment, { name: 'iris-prod', tab: 'monitoring' }],
      [CommandIDs.deploy, { model: 'iris', version: 2 }],
      [CommandIDs.openJob, { jobId: 'train_2' }]
    ]);

    // A pushed state change re-renders the row.
    serving.applyDeployment(makeDeployment('iris-prod', 'FAILED'));
    await settle();
    expect(
      (
        panel.node.querySelector(
          '.jp-laketahoe-DeploymentList-item'
        ) as HTMLElement
      ).dataset.state
    ).toBe('FAILED');
    panel.dispose();
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
    await show(view);
    expect(view.node.dataset.state).toBe('READY');
    expect(
      view.node.querySelector('.jp-laketahoe-Endpoint-url')!.textContent
    ).toBe(
      'http://localhost:8888/user/alice/laketahoe/api/v1/deployments/iris-prod/v2/models/iris/infer'
    );
    expect(
      view.node.querySelector('[data-snippet="python"] pre')!.textContent
    ).toContain('laketahoe.predict("iris-prod", X)');

    model.tab = 'monitoring';
    await model.refreshMonitoring();
    await settle();
    const names = () =>
      Array.from(
        view.node.querySelectorAll('.jp-laketahoe-DriftTable-row')
      ).map(r => (r as HTMLElement).dataset.feature);
    expect(names()).toEqual(['petal_width', 'sepal_length']);
    (
      view.node.querySelector(
        '.jp-laketahoe-DriftTable-sort[data-sort="name"]'
      ) as HTMLElement
    ).click();
    await settle();
    expect(names()).toEqual(['petal_width', 'sepal_length']);
    (
      view.node.querySelector(
        '.jp-laketahoe-DriftTable-sort[data-sort="name"]'
      ) as HTMLElement
    ).click();
    await settle();
    expect(names()).toEqual(['sepal_length', 'petal_width']);
    expect(
      view.node.querySelectorAll(
        '.jp-laketahoe-AlertList-item[data-state="firing"]'
      )
    ).toHaveLength(1);
    view.dispose();
    model.dispose();
  });
});
