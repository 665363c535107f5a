import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ServiceEndpoint } from '../../../src/serving/kubernetes/endpoint.js';

// A version's Service as the inference proxy reaches it from outside the cluster: through a loopback
// stand-in for the API server's service proxy, which answers as a real one does (the model server's
// bytes passed through, or a Status of its own when no pod is there to answer).

const PROXY = '/api/v1/namespaces/team-a/services/lt-iris-v1:http/proxy';
const seen: { path: string; authorization?: string; contentType?: string; body: string }[] = [];
let server: http.Server;
let config: KubeConfig;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = decodeURIComponent(req.url!);
      seen.push({ path, authorization: req.headers.authorization, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString() });
      const model = path.slice(PROXY.length);
      if (model === '/v2/models/iris/infer') {
        // The answer in three pieces, as a slow pod's may come.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"outputs":[{"name":"predict",');
        setTimeout(() => res.write('"datatype":"INT64","shape":[1],'), 5);
        setTimeout(() => res.end('"data":[2]}]}'), 10);
      } else if (model === '/v2/models/gone/infer' || model === '/v2/health/ready') {
        const status = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'no endpoints available for service "lt-iris-v1"', reason: 'ServiceUnavailable', code: 503 };
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify(status));
      } else if (model === '/v2/models/loading/ready') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"model loading is not finished"}');
      } else if (model === '/v2/models/cut/infer') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"outputs":');
        setTimeout(() => res.destroy(), 5);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Model unknown not found"}');
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'service', token: 'service-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'service' }],
    currentContext: 'test'
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

let endpoint: ServiceEndpoint;

beforeEach(async () => {
  seen.length = 0;
  endpoint = await ServiceEndpoint.create(config, 'team-a', 'lt-iris-v1', 8080, false);
});

afterEach(() => endpoint.close());

test("a request goes through the Service's proxy path with the API server's credentials and comes back whole", async () => {
  const body = Buffer.from('{"inputs":[]}');
  const answer = await endpoint.send({ method: 'POST', path: '/v2/models/iris/infer', headers: { 'content-type': 'application/json' }, body });
  expect(answer.status).toBe(200);
  expect(answer.contentType).toBe('application/json');
  expect(JSON.parse(answer.body.toString())).toEqual({ outputs: [{ name: 'predict', datatype: 'INT64', shape: [1], data: [2] }] });
  expect(seen).toEqual([{ path: `${PROXY}/v2/models/iris/infer`, authorization: 'Bearer service-token', contentType: 'application/json', body: '{"inputs":[]}' }]);
  expect(endpoint.started).toBe(1);
});

test("the proxy's own 503 (no pod to answer) is a failure with its reason; the model server's 503 and 404 are answers", async () => {
  await expect(endpoint.send({ method: 'POST', path: '/v2/models/gone/infer', body: '{}' })).rejects.toMatchObject({
    code: 'LT_NO_ENDPOINT',
    message: 'no model server pod answered: no endpoints available for service "lt-iris-v1"'
  });
  const loading = await endpoint.send({ method: 'GET', path: '/v2/models/loading/ready' });
  expect([loading.status, loading.body.toString()]).toEqual([503, '{"error":"model loading is not finished"}']);
  const unknown = await endpoint.send({ method: 'POST', path: '/v2/models/unknown/infer', body: '{}' });
  expect([unknown.status, unknown.body.toString()]).toEqual([404, '{"error":"Model unknown not found"}']);
});

test('an answer cut off before its end is a connection failure, not a short answer', async () => {
  await expect(endpoint.send({ method: 'POST', path: '/v2/models/cut/infer', body: '{}' })).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
});

test('a probe gives the status, 0 when no pod answered, and is not counted as a request', async () => {
  expect(await endpoint.probe('/v2/models/loading/ready')).toBe(503);
  expect(await endpoint.probe('/v2/health/ready')).toBe(0);
  expect(await endpoint.probe('/v2/models/unknown/ready')).toBe(404);
  expect(endpoint.started).toBe(0);
});
