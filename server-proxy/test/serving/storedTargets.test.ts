import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { JSON_BODY_HEADERS } from '../../src/api/inferenceUpstream.js';
import { processStartTime } from '../../src/process/procinfo.js';
import { SERVER_SECRET_HEADER } from '../../src/serving/modelServer.js';
import { HTTP_PORT_NAME, versionObjectName } from '../../src/serving/kubernetes/manifests.js';
import { KubeServing } from '../../src/serving/kubernetes/service.js';
import { StoredTargets } from '../../src/serving/storedTargets.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { DeploymentRecord } from '../../src/store/store.js';
import { deploymentRecord } from '../helpers/records.js';
import { tempRoot, waitFor } from '../helpers/service.js';

// A replica without the deployment's supervisor (a follower) finds where to send inference in the
// deployment's record, read from a real SQLite store. A Kubernetes deployment is reached through the
// real endpoint (the API server's service proxy, as outside the cluster) of a loopback stand-in for the
// API server (no cluster); the local model server is a real process listening on a Unix socket and
// checking the secret, as MLServer's wrapper does.

let store: SqliteStore;
let root: string;
const children: ChildProcess[] = [];
const servers: http.Server[] = [];

beforeAll(() => {
  root = tempRoot();
  store = new SqliteStore(path.join(root, 'laketahoe.db'));
});

afterAll(async () => {
  children.forEach(c => c.kill('SIGKILL'));
  await Promise.all(servers.map(s => new Promise(resolve => s.close(resolve))));
  await store.close();
});

/**
 * A loopback stand-in for the API server's service proxy: answers inference with the version of the
 * Service a request was sent to, and keeps the paths and credentials it saw.
 */
async function fakeApiServer(): Promise<{ url: string; seen: { path: string; authorization?: string }[] }> {
  const seen: { path: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url!, authorization: req.headers.authorization });
    const version = Number(/-v(\d+)-/.exec(req.url!)?.[1]);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ outputs: [{ name: 'predict', data: [version] }] })));
  });
  servers.push(server);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function save(record: DeploymentRecord, change: (r: DeploymentRecord) => void): Promise<void> {
  change(record);
  await store.saveDeployment(record);
}

test("a follower answers a Kubernetes deployment's inference through the Service of the version its record serves", async () => {
  const record = deploymentRecord('alice', 'kd');
  record.deployment.state = 'READY';
  record.runtime.kube = { namespace: 'lt-alice', replicas: 1, cpu: 0.5, memoryGb: 1, gpu: 0, priority: 'middle' };
  await store.createDeployment(record);
  const api = await fakeApiServer();
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'service', token: 'service-token' }],
    contexts: [{ name: 'test', cluster: 'test', user: 'service' }],
    currentContext: 'test'
  });
  // Only what finding a Service needs: the connection and the pods' network.
  const kube = new KubeServing({ config, inCluster: false } as ConstructorParameters<typeof KubeServing>[0]);
  const made: number[] = [];
  const served: number[] = [];
  const targets = new StoredTargets({
    store,
    ttlMs: 0,
    kubeEndpoint: (r, version) => {
      made.push(version);
      return kube.endpointFor(r, version);
    },
    onServing: r => {
      served.push(r.deployment.model.version);
    }
  });
  const answer = async () => {
    const serving = (await targets.runner('alice', 'kd'))?.serving;
    if (!serving) {
      return undefined;
    }
    const res = await serving.server.send({ method: 'POST', path: '/v2/models/iris/infer', body: '{}' });
    return { version: serving.version, status: res.status, body: JSON.parse(res.body.toString()) as { outputs: { data: number[] }[] } };
  };

  expect(await answer()).toEqual({ version: 1, status: 200, body: { outputs: [{ name: 'predict', data: [1] }] } });
  // Switching: the old version answers until the record says the new one does; one connection per version.
  await save(record, r => {
    r.deployment.state = 'UPDATING';
    r.deployment.nextModel = { name: 'iris', version: 2 };
  });
  expect((await answer())?.body.outputs[0].data).toEqual([1]);
  expect(made).toEqual([1]);
  await save(record, r => {
    r.deployment.state = 'READY';
    r.deployment.model = { name: 'iris', version: 2 };
    delete r.deployment.nextModel;
  });
  expect(await answer()).toMatchObject({ version: 2, status: 200, body: { outputs: [{ data: [2] }] } });
  expect(made).toEqual([1, 2]);
  expect(served).toEqual([1, 2]);
  // Through the API server's proxy to each version's Service, with the service's credentials.
  const proxy = (version: number) => `/api/v1/namespaces/lt-alice/services/${versionObjectName('alice', 'kd', version)}:${HTTP_PORT_NAME}/proxy/v2/models/iris/infer`;
  expect(api.seen).toEqual([proxy(1), proxy(1), proxy(2)].map(p => ({ path: p, authorization: 'Bearer service-token' })));
  // Not serving: 503 (a runner without a target); deleted: 404 (no runner).
  await save(record, r => void (r.deployment.state = 'FAILED'));
  expect(await targets.runner('alice', 'kd')).toEqual({ serving: undefined });
  expect(targets.cached('alice', 'kd')).toEqual({ serving: undefined });
  await store.deleteDeployment('alice', 'kd');
  expect(await targets.runner('alice', 'kd')).toBeUndefined();
  expect(await targets.runner('bob', 'kd')).toBeUndefined();
  await targets.close();
});

