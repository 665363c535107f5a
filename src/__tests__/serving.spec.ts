import { LakeTahoeClient } from '../api';
import { JobsModel } from '../model/jobs';
import { ServingModel } from '../model/serving';
import {
  errorResponse,
  IRecordedRequest,
  jsonResponse,
  makeAlert,
  makeDeployment,
  makeJob,
  makeModel,
  makeVersion,
  mockSettings,
  whenSignalled
} from './helpers';

/** A service with one model of two versions and one deployment. */
function setup(handler?: (req: IRecordedRequest) => Response | undefined) {
  const iris = makeModel('iris', 2);
  const mock = mockSettings(req => {
    const custom = handler?.(req);
    if (custom) {
      return custom;
    }
    const path = req.url.split('/api/v1/')[1];
    if (path === 'models') {
      return jsonResponse({ models: [iris] });
    }
    if (path === 'models/iris') {
      return jsonResponse({
        ...iris,
        versions: [
          makeVersion('iris', 2),
          makeVersion('iris', 1, {
            source: {
              jobId: 'hpo_1',
              trialId: '3',
              hyperparameters: {},
              metrics: {}
            }
          })
        ]
      });
    }
    if (path === 'deployments') {
      return jsonResponse({
        deployments: [makeDeployment('iris-prod', 'READY')]
      });
    }
    if (path.endsWith('/alerts')) {
      return jsonResponse({ alerts: [makeAlert('a1', 'resolved')] });
    }
    if (req.method === 'DELETE') {
      return jsonResponse(makeDeployment('iris-prod', 'DELETING'));
    }
    return jsonResponse({}, 404);
  });
  const jobs = new JobsModel(new LakeTahoeClient(mock.settings));
  const serving = new ServingModel(jobs);
  return { jobs, serving, requests: mock.requests };
}

const event = (name: string, data: unknown) => ({
  event: name,
  data: JSON.stringify(data)
});

