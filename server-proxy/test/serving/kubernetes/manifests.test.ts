import { diagnose, pendingReplicas } from '../../../src/serving/kubernetes/diagnose.js';
import { serverPorts, servingLabel, versionManifests, versionObjectName, type VersionSpec } from '../../../src/serving/kubernetes/manifests.js';

const spec = (over: Partial<VersionSpec> = {}): VersionSpec => ({
  owner: 'alice',
  deployment: 'iris-prod',
  model: 'iris',
  version: 3,
  runtime: { namespace: 'laketahoe-alice', replicas: 2, cpu: 2, memoryGb: 4, gpu: 0, priority: 'high' },
  image: 'serving:1',
  acceleratorLabel: 'accelerator',
  archiveUrl: 'http://s3.example/models/alice/iris/3/model.tar?X-Amz-Signature=abc',
  archiveSha256: 'f'.repeat(64),
  settings: { implementation: 'mlserver_sklearn.SKLearnModel', parameters: { uri: 'model.joblib' } },
  ...over
});

describe('model server objects on Kubernetes', () => {
  test('names are DNS-1035 labels of at most 63 characters, distinct per owner and version', () => {
    const long = 'a'.repeat(63);
    for (const name of [versionObjectName('alice', long, 12345), versionObjectName('bob', 'x', 1)]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(versionObjectName('alice', 'm', 1)).not.toBe(versionObjectName('bob', 'm', 1));
    expect(versionObjectName('alice', 'm', 1)).not.toBe(versionObjectName('alice', 'm', 2));
    expect(servingLabel('a/b', 'c')).not.toBe(servingLabel('a', 'b/c'));
  });

  test('on a shared host network each version gets its own ports, below the NodePort and ephemeral ranges; otherwise 8080', () => {
    expect(serverPorts('alice', 'm', 1, false)).toEqual({ http: 8080, metrics: 8082 });
    const ports = (owner: string, name: string, version: number) => {
      const { http, metrics } = serverPorts(owner, name, version, true);
      return [http, http + 1, metrics];
    };
    // Consecutive versions of one deployment (a switch, challengers) never share a port.
    const versions = Array.from({ length: 50 }, (_, i) => ports('alice', 'm', i + 1)).flat();
    expect(new Set(versions).size).toBe(versions.length);
    // Across many deployments every port stays in 20000-29999: no outgoing connection of the node takes it.
    const all = Array.from({ length: 2000 }, (_, i) => ports(`user${i}`, `model${i % 7}`, i % 5)).flat();
    expect(Math.min(...all)).toBeGreaterThanOrEqual(20000);
    expect(Math.max(...all)).toBeLessThanOrEqual(29999);
    expect(serverPorts('alice', 'm', 1, true)).not.toEqual(serverPorts('bob', 'm', 1, true));
  });

  test('a version is a Deployment with the replicas, resources, priority, probes and init container, and a Service on its pods', () => {
    const { deployment, service, port } = versionManifests(spec({ runtime: { namespace: 'ns', replicas: 2, cpu: 2, memoryGb: 4, gpu: 1, acceleratorType: 'NVIDIA_TESLA_V100', priority: 'high' } }), 'ns');
    expect(port).toBe(8080);
    expect(deployment.spec!.replicas).toBe(2);
    expect(deployment.spec!.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const pod = deployment.spec!.template.spec!;
    expect(pod.priorityClassName).toBe('high');
    expect(pod.nodeSelector).toEqual({ accelerator: 'nvidia-tesla-v100' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const [server] = pod.containers;
    expect(server.resources!.limits).toEqual({ cpu: '2', memory: '4096Mi', 'nvidia.com/gpu': '1' });
    expect(server.readinessProbe!.httpGet!.path).toBe('/v2/models/iris/ready');
    expect(server.livenessProbe!.httpGet!.path).toBe('/v2/health/live');
    expect(server.env).toContainEqual({ name: 'OMP_NUM_THREADS', value: '2' });
    const env = Object.fromEntries(pod.initContainers![0].env!.map(e => [e.name, e.value]));
    expect(env.LT_MODEL_URL).toBe(spec().archiveUrl);
    expect(env.LT_MODEL_SHA256).toBe('f'.repeat(64));
    expect(JSON.parse(env.LT_MODEL_SETTINGS!)).toEqual({ implementation: 'mlserver_sklearn.SKLearnModel', name: 'iris', parameters: { uri: 'model.joblib', version: '3' } });
    expect(service.spec!.selector).toEqual(deployment.spec!.selector!.matchLabels);
    expect(service.metadata!.name).toBe(deployment.metadata!.name);
  });

  test("the administrator's host-network template gives own ports and a Recreate strategy", () => {
    const { deployment, port } = versionManifests(spec({ podTemplate: { hostNetwork: true, nodeSelector: { real: 'yes' } } }), 'ns');
    expect(port).not.toBe(8080);
    expect(deployment.spec!.strategy).toEqual({ type: 'Recreate' });
    expect(deployment.spec!.template.spec!.hostNetwork).toBe(true);
    expect(deployment.spec!.template.spec!.nodeSelector).toEqual({ real: 'yes' });
    const { metrics } = serverPorts(spec().owner, spec().deployment, spec().version, true);
    expect(metrics).toBe(port + 2);
    expect(deployment.spec!.template.spec!.containers[0].ports).toEqual([
      { name: 'http', containerPort: port, protocol: 'TCP' },
      { name: 'metrics', containerPort: metrics, protocol: 'TCP' }
    ]);
    // MLServer is told both: the CPU autoscaler reads its process CPU on the metrics port.
    const env = Object.fromEntries(deployment.spec!.template.spec!.initContainers![0].env!.map(e => [e.name, e.value]));
    expect([env.LT_HTTP_PORT, env.LT_METRICS_PORT]).toEqual([String(port), String(metrics)]);
  });
});

describe('why a version is not ready', () => {
  test("admission's refusal (quota) fails it", () => {
    const d = { status: { conditions: [{ type: 'ReplicaFailure', status: 'True', message: 'pods "x" is forbidden: exceeded quota: q' }] } };
    expect(diagnose(d as never, [])).toEqual({ failed: 'Kubernetes refused the model server pods: pods "x" is forbidden: exceeded quota: q' });
  });

  test("the scheduler's reason keeps it pending", () => {
    const pod = { status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/6 nodes are available: 4 Insufficient nvidia.com/gpu.' }] } };
    expect(diagnose(undefined, [pod as never])).toEqual({ pending: 'the scheduler cannot place the model server: 0/6 nodes are available: 4 Insufficient nvidia.com/gpu.' });
  });

  test("a replica the scheduler cannot place beside serving ones is reported with its reason", () => {
    const message = "0/5 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.";
    const pending = { status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] } };
    const running = { status: { conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] } };
    const d = (replicas: number, readyReplicas: number) => ({ spec: { replicas }, status: { readyReplicas } }) as never;
    expect(pendingReplicas(d(2, 1), [running as never, pending as never])).toBe(`1 of 2 replicas pending: the scheduler cannot place the model server: ${message}`);
    // None serving: the version is not ready, which diagnose says; all placed: nothing to say.
    expect(pendingReplicas(d(2, 0), [pending as never])).toBeUndefined();
    expect(pendingReplicas(d(2, 1), [running as never])).toBeUndefined();
    expect(pendingReplicas(d(1, 1), [running as never])).toBeUndefined();
  });

  test("a failed fetch or a crashed server fails it with the init container's or the loader's reason", () => {
    const fetch = { status: { initContainerStatuses: [{ name: 'fetch-model', state: { terminated: { exitCode: 1, message: 'x\nthe model archive does not match its manifest' } } }] } };
    expect(diagnose(undefined, [fetch as never]).failed).toBe('fetching the model failed: the model archive does not match its manifest');
    const crash = {
      status: { containerStatuses: [{ name: 'mlserver', state: { waiting: {} }, lastState: { terminated: { exitCode: 1, message: 'Traceback\nValueError: bad pickle' } } }] }
    };
    expect(diagnose(undefined, [crash as never]).failed).toBe('the model server exited (exit code 1): ValueError: bad pickle');
    // uvicorn's startup failure: the exit says only that it gave up, the OSError before it says why.
    const bind = [
      "ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 20002): address already in use",
      'Traceback (most recent call last):',
      "OSError: [Errno 98] error while attempting to bind on address ('0.0.0.0', 20002): address already in use",
      'During handling of the above exception, another exception occurred:',
      '    sys.exit(STARTUP_FAILURE)',
      'SystemExit: 3',
      'asyncio.exceptions.CancelledError'
    ].join('\n');
    const exited = { status: { containerStatuses: [{ name: 'mlserver', state: { terminated: { exitCode: 3, message: bind } } }] } };
    expect(diagnose(undefined, [exited as never]).failed).toBe(
      "the model server exited (exit code 3): OSError: [Errno 98] error while attempting to bind on address ('0.0.0.0', 20002): address already in use"
    );
    const onlyExit = { status: { containerStatuses: [{ name: 'mlserver', state: { terminated: { exitCode: 3, message: 'SystemExit: 3' } } }] } };
    expect(diagnose(undefined, [onlyExit as never]).failed).toBe('the model server exited (exit code 3): SystemExit: 3');
    expect(diagnose(undefined, [])).toEqual({ pending: 'waiting for the model server pods' });
  });
});
