import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { V1ClusterRole, V1ConfigMap, V1Deployment, V1PodDisruptionBudget } from '@kubernetes/client-node';
import pg from 'pg';
import { startPostgres, stopPostgres } from '../postgres/server.mjs';
import { runName } from '../../src/backends/kubernetes/plan.js';
import { startS3Server, type S3Server } from '../helpers/s3server.js';
import { waitFor } from '../helpers/service.js';
import { adminClients, adminKubeconfig, describeCluster, nodeImages } from './cluster.js';
import { DEPLOY_DIR, KUBECTL, only, render, writeRealNodeOverlay, type RealNodeOverlay } from './deployManifests.js';

// deploy/: what it renders (no cluster needed), then the shared service installed from it on the test
// cluster's real node, with a real PostgreSQL and object store, running a job end to end.

const POD_LABELS = { 'app.kubernetes.io/name': 'laketahoe', 'app.kubernetes.io/component': 'service' };
const SERVICE_ACCOUNT = 'system:serviceaccount:laketahoe:laketahoe';

/** An overlay's inputs with made-up values, for rendering only. */
function sampleOverlay(dir: string): RealNodeOverlay {
  return {
    dir,
    image: 'localhost/laketahoe/service:0123456789ab',
    runnerImage: 'localhost/laketahoe/runner:ba9876543210',
    port: 18900,
    apiServerPort: 16443,
    postgresSocketDir: '/tmp/pg',
    databaseUrl: 'postgres://laketahoe:pw@/laketahoe?host=/run/postgresql',
    s3: { endpoint: 'http://127.0.0.1:7070', bucket: 'b', region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's' },
    tokens: { t: 'alice' },
    tenantNamespaces: ['laketahoe-alice', 'laketahoe-bob'],
    nodeSelector: { 'laketahoe.io/node': 'real' },
    taintKey: 'laketahoe.io/real-node'
  };
}

const envOf = (d: V1Deployment) => d.spec!.template.spec!.containers[0].env ?? [];
const settingsOf = (objects: ReturnType<typeof render>) =>
  (objects.find(o => o.kind === 'ConfigMap' && o.metadata!.name!.startsWith('laketahoe-settings-')) as V1ConfigMap).data!;

