import { LakeTahoeClient, LakeTahoeError } from '../api';
import {
  errorResponse,
  jsonResponse,
  makeAlert,
  makeDeployment,
  makeVersion,
  mockSettings
} from './helpers';

const BASE = 'http://localhost:8888/user/alice/laketahoe/api/v1';

describe('LakeTahoeClient serving routes', () => {
  it('calls each model and deployment route with encoded names', async () => {
    const { settings, requests } = mockSettings(req => {
      if (req.url.endsWith('/models')) {
        return jsonResponse({ models: [] });
      }
      if (req.url.endsWith('/deployments')) {
        return req.method === 'GET'
          ? jsonResponse({ deployments: [makeDeployment('a')] })
          : jsonResponse(makeDeployment('a'), 201);
      }
      if (req.url.includes('/alerts')) {
        return jsonResponse({ alerts: [makeAlert('1')] });
      }
      if (req.url.includes('/versions/')) {
        return jsonResponse(makeVersion('iris', 2));
      }
      return jsonResponse(makeDeployment('a'));
    });
    const client = new LakeTahoeClient(settings);
    await client.listModels();
    await client.getModel('iris');
    await client.getModelVersion('iris', 2);
    const deployments = await client.listDeployments();
    await client.getDeployment('a b');
    await client.updateDeployment('a', { model: { name: 'iris', version: 3 } });
    await client.deleteDeployment('a');
    const alerts = await client.listAlerts('a');
    await client.getMonitoring('a', {
      since: '2026-11-29T01:00:00Z',
      step: 60
    });
    expect(deployments.map(d => d.name)).toEqual(['a']);
    expect(alerts.map(a => a.id)).toEqual(['1']);
    expect(
      requests.map(r => `${r.method} ${r.url.slice(BASE.length)}`)
    ).toEqual([
      'GET /models',
      'GET /models/iris',
      'GET /models/iris/versions/2',
      'GET /deployments',
      'GET /deployments/a%20b',
      'PATCH /deployments/a',
      'DELETE /deployments/a',
      'GET /deployments/a/alerts',
      'GET /deployments/a/monitoring?since=2026-11-29T01%3A00%3A00Z&step=60'
    ]);
    expect(JSON.parse(requests[5].body!)).toEqual({
      model: { name: 'iris', version: 3 }
    });
  });

  it('posts a deployment from a model version or from a trial', async () => {
    const { settings, requests } = mockSettings(() =>
      jsonResponse(makeDeployment('iris-prod'), 201)
    );
    const client = new LakeTahoeClient(settings);
    await client.createDeployment({
      name: 'iris-prod',
      model: { name: 'iris', version: 2 }
    });
    await client.createDeployment({
      name: 'best',
      source: { jobId: 'hpo_1', trialId: '3' }
    });
    await client.registerModel({ path: 'models/iris' });
    expect(requests.map(r => JSON.parse(r.body!))).toEqual([
      { name: 'iris-prod', model: { name: 'iris', version: 2 } },
      { name: 'best', source: { jobId: 'hpo_1', trialId: '3' } },
      { path: 'models/iris' }
    ]);
    expect(requests[2].url).toBe(`${BASE}/models`);
  });

  it('sends an edited inference body as typed, to the deployment endpoint', async () => {
    const { settings, requests } = mockSettings(() =>
      jsonResponse({ model_name: 'iris', outputs: [] })
    );
    const client = new LakeTahoeClient(settings);
    const text =
      '{"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [1.50]}]}';
    const answer = await client.infer('iris-prod', 'iris', text);
    expect(answer).toEqual({ model_name: 'iris', outputs: [] });
    expect(requests[0].method).toBe('POST');
    expect(requests[0].url).toBe(
      `${BASE}/deployments/iris-prod/v2/models/iris/infer`
    );
    expect(requests[0].body).toBe(text);
    expect(requests[0].headers.get('Content-Type')).toBe('application/json');
  });

  it('keeps the message and field of a refused inference', async () => {
    const { settings } = mockSettings(() =>
      errorResponse(
        400,
        'invalid_argument',
        'the model server refused the request: shape [1, 3] does not match [-1, 4]',
        'inputs[0].shape'
      )
    );
    const client = new LakeTahoeClient(settings);
    const error = (await client
      .infer('d', 'm', { inputs: [] })
      .catch(e => e)) as LakeTahoeError;
    expect(error).toBeInstanceOf(LakeTahoeError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toBe(
      'the model server refused the request: shape [1, 3] does not match [-1, 4]'
    );
    expect(error.field).toBe('inputs[0].shape');
  });

  it('keeps the field of a service error on deploy', async () => {
    const { settings } = mockSettings(() =>
      jsonResponse(
        {
          error: {
            code: 'invalid_argument',
            message: 'name must match ^[a-z][a-z0-9-]{0,62}$',
            field: 'name'
          }
        },
        400
      )
    );
    const error = (await new LakeTahoeClient(settings)
      .createDeployment({ name: 'Bad_Name', model: { name: 'iris' } })
      .catch(e => e)) as LakeTahoeError;
    expect(error.field).toBe('name');
  });
});