describe('ServingModel', () => {
  it('loads models with versions, deployments and their alerts', async () => {
    const { serving } = setup();
    await serving.refresh();
    expect(serving.models.map(m => m.name)).toEqual(['iris']);
    expect(serving.models[0].versions!.map(v => v.version)).toEqual([2, 1]);
    expect(serving.deployments.map(d => d.state)).toEqual(['READY']);
    expect(serving.getVersion('iris', 1)!.source!.trialId).toBe('3');
    expect(serving.versionsFromJob('train_2').map(v => v.version)).toEqual([2]);
    expect(serving.versionsFromJob('hpo_1', '3').map(v => v.version)).toEqual([
      1
    ]);
    expect(serving.versionsFromJob('hpo_1', '4')).toEqual([]);
    expect(serving.firingAlerts()).toEqual([]);
    expect(serving.error).toBeNull();
  });

  it('follows deployment and alert events of the shared stream', async () => {
    const { jobs, serving } = setup();
    await serving.refresh();
    const changed = jest.fn();
    const alerts = jest.fn();
    serving.deploymentChanged.connect((_, d) => changed(d.name, d.state));
    serving.alertReceived.connect((_, a) => alerts(a.id, a.state));

    // The jobs model hands over what it does not handle itself.
    jobs.events.handleEvent(
      event('deployment', makeDeployment('iris-prod', 'UPDATING'))
    );
    jobs.events.handleEvent(
      event('deployment', makeDeployment('new', 'DEPLOYING'))
    );
    jobs.events.handleEvent(event('alert', makeAlert('a2', 'firing')));
    jobs.events.handleEvent(event('deployment', { not: 'a deployment' }));
    jobs.events.handleEvent({ event: 'alert', data: 'not json' });

    expect(changed.mock.calls).toEqual([
      ['iris-prod', 'UPDATING'],
      ['new', 'DEPLOYING']
    ]);
    expect(alerts.mock.calls).toEqual([['a2', 'firing']]);
    expect(serving.deployments.map(d => `${d.name}:${d.state}`)).toEqual([
      'iris-prod:UPDATING',
      'new:DEPLOYING'
    ]);
    expect(serving.firingAlerts('iris-prod').map(a => a.id)).toEqual(['a2']);
    expect(serving.firingAlerts('new')).toEqual([]);

    jobs.events.handleEvent(event('alert', makeAlert('a2', 'resolved')));
    expect(serving.firingAlerts()).toEqual([]);
  });

  it('removes an undeployed deployment and ignores its late events', async () => {
    const { jobs, serving, requests } = setup();
    await serving.refresh();
    jobs.events.handleEvent(event('alert', makeAlert('a2', 'firing')));
    const removed = jest.fn();
    serving.deploymentRemoved.connect((_, name) => removed(name));
    await serving.undeploy('iris-prod');
    expect(requests[requests.length - 1].method).toBe('DELETE');
    expect(removed).toHaveBeenCalledWith('iris-prod');
    expect(serving.deployments).toEqual([]);
    expect(serving.firingAlerts()).toEqual([]);
    jobs.events.handleEvent(
      event('deployment', makeDeployment('iris-prod', 'DELETING'))
    );
    expect(serving.deployments).toEqual([]);
  });

  it('keeps a pushed update over an answer that predates it', async () => {
    const { jobs, serving } = setup();
    await serving.refresh();
    const later = '2026-11-29T01:05:00.000Z';
    jobs.events.handleEvent(
      event(
        'deployment',
        makeDeployment('iris-prod', 'READY', { updateTime: later })
      )
    );
    serving.applyDeployment(makeDeployment('iris-prod', 'UPDATING'));
    expect(serving.deployments.map(d => d.state)).toEqual(['READY']);
    // A deployment made again under the same name is not an older copy.
    serving.applyDeployment(
      makeDeployment('iris-prod', 'DEPLOYING', {
        createTime: later,
        updateTime: later
      })
    );
    expect(serving.deployments.map(d => d.state)).toEqual(['DEPLOYING']);
  });

  it('reloads models once when a job succeeds', async () => {
    const { jobs, serving, requests } = setup();
    const count = () =>
      requests.filter(r => r.url.endsWith('/api/v1/models')).length;
    jobs.applyJob(makeJob('train_9', 'RUNNING'));
    expect(count()).toBe(0);
    const loaded = whenSignalled(
      serving.changed,
      () => serving.models.length > 0,
      'models reloaded'
    );
    jobs.applyJob(makeJob('train_9', 'SUCCEEDED'));
    jobs.applyJob(makeJob('train_9', 'SUCCEEDED'));
    await loaded;
    expect(count()).toBe(1);
    await serving.refreshModels();
    expect(serving.models[0].versions).toHaveLength(2);
  });

  it('deploys from a trial and reloads models for the new version', async () => {
    const { serving, requests } = setup(req =>
      req.method === 'POST'
        ? jsonResponse(makeDeployment('best', 'DEPLOYING'), 201)
        : undefined
    );
    const deployment = await serving.deploy({
      name: 'best',
      source: { jobId: 'hpo_1', trialId: '3' }
    });
    expect(deployment.state).toBe('DEPLOYING');
    expect(serving.getDeployment('best')).toBeDefined();
    expect(JSON.parse(requests[0].body!)).toEqual({
      name: 'best',
      source: { jobId: 'hpo_1', trialId: '3' }
    });
    expect(requests[1].url).toMatch(/\/models$/);
  });

  it('switches the version with a PATCH of the model', async () => {
    const { serving, requests } = setup(req =>
      req.method === 'PATCH'
        ? jsonResponse(
            makeDeployment('iris-prod', 'UPDATING', {
              model: { name: 'iris', version: 2 }
            })
          )
        : undefined
    );
    await serving.refresh();
    await serving.switchVersion('iris-prod', 2);
    const patch = requests.find(r => r.method === 'PATCH')!;
    expect(patch.url).toMatch(/\/deployments\/iris-prod$/);
    expect(JSON.parse(patch.body!)).toEqual({
      model: { name: 'iris', version: 2 }
    });
    expect(serving.getDeployment('iris-prod')!.state).toBe('UPDATING');
  });

  it('keeps the last error of a failed reload', async () => {
    const { serving } = setup(() => errorResponse(500, 'internal', 'boom'));
    await serving.refresh();
    expect(serving.error!.message).toBe('boom');
    expect(serving.loading).toBe(false);
  });
});
