import { LakeTahoeClient } from '../api';
import { DeploymentDetailModel } from '../model/deployment';
import {
  isValidDeploymentName,
  suggestDeploymentName
} from '../model/deployForm';
import { JobsModel } from '../model/jobs';
import { ServingModel } from '../model/serving';
import {
  errorResponse,
  IRecordedRequest,
  jsonResponse,
  makeDeployment,
  makeVersion,
  mockSettings,
  whenSignalled
} from './helpers';

const MONITORING = {
  deployment: 'iris-prod',
  windowSeconds: 300,
  step: 60,
  series: [],
  drift: null,
  alerts: []
};

/** A deployment view's model over a mocked service; `infer` answers inference. */
function setup(infer?: (req: IRecordedRequest) => Response) {
  let clock = 1000;
  const mock = mockSettings(req => {
    const path = req.url.split('/api/v1/')[1].split('?')[0];
    if (path.endsWith('/infer')) {
      clock += 12.5;
      return infer ? infer(req) : jsonResponse({ outputs: [] });
    }
    if (path === 'deployments/iris-prod') {
      return jsonResponse(makeDeployment('iris-prod', 'READY'));
    }
    if (path.startsWith('models/iris/versions/')) {
      return jsonResponse(makeVersion('iris', Number(path.split('/').pop())));
    }
    if (path.endsWith('/monitoring')) {
      return jsonResponse(MONITORING);
    }
    return errorResponse(404, 'not_found', 'no');
  });
  const jobs = new JobsModel(new LakeTahoeClient(mock.settings));
  const serving = new ServingModel(jobs);
  const loadBaseline = jest.fn(async (dir: string) => ({
    features: [
      { name: 'sepal_length', kind: 'numeric', edges: [1, 2, 3] },
      { name: 'petal_width', kind: 'numeric', sample: [0.5] }
    ]
  }));
  const model = new DeploymentDetailModel({
    name: 'iris-prod',
    serving,
    loadBaseline,
    refreshSeconds: 5,
    now: () => clock
  });
  return { model, serving, requests: mock.requests, loadBaseline };
}

describe('DeploymentDetailModel', () => {
  it('prefills the test request from the version signature and baseline', async () => {
    const { model, loadBaseline } = setup();
    await model.reload();
    expect(model.deployment!.state).toBe('READY');
    expect(model.version!.version).toBe(1);
    expect(loadBaseline).toHaveBeenCalledWith(
      'laketahoe-jobs/train_1/models/iris'
    );
    expect(JSON.parse(model.requestText)).toEqual({
      inputs: [
        { name: 'input-0', shape: [1, 2], datatype: 'FP64', data: [2, 0.5] }
      ]
    });
    model.dispose();
  });

  it('sends the edited body and records the answer with its latency', async () => {
    const { model, requests } = setup(() =>
      jsonResponse({
        model_name: 'iris',
        outputs: [{ name: 'predict', data: [2] }]
      })
    );
    await model.reload();
    model.requestText = model.requestText.replace('0.5', '0.7');
    const result = await model.send();
    expect(result).toEqual({
      ok: true,
      body: { model_name: 'iris', outputs: [{ name: 'predict', data: [2] }] },
      latencyMs: 12.5
    });
    const sent = requests.find(r => r.url.endsWith('/infer'))!;
    expect(sent.url).toMatch(
      /\/deployments\/iris-prod\/v2\/models\/iris\/infer$/
    );
    expect(JSON.parse(sent.body!).inputs[0].data).toEqual([2, 0.7]);
    expect(model.sending).toBe(false);
  });

  it("shows the service's message when inference fails", async () => {
    const { model } = setup(() =>
      errorResponse(
        400,
        'invalid_argument',
        'the model server refused the request: Expected 2 features, got 3',
        'inputs[0].shape'
      )
    );
    await model.reload();
    const result = await model.send();
    expect(result).toEqual({
      ok: false,
      body: 'the model server refused the request: Expected 2 features, got 3',
      latencyMs: 12.5
    });
  });

  it('does not send a body that is not JSON', async () => {
    const { model, requests } = setup();
    await model.reload();
    model.requestText = '{"inputs": [';
    const result = await model.send();
    expect(result!.ok).toBe(false);
    expect(String(result!.body)).toContain('Not valid JSON');
    expect(requests.some(r => r.url.endsWith('/infer'))).toBe(false);
  });

  it('loads the new version when a pushed event switches it', async () => {
    const { model, serving } = setup();
    await model.reload();
    serving.applyDeployment(
      makeDeployment('iris-prod', 'UPDATING', {
        model: { name: 'iris', version: 2 }
      })
    );
    await whenSignalled(
      model.changed,
      () => model.version?.version === 2,
      'version 2 loaded'
    );
    expect(model.deployment!.state).toBe('UPDATING');
    expect(model.version!.version).toBe(2);
  });

  it('marks the view removed when the deployment is undeployed', async () => {
    const { model, serving } = setup();
    await model.reload();
    await serving.undeploy('iris-prod');
    expect(model.removed).toBe(true);
  });

  describe('monitoring refresh', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('reloads only while visible on the monitoring tab', async () => {
      const { model, requests } = setup();
      // The deployment's own monitoring, not the per-version comparison loaded beside it.
      const loads = () => requests.filter(r => /\/monitoring(\?|$)/.test(r.url)).length;
      model.tab = 'monitoring';
      expect(loads()).toBe(0);
      model.visible = true;
      await jest.advanceTimersByTimeAsync(0);
      expect(loads()).toBe(1);
      expect(model.monitoring).toEqual(MONITORING);
      await jest.advanceTimersByTimeAsync(5000);
      expect(loads()).toBe(2);
      model.visible = false;
      await jest.advanceTimersByTimeAsync(20000);
      expect(loads()).toBe(2);
      model.visible = true;
      model.tab = 'test';
      await jest.advanceTimersByTimeAsync(20000);
      expect(loads()).toBe(3);
      model.dispose();
    });
  });
});

describe('deploy form', () => {
  it('suggests a valid, unused deployment name', () => {
    expect(suggestDeploymentName('iris')).toBe('iris');
    expect(suggestDeploymentName('iris', ['iris', 'iris-2'])).toBe('iris-3');
    expect(suggestDeploymentName('Train_20261129_01')).toBe(
      'train-20261129-01'
    );
    expect(suggestDeploymentName('9_lives__')).toBe('lives');
    expect(suggestDeploymentName('___')).toBe('model');
    expect(isValidDeploymentName(suggestDeploymentName('x'.repeat(100)))).toBe(
      true
    );
  });

  it('checks names as the service does', () => {
    expect(isValidDeploymentName('iris-prod')).toBe(true);
    expect(isValidDeploymentName('Iris')).toBe(false);
    expect(isValidDeploymentName('1iris')).toBe(false);
    expect(isValidDeploymentName('a'.repeat(64))).toBe(false);
  });
});
