import { ServiceError } from '../../../src/errors.js';
import { buildManifests, cpuQuantity, grantSecret, memoryQuantity, runnerCommand, type ManifestOptions } from '../../../src/backends/kubernetes/manifests.js';
import { labelValue, machineType, namespaceFor, packInputs, planRoles, runName, type KubePlan } from '../../../src/backends/kubernetes/plan.js';
import { parseQuantity, quotaNeverFits } from '../../../src/backends/kubernetes/quota.js';
import { INLINE_INPUT_BYTES, inlineInputs, type RunFiles } from '../../../src/backends/kubernetes/inputs.js';
import type { TrainingInput } from '../../../src/schemas/jobs.js';

const GIB = 1024 ** 3;
const opts: ManifestOptions = { ttlSecondsAfterFinished: 3600, backoffLimit: 3, acceleratorLabel: 'accelerator' };
const files = { text: { 'train.ipynb': '{}' }, binary: {} };

function plan(input: TrainingInput, extra: Partial<KubePlan> = {}): KubePlan {
  return {
    kind: 'notebook',
    namespace: 'laketahoe-alice',
    owner: 'alice',
    jobId: 'train_1',
    roles: planRoles(input, 'runner:1'),
    priority: 'middle',
    notebook: 'train.ipynb',
    parameters: { lr: 0.1 },
    annotations: {},
    ...extra
  };
}

const build = (p: KubePlan, runId = p.jobId) => buildManifests(p, runId, runName(runId), files, opts);

describe('resources per tier', () => {
  test('BASIC and BASIC_GPU are one master pod', () => {
    expect(planRoles({}, 'img')).toEqual([{ role: 'master', replicas: 1, resources: { cpu: 1, memoryBytes: 2 * GIB, gpu: 0 }, image: 'img' }]);
    expect(planRoles({ scaleTier: 'BASIC_GPU', masterConfig: { acceleratorConfig: { type: 'NVIDIA_TESLA_A100' } } }, 'img')[0]).toMatchObject({
      resources: { cpu: 2, memoryBytes: 8 * GIB, gpu: 1 },
      acceleratorType: 'NVIDIA_TESLA_A100'
    });
  });

  test('STANDARD_1 and PREMIUM_1 have AI Platform role counts', () => {
    expect(planRoles({ scaleTier: 'STANDARD_1' }, 'img').map(r => [r.role, r.replicas])).toEqual([['master', 1], ['worker', 4], ['ps', 3]]);
    expect(planRoles({ scaleTier: 'PREMIUM_1' }, 'img').map(r => [r.role, r.replicas])).toEqual([['master', 1], ['worker', 19], ['ps', 11]]);
  });

  test('CUSTOM reads machine types, explicit resources and accelerators; workers default to the master', () => {
    const roles = planRoles(
      {
        scaleTier: 'CUSTOM',
        masterType: 'complex_model_m_v100',
        masterConfig: { imageUri: 'mine:2' },
        workerCount: 2,
        workerConfig: { resources: { cpu: 3, memoryGb: 5 } },
        parameterServerCount: 1,
        parameterServerType: 'n1-highcpu-4'
      },
      'img'
    );
    expect(roles[0]).toMatchObject({ role: 'master', image: 'mine:2', resources: { cpu: 16, memoryBytes: 60 * GIB, gpu: 4 }, acceleratorType: 'NVIDIA_TESLA_V100' });
    expect(roles[1]).toMatchObject({ role: 'worker', replicas: 2, image: 'mine:2', resources: { cpu: 3, memoryBytes: 5 * GIB, gpu: 4 } });
    expect(roles[2]).toMatchObject({ role: 'ps', replicas: 1, resources: { cpu: 4, gpu: 0 } });
    expect(roles[2].resources.memoryBytes).toBe(Math.round(4 * 0.9 * GIB));
  });

  test('an unknown machine type is a 400 naming the field', () => {
    expect(() => planRoles({ scaleTier: 'CUSTOM', workerCount: 1, workerType: 'huge' }, 'img')).toThrow(
      expect.objectContaining({ code: 'invalid_argument', field: 'trainingInput.workerType' })
    );
    expect(() => machineType('n1-standard-0', 'f')).toThrow(ServiceError);
  });

  test('quantities', () => {
    expect(cpuQuantity(2)).toBe('2');
    expect(cpuQuantity(0.5)).toBe('500m');
    expect(memoryQuantity(1.5 * GIB)).toBe('1536Mi');
  });
});