describe('deploy/ renders', () => {
  const base = render(path.join(DEPLOY_DIR, 'base'));
  const deployment = only<V1Deployment>(base, 'Deployment', 'laketahoe');
  const pod = deployment.spec!.template.spec!;
  const container = pod.containers[0];

  test('two replicas, spread over nodes, a PDB that keeps one through a drain', () => {
    expect(deployment.spec!.replicas).toBe(2);
    expect(deployment.spec!.strategy!.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    expect(deployment.spec!.selector.matchLabels).toEqual(POD_LABELS);
    const spread = pod.topologySpreadConstraints!.find(c => c.topologyKey === 'kubernetes.io/hostname')!;
    expect(spread).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: POD_LABELS } });
    const pdb = only<V1PodDisruptionBudget>(base, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: { matchLabels: POD_LABELS } });
    expect(only(base, 'Service', 'laketahoe')).toMatchObject({ spec: { selector: POD_LABELS } });
  });

  test('probes on /healthz, resource requests, a non-root read-only container', () => {
    for (const probe of [container.readinessProbe!, container.livenessProbe!]) {
      expect(probe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    }
    expect(container.resources!.requests).toEqual({ cpu: '250m', memory: '256Mi' });
    expect(container.resources!.limits!.memory).toBe('1Gi');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.serviceAccountName).toBe('laketahoe');
  });

  test('the database URL and object-store keys come from Secrets, settings from the generated ConfigMap', () => {
    const fromSecret = Object.fromEntries(envOf(deployment).filter(e => e.valueFrom?.secretKeyRef).map(e => [e.name, e.valueFrom!.secretKeyRef]));
    expect(fromSecret).toEqual({
      LAKETAHOE_DATABASE_URL: { name: 'laketahoe-database', key: 'url' },
      LAKETAHOE_S3_ACCESS_KEY_ID: { name: 'laketahoe-object-store', key: 'accessKeyId' },
      LAKETAHOE_S3_SECRET_ACCESS_KEY: { name: 'laketahoe-object-store', key: 'secretAccessKey' }
    });
    // No credential is a plain value anywhere.
    expect(JSON.stringify(base)).not.toMatch(/password|secretAccessKey=|postgres:\/\//i);
    const settings = settingsOf(base);
    expect(settings).toMatchObject({ LAKETAHOE_BACKEND: 'kubernetes', LAKETAHOE_ARTIFACT_STORE: 's3' });
    expect(container.envFrom![0].configMapRef!.name).toMatch(/^laketahoe-settings-[a-z0-9]+$/);
  });

  test('RBAC: a rule set bound only per tenant namespace, Secrets write-only, Leases in its own namespace', () => {
    expect(base.filter(o => o.kind === 'ClusterRoleBinding')).toEqual([]);
    const rules = only<V1ClusterRole>(base, 'ClusterRole', 'laketahoe-service-tenant').rules!;
    const verbsOn = (group: string, resource: string) =>
      rules.filter(r => r.apiGroups!.includes(group) && r.resources!.includes(resource)).flatMap(r => r.verbs);
    expect(verbsOn('', 'secrets').sort()).toEqual(['create', 'delete']);
    expect(verbsOn('', 'pods').sort()).toEqual(['get', 'list', 'watch']);
    expect(verbsOn('batch', 'jobs').sort()).toEqual(['create', 'delete', 'get', 'list', 'watch']);
    // CPU autoscaling reads use: GET through the pod proxy (never create: no writes to the pods), metrics read.
    expect(verbsOn('', 'pods/proxy')).toEqual(['get']);
    expect(verbsOn('metrics.k8s.io', 'pods').sort()).toEqual(['get', 'list']);
    expect(rules.flatMap(r => r.verbs)).not.toContain('*');
    expect(rules.flatMap(r => r.resources)).not.toContain('*');
    const role = only<V1ClusterRole>(base, 'Role', 'laketahoe-leader-election');
    expect(role.metadata!.namespace).toBe('laketahoe');
    expect(role.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update'] }]);
  });

  test('the JupyterHub overlay: hub sign-in, admin group, group -> namespace map, no tokens file', () => {
    const hub = render(path.join(DEPLOY_DIR, 'overlays', 'jupyterhub'));
    const settings = settingsOf(hub);
    expect(settings.LAKETAHOE_JUPYTERHUB_API_URL).toMatch(/^http:\/\/.+\/hub\/api$/);
    expect(settings).toMatchObject({ LAKETAHOE_ADMIN_GROUP: 'laketahoe-admins', JUPYTERHUB_SERVICE_NAME: 'laketahoe' });
    expect(settings.LAKETAHOE_K8S_NAMESPACE_MAP).toBe('group:team-a=team-a,group:team-b=team-b');
    expect(settings.LAKETAHOE_TOKENS_FILE).toBeUndefined();
    const d = only<V1Deployment>(hub, 'Deployment');
    expect(d.spec!.template.spec!.volumes!.map(v => v.name)).not.toContain('tokens');
    expect(d.spec!.replicas).toBe(2);
    // Every namespace of the map is a tenant the service is bound in.
    const bound = hub.filter(o => o.kind === 'RoleBinding' && o.metadata!.name === 'laketahoe-service').map(o => o.metadata!.namespace);
    expect(bound.sort()).toEqual(['team-a', 'team-b']);
  });

  test("the real node's overlay: one replica on the node's network, the base otherwise unchanged", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-overlay-'));
    try {
      writeRealNodeOverlay(sampleOverlay(dir));
      const objects = render(dir);
      const d = only<V1Deployment>(objects, 'Deployment');
      const spec = d.spec!.template.spec!;
      expect([d.spec!.replicas, spec.hostNetwork, spec.containers[0].image]).toEqual([1, true, 'localhost/laketahoe/service:0123456789ab']);
      expect(spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 18900 }]);
      expect(spec.topologySpreadConstraints).toEqual(pod.topologySpreadConstraints);
      expect(spec.containers[0].readinessProbe).toEqual(container.readinessProbe);
      expect(envOf(d).find(e => e.name === 'LAKETAHOE_DATABASE_URL')!.valueFrom!.secretKeyRef!.name).toMatch(/^laketahoe-database-[a-z0-9]+$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A free TCP port on this machine (the service pod listens on the node's network). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '0.0.0.0', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describeCluster('the shared service installed from deploy/ on the real node', () => {
  const token = crypto.randomBytes(24).toString('hex');
  const jobId = `deployed_${Date.now().toString(36)}`;
  let overlayDir = '';
  let s3: S3Server | undefined;
  let pgDir: string | undefined;
  let url = '';
  const kubectl = (...args: string[]) => execFileSync(KUBECTL, ['--kubeconfig', adminKubeconfig(), ...args], { encoding: 'utf8' });
  const call = async (method: string, urlPath: string, body?: unknown, auth = true) => {
    const res = await fetch(url + urlPath, {
      method,
      headers: { 'x-laketahoe-request': '1', ...(auth ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  /** `kubectl auth can-i` as the service's account: 'yes' or 'no'. */
  const canI = (verb: string, resource: string, namespace: string) => {
    try {
      return kubectl('auth', 'can-i', verb, resource, '-n', namespace, '--as', SERVICE_ACCOUNT).trim();
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? '').trim();
    }
  };

  beforeAll(async () => {
    const images = nodeImages();
    if (!images.LAKETAHOE_K8S_IMAGE_SERVICE) {
      throw new Error('the real node has no service image: tools/k8s/images.sh builds it once server-proxy/node_modules exist');
    }
    const adminUrl = await startPostgres();
    pgDir = process.env.LAKETAHOE_TEST_PG_DIR;
    // The pod's user (uid 1000) reaches the socket through the folder; the data folder inside stays the server's.
    fs.chmodSync(pgDir!, 0o711);
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query('CREATE DATABASE laketahoe_deployed');
    await client.end();
    const password = decodeURIComponent(new URL(adminUrl.replace('@/', '@localhost/')).password);
    s3 = startS3Server();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    overlayDir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-deploy-'));
    const [selKey, selValue] = images.LAKETAHOE_K8S_NODE_SELECTOR.split('=');
    writeRealNodeOverlay({
      dir: overlayDir,
      image: images.LAKETAHOE_K8S_IMAGE_SERVICE,
      runnerImage: images.LAKETAHOE_K8S_IMAGE_RUNNER,
      port,
      apiServerPort: Number(new URL(kubectl('config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}')).port),
      postgresSocketDir: pgDir!,
      databaseUrl: `postgres://laketahoe:${encodeURIComponent(password)}@/laketahoe_deployed?host=/run/postgresql`,
      s3: {
        endpoint: s3.options.endpoint!,
        bucket: s3.options.bucket,
        region: s3.options.region ?? 'us-east-1',
        accessKeyId: s3.options.credentials!.accessKeyId,
        secretAccessKey: s3.options.credentials!.secretAccessKey
      },
      // Two users: a shared service, which runs no job code itself (Kubernetes only).
      tokens: { [token]: 'alice', [crypto.randomBytes(24).toString('hex')]: 'bob' },
      tenantNamespaces: ['laketahoe-alice', 'laketahoe-bob'],
      nodeSelector: { [selKey]: selValue },
      taintKey: images.LAKETAHOE_K8S_NODE_TAINT.split('=')[0]
    });
    kubectl('apply', '-k', overlayDir);
  }, 600_000);

  afterAll(async () => {
    if (overlayDir) {
      try {
        kubectl('delete', '-k', overlayDir, '--ignore-not-found', '--wait=true', '--timeout=120s');
      } finally {
        fs.rmSync(overlayDir, { recursive: true, force: true });
      }
    }
    s3?.stop();
    if (pgDir) {
      stopPostgres(pgDir);
    }
  }, 180_000);

  test('the probes pass on the real node and the API needs a token', async () => {
    try {
      kubectl('-n', 'laketahoe', 'rollout', 'status', 'deployment/laketahoe', '--timeout=180s');
    } catch (err) {
      // The pod's state and log say why; the rollout's timeout alone would not.
      const describe = kubectl('-n', 'laketahoe', 'describe', 'pods');
      const logs = (() => {
        try {
          return kubectl('-n', 'laketahoe', 'logs', 'deployment/laketahoe', '--tail=40');
        } catch {
          return '(no log)';
        }
      })();
      throw new Error(`${(err as Error).message}\n${describe}\n${logs}`);
    }
    const pods = (await adminClients().core.listNamespacedPod({ namespace: 'laketahoe', labelSelector: 'app.kubernetes.io/component=service' })).items;
    expect(pods.map(p => [p.spec!.nodeName, p.status!.conditions!.find(c => c.type === 'Ready')!.status])).toEqual([
      [nodeImages().LAKETAHOE_K8S_NODE_NAME, 'True']
    ]);
    expect(await call('GET', '/healthz', undefined, false)).toEqual({ status: 200, body: { status: 'ok' } });
    expect((await call('GET', '/api/v1/info', undefined, false)).status).toBe(401);
    const info = await call('GET', '/api/v1/info');
    expect([info.status, info.body.user, info.body.backend]).toEqual([200, 'alice', 'kubernetes']);
    // Shared: no job code runs in the service's pod; the backend works in alice's namespace with the pod's account.
    expect(info.body.backends).toEqual([expect.objectContaining({ name: 'kubernetes', namespace: 'laketahoe-alice' })]);
  }, 240_000);

  test('a job submitted through the in-cluster service runs on the real node and succeeds', async () => {
    const submitted = await call('POST', '/api/v1/jobs', {
      jobId,
      trainingInput: { scaleTier: 'CUSTOM', masterConfig: { resources: { cpu: 0.5, memoryGb: 1 } }, pythonModule: 'calendar', args: ['2026'] }
    });
    expect([submitted.status, submitted.body.error]).toEqual([201, undefined]);
    const done = await waitFor(
      async () => {
        const r = await call('GET', `/api/v1/jobs/${jobId}`);
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.body.state) ? r.body : undefined;
      },
      240_000,
      `job ${jobId} to end`
    );
    expect([done.state, done.errorMessage]).toEqual(['SUCCEEDED', '']);
    const logs = (await call('GET', `/api/v1/jobs/${jobId}/logs`)).body.lines.map((l: { text: string }) => l.text).join('\n');
    expect(logs).toContain('2026');
    const pods = (await adminClients().core.listNamespacedPod({ namespace: 'laketahoe-alice', labelSelector: `laketahoe.io/run=${runName(jobId)}` })).items;
    expect(pods.map(p => [p.spec!.nodeName, p.status!.phase])).toEqual([[nodeImages().LAKETAHOE_K8S_NODE_NAME, 'Succeeded']]);
    // Deleting the job through the service removes its Kubernetes objects (the service's own RBAC at work).
    expect((await call('DELETE', `/api/v1/jobs/${jobId}`)).status).toBe(204);
  }, 300_000);

  test("RBAC: the service account acts in tenant namespaces only, and never reads Secrets", () => {
    expect(canI('create', 'jobs.batch', 'laketahoe-alice')).toBe('yes');
    expect(canI('create', 'deployments.apps', 'laketahoe-bob')).toBe('yes');
    expect(canI('create', 'leases.coordination.k8s.io', 'laketahoe')).toBe('yes');
    for (const ns of ['laketahoe-alice', 'laketahoe', 'kube-system', 'default']) {
      expect([ns, canI('get', 'secrets', ns), canI('list', 'secrets', ns)]).toEqual([ns, 'no', 'no']);
    }
    for (const ns of ['default', 'kube-system', 'laketahoe']) {
      expect([ns, canI('create', 'pods', ns), canI('create', 'jobs.batch', ns)]).toEqual([ns, 'no', 'no']);
    }
    // Runs are Jobs: even in a tenant namespace the service creates no bare pods.
    expect(canI('create', 'pods', 'laketahoe-alice')).toBe('no');
    expect(canI('create', 'leases.coordination.k8s.io', 'laketahoe-alice')).toBe('no');
  });

  test('uninstalling leaves no object behind', async () => {
    kubectl('delete', '-k', overlayDir, '--wait=true', '--timeout=150s');
    const left = () =>
      kubectl('get', 'all,configmaps,secrets,serviceaccounts,roles,rolebindings,poddisruptionbudgets,leases', '-A', '-l', 'app.kubernetes.io/part-of=laketahoe', '-o', 'name').trim();
    expect(left()).toBe('');
    expect(kubectl('get', 'clusterroles,clusterrolebindings', '-o', 'name').split('\n').filter(n => n.includes('laketahoe-service'))).toEqual([]);
    expect(kubectl('get', 'rolebindings', '-A', '-o', 'name').split('\n').filter(n => n.endsWith('/laketahoe-service'))).toEqual([]);
    await waitFor(
      async () => {
        const gone = !kubectl('get', 'namespaces', '-o', 'name').split('\n').includes('namespace/laketahoe');
        return gone || (await new Promise(r => setTimeout(r, 1000)));
      },
      120_000,
      'namespace laketahoe to go'
    );
    // The job's objects went with DELETE /jobs: nothing of its run is left in the tenant namespace (other tests' runs may be).
    expect(kubectl('get', 'jobs,pods,configmaps,secrets', '-n', 'laketahoe-alice', '-l', `laketahoe.io/run=${runName(jobId)}`, '-o', 'name').trim()).toBe('');
  }, 240_000);
});
