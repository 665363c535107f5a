import { ServiceError } from '../../../src/errors.js';
import { buildManifests } from '../../../src/backends/kubernetes/manifests.js';
import { planRoles, runName, type KubePlan } from '../../../src/backends/kubernetes/plan.js';
import { mergePodTemplates } from '../../../src/backends/kubernetes/podTemplate.js';
import { checkAllowedFields, validatePodTemplate, type PodTemplate } from '../../../src/schemas/podTemplate.js';

const FIELD = 'trainingInput.podTemplate';

/** The error a call throws, for asserting its field and message. */
function errorOf(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return err as ServiceError;
  }
  throw new Error('expected an error');
}

const admin: PodTemplate = {
  nodeSelector: { 'laketahoe.io/node': 'real' },
  tolerations: [{ key: 'laketahoe.io/real-node', operator: 'Exists', effect: 'NoSchedule' }],
  hostNetwork: true,
  volumes: [{ name: 'datasets', persistentVolumeClaim: { claimName: 'datasets', readOnly: true } }],
  volumeMounts: [{ name: 'datasets', mountPath: '/data', readOnly: true }]
};

describe('validating a pod template', () => {
  test('a complete template passes unchanged', () => {
    const t: PodTemplate = {
      ...admin,
      env: [{ name: 'WANDB_API_KEY', valueFrom: { secretKeyRef: { name: 'wandb', key: 'key' } } }],
      envFrom: [{ secretRef: { name: 'aws' } }],
      serviceAccountName: 'trainer',
      imagePullSecrets: [{ name: 'registry' }]
    };
    expect(validatePodTemplate(t, FIELD)).toEqual(t);
  });

  test('shape errors name the exact field path', () => {
    expect(errorOf(() => validatePodTemplate({ tolerations: [{ effect: 'Sometimes' }] }, FIELD)).field).toBe(`${FIELD}.tolerations[0].effect`);
    expect(errorOf(() => validatePodTemplate({ privileged: true }, FIELD)).field).toBe(`${FIELD}.privileged`);
    expect(errorOf(() => validatePodTemplate({ volumes: [{ name: 'h', hostPath: { path: '/' } }] }, FIELD)).field).toBe(`${FIELD}.volumes[0].hostPath`);
  });

  test("a volume needs exactly one source and may not shadow the runner's own", () => {
    expect(errorOf(() => validatePodTemplate({ volumes: [{ name: 'a' }] }, FIELD)).message).toMatch(/exactly one of secret/);
    expect(errorOf(() => validatePodTemplate({ volumes: [{ name: 'output', emptyDir: {} }] }, FIELD)).field).toBe(`${FIELD}.volumes[0].name`);
    const twice = { volumes: [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }] };
    expect(errorOf(() => validatePodTemplate(twice, FIELD)).field).toBe(`${FIELD}.volumes[1].name`);
  });

  test("mounts and variables cannot replace the runner's folders, credentials or thread settings", () => {
    expect(errorOf(() => validatePodTemplate({ volumeMounts: [{ name: 'a', mountPath: '/laketahoe/input' }] }, FIELD)).field).toBe(
      `${FIELD}.volumeMounts[0].mountPath`
    );
    expect(errorOf(() => validatePodTemplate({ volumeMounts: [{ name: 'a', mountPath: '/x', subPath: '../etc' }] }, FIELD)).field).toBe(
      `${FIELD}.volumeMounts[0].subPath`
    );
    expect(errorOf(() => validatePodTemplate({ env: [{ name: 'LAKETAHOE_UPLOAD', value: 'x' }] }, FIELD)).message).toMatch(/set by the service/);
    expect(errorOf(() => validatePodTemplate({ env: [{ name: 'OMP_NUM_THREADS', value: '64' }] }, FIELD)).field).toBe(`${FIELD}.env[0].name`);
    expect(errorOf(() => validatePodTemplate({ env: [{ name: 'A' }] }, FIELD)).message).toMatch(/exactly one of value and valueFrom/);
  });
});