/** A process that answers HTTP on a Unix socket only with the right secret (as the model server's wrapper). */
function socketServer(socket: string, secret: string): ChildProcess {
  const script = `
    const http = require('node:http');
    http.createServer((req, res) => {
      const ok = req.headers[${JSON.stringify(SERVER_SECRET_HEADER)}] === ${JSON.stringify(secret)};
      res.writeHead(ok ? 200 : 403, { 'content-type': 'application/json' }).end(JSON.stringify({ ok }));
    }).listen(${JSON.stringify(socket)});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  children.push(child);
  return child;
}

test("a follower reaches a local model server through the socket and secret of its record, and stops when the process is gone", async () => {
  const socket = path.join(root, 'server.sock');
  const secret = 'a'.repeat(64);
  const child = socketServer(socket, secret);
  await waitFor(async () => fs.existsSync(socket), 10_000, 'the socket');
  const record = deploymentRecord('alice', 'local');
  record.deployment.state = 'READY';
  record.runtime.servers = [{ version: 1, dir: root, socket, pid: child.pid, pidStartTime: processStartTime(child.pid!), secret }];
  await store.createDeployment(record);
  // The monitor is attached (slowly here) before the first request can go through the target.
  let monitored = false;
  const targets = new StoredTargets({
    store,
    ttlMs: 0,
    onServing: async () => {
      await new Promise(resolve => setTimeout(resolve, 50));
      monitored = true;
    }
  });

  const serving = (await targets.runner('alice', 'local'))?.serving;
  expect(monitored).toBe(true);
  expect(serving).toMatchObject({ model: 'iris', version: 1 });
  const res = await serving!.server.send({ method: 'GET', path: '/v2/health/ready' });
  expect([res.status, JSON.parse(res.body.toString())]).toEqual([200, { ok: true }]);
  // With headers or without, the same object again or another, every request carries the secret.
  for (const headers of [JSON_BODY_HEADERS, JSON_BODY_HEADERS, undefined, { 'content-type': 'text/plain' }, JSON_BODY_HEADERS]) {
    const posted = await serving!.server.send({ method: 'POST', path: '/v2/models/iris/infer', headers, body: '{}' });
    expect([posted.status, JSON.parse(posted.body.toString())]).toEqual([200, { ok: true }]);
  }

  // The same process stays the same connection; a record without the secret (a personal service) gives none.
  expect((await targets.runner('alice', 'local'))?.serving?.server).toBe(serving!.server);
  const noSecret = deploymentRecord('alice', 'personal');
  noSecret.deployment.state = 'READY';
  noSecret.runtime.servers = [{ ...record.runtime.servers[0], secret: undefined }];
  await store.createDeployment(noSecret);
  expect((await targets.runner('alice', 'personal'))?.serving).toBeUndefined();

  // The process dies: the connection is marked exited, and nothing is served from the record any more.
  child.kill('SIGKILL');
  await waitFor(async () => serving!.server.exited !== undefined, 10_000, 'the exit to be noticed');
  expect((await targets.runner('alice', 'local'))?.serving).toBeUndefined();
  await targets.close();
});

test("a follower splits and mirrors like the leader: each ready challenger's server from its record, with its stored mode and weight", async () => {
  const secret = 'b'.repeat(64);
  const start = async (name: string) => {
    const socket = path.join(root, `${name}.sock`);
    const child = socketServer(socket, secret);
    await waitFor(async () => fs.existsSync(socket), 10_000, `the socket of ${name}`);
    return { dir: root, socket, pid: child.pid, pidStartTime: processStartTime(child.pid!), secret };
  };
  const record = deploymentRecord('alice', 'ab');
  record.deployment.state = 'READY';
  record.runtime.servers = [{ version: 1, ...(await start('v1')) }];
  record.runtime.challengerServers = [{ version: 2, ...(await start('v2')) }, { version: 3, ...(await start('v3')) }];
  const challenger = (version: number, mode: 'canary' | 'shadow', weight: number, state: 'READY' | 'DEPLOYING') =>
    ({ model: { name: 'iris', version }, mode, weight, state, errorMessage: '', restarts: 0 });
  record.deployment.challengers = [challenger(2, 'canary', 30, 'READY'), challenger(3, 'shadow', 0, 'DEPLOYING')];
  await store.createDeployment(record);
  const targets = new StoredTargets({ store, ttlMs: 0 });

  // A challenger still deploying gets no traffic.
  let traffic = await targets.traffic('alice', 'ab');
  expect(traffic?.champion?.version).toBe(1);
  expect(traffic?.challengers.map(c => [c.serving.version, c.policy])).toEqual([[2, { mode: 'canary', weight: 30 }]]);
  const res = await traffic!.challengers[0].serving.server.send({ method: 'GET', path: '/v2/health/ready' });
  expect([res.status, JSON.parse(res.body.toString())]).toEqual([200, { ok: true }]);
  const v2 = traffic!.challengers[0].serving.server;

  // Ready, reweighted: the next read says so; the unchanged server keeps its connection.
  await save(record, r => {
    r.deployment.challengers = [challenger(2, 'canary', 50, 'READY'), challenger(3, 'shadow', 0, 'READY')];
  });
  traffic = await targets.traffic('alice', 'ab');
  expect(traffic?.challengers.map(c => [c.serving.version, c.policy])).toEqual([
    [2, { mode: 'canary', weight: 50 }],
    [3, { mode: 'shadow', weight: 0 }]
  ]);
  expect(traffic!.challengers[0].serving.server).toBe(v2);
  // Removed: no more traffic to it.
  await save(record, r => {
    r.deployment.challengers = [challenger(3, 'shadow', 0, 'READY')];
  });
  expect((await targets.traffic('alice', 'ab'))?.challengers.map(c => c.serving.version)).toEqual([3]);
  expect(await targets.traffic('alice', 'nope')).toBeUndefined();
  await targets.close();
});