describe('a single-pod job', () => {
  const input: TrainingInput = { scaleTier: 'CUSTOM', masterConfig: { resources: { cpu: 6, memoryGb: 16 }, acceleratorConfig: { count: 2, type: 'NVIDIA_TESLA_V100' } } };
  const m = build(plan(input, { priority: 'high', maxRunningSeconds: 90, annotations: { team: 'x' } }));

  test('is one Job with the GPU request, node selector, toleration, priority and thread counts', () => {
    expect(m.jobs).toHaveLength(1);
    expect(m.service).toBeUndefined();
    const pod = m.jobs[0].spec!.template.spec!;
    expect(pod.priorityClassName).toBe('high');
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.nodeSelector).toEqual({ accelerator: 'nvidia-tesla-v100' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const c = pod.containers[0];
    expect(c.image).toBe('runner:1');
    expect(c.resources).toEqual({
      requests: { cpu: '6', memory: '16384Mi', 'nvidia.com/gpu': '2' },
      limits: { memory: '16384Mi', 'nvidia.com/gpu': '2' }
    });
    const env = Object.fromEntries(c.env!.map(e => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({ OMP_NUM_THREADS: '6', MKL_NUM_THREADS: '6', OPENBLAS_NUM_THREADS: '6', LAKETAHOE_JOB_ID: 'train_1' });
    expect(env.LAKETAHOE_PARAMETERS).toEqual({ fieldRef: { fieldPath: "metadata.annotations['input.laketahoe.io/parameters']" } });
    expect(env.TF_CONFIG).toBeUndefined();
  });

  test('has TTL, deadline, backoff and a podFailurePolicy that fails on runner exit codes and ignores disruptions', () => {
    const spec = m.jobs[0].spec!;
    expect(spec.ttlSecondsAfterFinished).toBe(3600);
    expect(spec.activeDeadlineSeconds).toBe(90);
    expect(spec.backoffLimit).toBe(3);
    expect(spec.podFailurePolicy!.rules).toEqual([
      { action: 'FailJob', onExitCodes: { containerName: 'trainer', operator: 'In', values: [1, 2, 3, 4, 5] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }
    ]);
  });

  test('labels tie every object to the job; annotations carry the run id and the job labels', () => {
    const labels = { 'app.kubernetes.io/managed-by': 'laketahoe-proxy', 'laketahoe.io/run': runName('train_1'), 'laketahoe.io/job-id': 'train_1', 'laketahoe.io/owner': 'alice' };
    expect(m.jobs[0].metadata!.labels).toEqual({ ...labels, 'laketahoe.io/role': 'master' });
    expect(m.jobs[0].spec!.template.metadata!.labels).toEqual({ ...labels, 'laketahoe.io/role': 'master' });
    expect(m.jobs[0].spec!.template.metadata!.annotations).toMatchObject({ team: 'x', 'laketahoe.io/run-id': 'train_1' });
  });

  test('small inputs travel in the Job: annotations mounted by the downward API where the runner reads them', () => {
    expect(m.configMap).toBeUndefined();
    const template = m.jobs[0].spec!.template;
    expect(inlineInputs(template.metadata!.annotations, template.spec!.volumes)).toEqual({ 'train.ipynb': '{}', 'parameters.json': '{"lr":0.1}' });
    expect(template.spec!.containers[0].volumeMounts).toContainEqual({ name: 'input', mountPath: '/laketahoe/input', readOnly: true });
    expect(runnerCommand(plan(input))).toEqual([
      'python', '-m', 'laketahoe.runner', 'notebook',
      '--input', '/laketahoe/input/train.ipynb',
      '--output', '/laketahoe/output/output.ipynb',
      '--html', '/laketahoe/output/output.html',
      '--parameters-json', '$(LAKETAHOE_PARAMETERS)',
      '--cwd', '/laketahoe/output',
      '--status-file', '/laketahoe/output/exit.json'
    ]);
  });

  test('outputs go to an emptyDir, or to the run folder of a configured PVC', () => {
    expect(m.jobs[0].spec!.template.spec!.volumes![1]).toEqual({ name: 'output', emptyDir: {} });
    const withPvc = buildManifests(plan(input), 'j/trials/2', runName('j/trials/2'), files, { ...opts, outputPvc: 'outputs' });
    const spec = withPvc.jobs[0].spec!.template.spec!;
    expect(spec.volumes![1]).toEqual({ name: 'output', persistentVolumeClaim: { claimName: 'outputs' } });
    expect(spec.containers[0].volumeMounts![1]).toEqual({ name: 'output', mountPath: '/laketahoe/output', subPath: 'laketahoe-jobs/j/trials/2' });
  });

  test('module arguments stay literal: Kubernetes must not expand $(...) in them', () => {
    const cmd = runnerCommand(plan({}, { kind: 'module', module: 'trainer.task', moduleArgs: ['--x=$(HOME)'], packages: ['p.tar.gz'], notebook: undefined }));
    expect(cmd).toEqual(expect.arrayContaining(['--module', 'trainer.task', '--package', '/laketahoe/input/p.tar.gz', '--', '--x=$$(HOME)']));
  });
});

describe('a distributed job', () => {
  const input: TrainingInput = { scaleTier: 'CUSTOM', workerCount: 2, parameterServerCount: 1 };
  const m = build(plan(input));
  const base = runName('train_1');
  const env = (i: number) => Object.fromEntries(m.jobs[i].spec!.template.spec!.containers[0].env!.map(e => [e.name, e.value ?? e.valueFrom]));

  test('has an Indexed Job per role behind a headless Service', () => {
    expect(m.jobs.map(j => [j.metadata!.name, j.spec!.completionMode, j.spec!.completions])).toEqual([
      [`${base}-master`, 'Indexed', 1],
      [`${base}-worker`, 'Indexed', 2],
      [`${base}-ps`, 'Indexed', 1]
    ]);
    expect(m.service!.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: { 'laketahoe.io/run': base } });
    expect(m.jobs[1].spec!.template.spec!.subdomain).toBe(base);
  });

  test('TF_CONFIG lists every host; the pod index comes from the Indexed Job', () => {
    const tf = JSON.parse(String(env(1).TF_CONFIG).replace('$(JOB_COMPLETION_INDEX)', '0'));
    expect(tf.cluster).toEqual({
      chief: [`${base}-master-0.${base}:2222`],
      worker: [`${base}-worker-0.${base}:2222`, `${base}-worker-1.${base}:2222`],
      ps: [`${base}-ps-0.${base}:2222`]
    });
    expect(tf.task.type).toBe('worker');
    expect(String(env(0).TF_CONFIG)).toContain('"task":{"type":"chief","index":$(JOB_COMPLETION_INDEX)}');
    // The index variable must come first for Kubernetes to expand it in later variables.
    expect(m.jobs[1].spec!.template.spec!.containers[0].env![0].name).toBe('JOB_COMPLETION_INDEX');
  });

  test('WORLD_SIZE counts master and workers; the master is rank 0, worker i rank i + 1', () => {
    expect(env(0)).toMatchObject({ WORLD_SIZE: '3', RANK: '0', MASTER_ADDR: `${base}-master-0.${base}`, MASTER_PORT: '2222' });
    expect(env(1).RANK).toBeUndefined();
    expect(m.jobs[1].spec!.template.spec!.containers[0].command!.slice(0, 3)).toEqual(['sh', '-c', 'export RANK=$((JOB_COMPLETION_INDEX + 1)); exec "$@"']);
  });
});

describe('names', () => {
  test('simple ids are kept readable; others are lowercased, made DNS-safe and hashed', () => {
    expect(runName('train1')).toBe('lt-train1');
    expect(runName('hpo/trials/12')).toBe('lt-hpo-t12');
    expect(runName('My_Job')).toMatch(/^lt-my-job-[0-9a-f]{8}$/);
    expect(runName('My_Job')).not.toBe(runName('my_job'));
    const long = runName(`j${'x'.repeat(127)}`);
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(runName(`j${'x'.repeat(127)}`)).toBe(long);
  });

  test('label values are kept when valid and hashed when not', () => {
    expect(labelValue('train_1')).toBe('train_1');
    const v = labelValue('a'.repeat(100));
    expect(v.length).toBeLessThanOrEqual(63);
    expect(v).not.toBe(labelValue('a'.repeat(101)));
  });

  test('namespaces come from the map first, then the template', () => {
    expect(namespaceFor('Alice', 'laketahoe-{user}')).toBe('laketahoe-alice');
    expect(namespaceFor('bob', 'laketahoe-{user}', { bob: 'team-b' })).toBe('team-b');
  });
});

describe('inputs', () => {
  const p = plan({ scaleTier: 'BASIC' });
  const withFiles = (f: RunFiles) => buildManifests(p, 'train_1', runName('train_1'), f, opts);

  test('large or binary inputs go into a ConfigMap the Job mounts, with the parameters', () => {
    const large = withFiles({ text: { 'train.ipynb': 'x'.repeat(INLINE_INPUT_BYTES) }, binary: {} });
    expect(large.configMap!.data).toEqual({ 'train.ipynb': 'x'.repeat(INLINE_INPUT_BYTES), 'parameters.json': '{"lr":0.1}' });
    expect(large.configMap!.metadata!.name).toBe(`${runName('train_1')}-input`);
    const spec = large.jobs[0].spec!.template.spec!;
    expect(spec.volumes).toContainEqual({ name: 'input', configMap: { name: `${runName('train_1')}-input` } });
    const env = spec.containers[0].env!.find(e => e.name === 'LAKETAHOE_PARAMETERS');
    expect(env!.valueFrom).toEqual({ configMapKeyRef: { name: `${runName('train_1')}-input`, key: 'parameters.json' } });
    expect(Object.keys(large.jobs[0].spec!.template.metadata!.annotations!).some(k => k.startsWith('input.laketahoe.io/'))).toBe(false);

    const binary = withFiles({ text: { 'train.ipynb': '{}' }, binary: { 'pkg.tar.gz': 'AAAA' } });
    expect(binary.configMap!.binaryData).toEqual({ 'pkg.tar.gz': 'AAAA' });
  });

  test('the job labels count towards the inline size; any file name is carried under an indexed key', () => {
    const big = { ...p, annotations: { note: 'y'.repeat(INLINE_INPUT_BYTES) } };
    expect(buildManifests(big, 'train_1', runName('train_1'), files, opts).configMap).toBeDefined();
    const odd = withFiles({ text: { 'my notebook (v2).ipynb': '{"a":1}' }, binary: {} });
    const template = odd.jobs[0].spec!.template;
    expect(odd.configMap).toBeUndefined();
    expect(inlineInputs(template.metadata!.annotations, template.spec!.volumes)['my notebook (v2).ipynb']).toBe('{"a":1}');
  });

  test('the ConfigMap limit is a 413 naming the file that went past it; binaries count base64-encoded', () => {
    const blob = (name: string, size: number, binary = false) => ({ name, field: `f.${name}`, bytes: Buffer.alloc(size, 97), binary });
    expect(packInputs([blob('a.ipynb', 100)], 100).text['a.ipynb']).toHaveLength(100);
    expect(() => packInputs([blob('a.ipynb', 60), blob('p.tar.gz', 40, true)], 100)).toThrow(
      expect.objectContaining({ code: 'payload_too_large', field: 'f.p.tar.gz' })
    );
    expect(() => packInputs([blob('a.ipynb', 101)], 100)).toThrow(/a.ipynb takes the job's inputs to 101 bytes/);
  });
});

describe('quota messages', () => {
  const msg = (req: string, lim: string) =>
    `Error creating: pods "x" is forbidden: exceeded quota: laketahoe-quota, requested: ${req}, used: requests.nvidia.com/gpu=4, limited: ${lim}`;

  test('a request above the quota itself can never fit; one above what is left can', () => {
    expect(quotaNeverFits(msg('requests.nvidia.com/gpu=8', 'requests.nvidia.com/gpu=7'))).toBe(true);
    expect(quotaNeverFits(msg('requests.nvidia.com/gpu=4', 'requests.nvidia.com/gpu=7'))).toBe(false);
    expect(quotaNeverFits(msg('requests.cpu=2,requests.memory=800Gi', 'requests.cpu=96,requests.memory=720Gi'))).toBe(true);
    expect(quotaNeverFits('something else')).toBe(false);
  });

  test('quantities', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2Gi')).toBe(2 * GIB);
    expect(parseQuantity('7')).toBe(7);
    expect(parseQuantity('x')).toBeNaN();
  });
});

describe('runs that move their files through the artifact store', () => {
  test('the master gets the full grant, other roles the inputs-only one, mounted read-only from a Secret', () => {
    const p = plan({ scaleTier: 'CUSTOM', workerCount: 1 }, { artifacts: true, inputsKey: 'runs/alice/train_1/inputs.tar' });
    const m = build(p);
    const [master, worker] = m.jobs.map(j => j.spec!.template.spec!);
    expect(master.containers[0].command).toEqual(expect.arrayContaining(['--artifacts', '/laketahoe/artifacts/grant.json']));
    expect(worker.containers[0].command).toEqual(expect.arrayContaining(['--artifacts', '/laketahoe/artifacts/inputs.json']));
    expect(master.volumes).toContainEqual({ name: 'artifacts', secret: { secretName: `${runName('train_1')}-artifacts`, defaultMode: 0o444 } });
    expect(master.containers[0].volumeMounts).toContainEqual({ name: 'artifacts', mountPath: '/laketahoe/artifacts', readOnly: true });
    expect(master.containers[0].env).toContainEqual({ name: 'LAKETAHOE_TERMINATION_LOG', value: '/dev/termination-log' });
  });

  test('packages from the input snapshot are read from the working folder it is unpacked into', () => {
    const p = plan({}, { kind: 'module', module: 'trainer.task', packages: ['pkg.tar.gz'], notebook: undefined, artifacts: true, inputsKey: 'k' });
    expect(runnerCommand(p)).toEqual(expect.arrayContaining(['--package', '/laketahoe/output/pkg.tar.gz']));
    expect(runnerCommand({ ...p, inputsKey: undefined, artifacts: undefined })).toEqual(expect.arrayContaining(['--package', '/laketahoe/input/pkg.tar.gz']));
  });

  test('without the store nothing changes: no grant, no Secret volume', () => {
    const m = build(plan({}));
    expect(m.jobs[0].spec!.template.spec!.volumes!.map(v => v.name)).toEqual(['input', 'output']);
    expect(m.jobs[0].spec!.template.spec!.containers[0].command).not.toContain('--artifacts');
  });

  test('the grant Secret carries the run id and labels, and both grants', () => {
    const p = plan({}, { artifacts: true });
    const secret = grantSecret(p, 'train_1', runName('train_1'), { master: '{"m":1}', other: '{"o":1}' });
    expect(secret.metadata).toMatchObject({ name: `${runName('train_1')}-artifacts`, namespace: 'laketahoe-alice', annotations: { 'laketahoe.io/run-id': 'train_1' } });
    expect(secret.stringData).toEqual({ 'grant.json': '{"m":1}', 'inputs.json': '{"o":1}' });
  });
});