describe('what a job may set', () => {
  test('only the fields the administrator allows, and the message lists them', () => {
    expect(() => checkAllowedFields({ tolerations: [] }, ['tolerations', 'nodeSelector'], FIELD)).not.toThrow();
    const e = errorOf(() => checkAllowedFields({ hostNetwork: true }, ['tolerations', 'nodeSelector'], FIELD));
    expect(e.code).toBe('invalid_argument');
    expect(e.field).toBe(`${FIELD}.hostNetwork`);
    expect(e.message).toMatch(/only tolerations, nodeSelector/);
    expect(errorOf(() => checkAllowedFields({ tolerations: [] }, [], FIELD)).message).toMatch(/does not let jobs set pod settings/);
  });

  test("a job adds to the administrator's template and cannot undo it", () => {
    const merged = mergePodTemplates(
      admin,
      {
        nodeSelector: { zone: 'a' },
        tolerations: [{ key: 'spot', operator: 'Exists' }],
        hostNetwork: false,
        volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory' } }],
        volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }]
      },
      FIELD
    )!;
    expect(merged.nodeSelector).toEqual({ zone: 'a', 'laketahoe.io/node': 'real' });
    expect(merged.tolerations!.map(t => t.key)).toEqual(['laketahoe.io/real-node', 'spot']);
    expect(merged.hostNetwork).toBe(true);
    expect(merged.volumes!.map(v => v.name)).toEqual(['datasets', 'scratch']);
    expect(errorOf(() => mergePodTemplates(admin, { nodeSelector: { 'laketahoe.io/node': 'other' } }, FIELD)).field).toBe(`${FIELD}.nodeSelector`);
    expect(errorOf(() => mergePodTemplates(admin, { volumes: [{ name: 'datasets', emptyDir: {} }] }, FIELD)).field).toBe(`${FIELD}.volumes[0].name`);
    expect(errorOf(() => mergePodTemplates(undefined, { volumeMounts: [{ name: 'nowhere', mountPath: '/n' }] }, FIELD)).field).toBe(
      `${FIELD}.volumeMounts[0].name`
    );
    expect(mergePodTemplates(undefined, undefined, FIELD)).toBeUndefined();
  });
});

describe('pods built with a template', () => {
  const plan = (podTemplate?: PodTemplate): KubePlan => ({
    kind: 'notebook',
    namespace: 'laketahoe-alice',
    owner: 'alice',
    jobId: 'train_1',
    roles: planRoles({ scaleTier: 'BASIC_GPU', masterConfig: { acceleratorConfig: { type: 'NVIDIA_TESLA_V100' } } }, 'runner:1'),
    priority: 'middle',
    notebook: 'train.ipynb',
    annotations: {},
    podTemplate
  });
  const podOf = (p: KubePlan) =>
    buildManifests(p, p.jobId, runName(p.jobId), { text: {}, binary: {} }, { ttlSecondsAfterFinished: 60, backoffLimit: 0, acceleratorLabel: 'accelerator' }).jobs[0].spec!
      .template.spec!;

  test("the template's settings come after the service's own, which they never replace", () => {
    const pod = podOf(plan({ ...admin, env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }], serviceAccountName: 'trainer' }));
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.serviceAccountName).toBe('trainer');
    // The GPU type's selector and the GPU toleration stay beside the template's.
    expect(pod.nodeSelector).toEqual({ 'laketahoe.io/node': 'real', accelerator: 'nvidia-tesla-v100' });
    expect(pod.tolerations!.map(t => t.key)).toEqual(['nvidia.com/gpu', 'laketahoe.io/real-node']);
    expect(pod.volumes!.map(v => v.name)).toEqual(['input', 'output', 'datasets']);
    const c = pod.containers[0];
    expect(c.volumeMounts!.map(m => m.mountPath)).toEqual(['/laketahoe/input', '/laketahoe/output', '/data']);
    expect(c.env!.find(e => e.name === 'TOKEN')!.valueFrom).toEqual({ secretKeyRef: { name: 's', key: 'k' } });
    expect(c.env!.find(e => e.name === 'LAKETAHOE_JOB_ID')!.value).toBe('train_1');
  });

  test('without a template the pod is as before', () => {
    const pod = podOf(plan());
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.serviceAccountName).toBeUndefined();
    expect(pod.volumes!.map(v => v.name)).toEqual(['input', 'output']);
  });
});
