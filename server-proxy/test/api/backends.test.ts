import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseServeArgs } from '../../src/config.js';
import { writeNotebook } from '../helpers/notebooks.js';
import { startService, tempRoot, type TestService } from '../helpers/service.js';
import { usingPostgres } from '../helpers/postgres.js';

// Backend choice on a service without a cluster: local only.
let t: TestService;

beforeAll(async () => {
  const root = tempRoot();
  writeNotebook(path.join(root, 'train.ipynb'), ['print(1)']);
  t = await startService(root);
});

afterAll(async () => {
  await t.close();
});

test('a job asking for a backend that is not configured is a 400 naming trainingInput.backend', async () => {
  const res = await t.call('POST', '/api/v1/jobs', { trainingInput: { backend: 'kubernetes', notebook: { path: 'train.ipynb' } } });
  expect(res.status).toBe(400);
  expect(res.body.error).toEqual({
    code: 'invalid_argument',
    field: 'trainingInput.backend',
    message: 'trainingInput.backend: the kubernetes backend is not configured on this service (configured: local)'
  });
  const bad = await t.call('POST', '/api/v1/jobs', { trainingInput: { backend: 'slurm', notebook: { path: 'train.ipynb' } } });
  expect(bad.status).toBe(400);
  expect(bad.body.error.field).toBe('trainingInput.backend');
});

test('info lists the configured backends', async () => {
  const info = (await t.call('GET', '/api/v1/info')).body;
  expect(info.backend).toBe('local');
  expect(info.backends).toEqual([{ name: 'local' }]);
  expect(info.supportsDistributed).toBe(false);
  // The only process of its database leads: SQLite always, PostgreSQL by winning the advisory lock.
  expect(info.replica).toEqual({ leader: true, election: usingPostgres() ? 'advisory-lock' : 'single' });
});

test('serve flags choose the leader election', () => {
  const env = { LAKETAHOE_TOKEN: 'x' };
  const base = ['--runtime-file', '/tmp/x.json'];
  expect(parseServeArgs(base, env).leaderElection).toBe('auto');
  const lease = parseServeArgs([...base, '--leader-election', 'lease', '--leader-lease', 'team-a/lt-leader'], env);
  expect([lease.leaderElection, lease.leaderLease]).toEqual(['lease', { namespace: 'team-a', name: 'lt-leader' }]);
  expect(() => parseServeArgs([...base, '--leader-election', 'raft'], env)).toThrow(/leader-election must be auto, advisory-lock or lease/);
  expect(() => parseServeArgs([...base, '--leader-lease', 'no-slash'], env)).toThrow(/leader-lease must be namespace\/name/);
});

test('serve flags configure the Kubernetes backend', () => {
  const env = { LAKETAHOE_TOKEN: 'x' };
  expect(parseServeArgs(['--runtime-file', '/tmp/x.json'], env).k8s).toBeUndefined();
  const config = parseServeArgs(
    ['--runtime-file', '/tmp/x.json', '--backend', 'kubernetes', '--k8s-kubeconfig', '/tmp/kc', '--k8s-namespace-map', 'alice=team-a', '--k8s-default-image', 'img:1', '--k8s-output-pvc', 'out'],
    env
  );
  expect(config.defaultBackend).toBe('kubernetes');
  expect(config.k8s).toMatchObject({
    kubeconfig: '/tmp/kc',
    namespaceTemplate: 'laketahoe-{user}',
    namespaceMap: { alice: 'team-a' },
    defaultImage: 'img:1',
    outputPvc: 'out',
    ttlSecondsAfterFinished: 3600,
    qps: 50,
    burst: 100
  });
  expect(() => parseServeArgs(['--runtime-file', '/tmp/x.json', '--backend', 'kubernetes'], env)).toThrow(/needs --k8s-kubeconfig/);
  expect(() => parseServeArgs(['--runtime-file', '/tmp/x.json', '--backend', 'yarn'], env)).toThrow(/local or kubernetes/);
  expect(() => parseServeArgs(['--runtime-file', '/tmp/x.json', '--k8s-kubeconfig', '/tmp/kc', '--k8s-namespace-template', 'shared'], env)).toThrow(/must contain \{user\}/);
});

test('the Kubernetes client rate limit comes from --k8s-qps and --k8s-burst; bad values name the flag', () => {
  const base = ['--runtime-file', '/tmp/x.json', '--k8s-kubeconfig', '/tmp/kc'];
  const env = { LAKETAHOE_TOKEN: 'x' };
  expect(parseServeArgs([...base, '--k8s-qps', '12.5', '--k8s-burst', '30'], env).k8s).toMatchObject({ qps: 12.5, burst: 30 });
  expect(parseServeArgs(base, { ...env, LAKETAHOE_K8S_QPS: '200', LAKETAHOE_K8S_BURST: '400' }).k8s).toMatchObject({ qps: 200, burst: 400 });
  expect(parseServeArgs([...base, '--k8s-qps', '7'], { ...env, LAKETAHOE_K8S_QPS: '200' }).k8s!.qps).toBe(7);
  for (const [flag, value] of [['--k8s-qps', '0'], ['--k8s-qps', '-5'], ['--k8s-qps', 'fast'], ['--k8s-burst', '0'], ['--k8s-burst', '2.5'], ['--k8s-burst', 'x']]) {
    expect(() => parseServeArgs([...base, `${flag}=${value}`], env)).toThrow(new RegExp(`^${flag.slice(2)} must be`));
  }
});

test("the administrator's pod template comes from a JSON file, checked at start with the file and field named", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-podtpl-'));
  const base = ['--runtime-file', '/tmp/x.json', '--k8s-kubeconfig', '/tmp/kc'];
  const env = { LAKETAHOE_TOKEN: 'x' };
  const good = path.join(dir, 'good.json');
  fs.writeFileSync(good, JSON.stringify({ hostNetwork: true, nodeSelector: { 'laketahoe.io/node': 'real' } }));
  const config = parseServeArgs([...base, '--k8s-pod-template', good, '--k8s-job-pod-template-fields', 'tolerations, nodeSelector'], env);
  expect(config.k8s!.podTemplate).toEqual({ hostNetwork: true, nodeSelector: { 'laketahoe.io/node': 'real' } });
  expect(config.k8s!.jobPodTemplateFields).toEqual(['tolerations', 'nodeSelector']);
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ tolerations: [{ operator: 'Maybe' }] }));
  expect(() => parseServeArgs([...base, '--k8s-pod-template', bad], env)).toThrow(/bad\.json: podTemplate\.tolerations\[0\]\.operator/);
  const notJson = path.join(dir, 'template.yaml');
  fs.writeFileSync(notJson, 'hostNetwork: true\n');
  expect(() => parseServeArgs([...base, '--k8s-pod-template', notJson], env)).toThrow(/cannot read .*template\.yaml as JSON/);
  expect(() => parseServeArgs([...base, '--k8s-job-pod-template-fields', 'privileged'], env)).toThrow(/unknown field 'privileged'/);
});
