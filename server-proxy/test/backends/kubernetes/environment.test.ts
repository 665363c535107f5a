import { buildManifests, runnerCommand, type ManifestOptions } from '../../../src/backends/kubernetes/manifests.js';
import { parseImageList, resolveImages } from '../../../src/backends/kubernetes/images.js';
import { planRoles, runName, type KubePlan } from '../../../src/backends/kubernetes/plan.js';
import { ServiceError } from '../../../src/errors.js';
import { planEnv } from '../../../src/jobs/env.js';

const opts: ManifestOptions = { ttlSecondsAfterFinished: 3600, backoffLimit: 3, acceleratorLabel: 'accelerator' };
const files = { text: { 'train.ipynb': '{}' }, binary: {} };

function plan(extra: Partial<KubePlan> = {}): KubePlan {
  return {
    kind: 'notebook',
    namespace: 'laketahoe-alice',
    owner: 'alice',
    jobId: 'train_1',
    roles: planRoles({}, 'runner:1'),
    priority: 'middle',
    notebook: 'train.ipynb',
    annotations: {},
    ...extra
  };
}

const trainer = (p: KubePlan) => buildManifests(p, p.jobId, runName(p.jobId), files, opts).jobs[0].spec!.template.spec!.containers[0];

test('env values are set as given, secrets by secretKeyRef in the namespace, and the runner learns only their names', () => {
  const jobEnv = planEnv([
    { name: 'MODE', value: 'fast' },
    { name: 'DB_PASSWORD', secretKeyRef: { name: 'db', key: 'password' } },
    { name: 'API_TOKEN', secretKeyRef: { name: 'api', key: 'token' } }
  ]);
  const c = trainer(plan({ jobEnv }));
  const env = Object.fromEntries(c.env!.map(e => [e.name, e]));
  expect(env.MODE).toEqual({ name: 'MODE', value: 'fast' });
  expect(env.DB_PASSWORD).toEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } });
  expect(env.API_TOKEN.valueFrom).toEqual({ secretKeyRef: { name: 'api', key: 'token' } });
  expect(env.LAKETAHOE_SECRET_ENV).toEqual({ name: 'LAKETAHOE_SECRET_ENV', value: 'DB_PASSWORD,API_TOKEN' });
  // The service's own variables stay.
  expect(env.LAKETAHOE_JOB_ID.value).toBe('train_1');
  expect(env.OMP_NUM_THREADS.value).toBe('1');
});

test('a job without env adds nothing; trials keep the job env beside their own ids', () => {
  const c = trainer(plan());
  expect(c.env!.some(e => e.name === 'LAKETAHOE_SECRET_ENV')).toBe(false);
  const jobEnv = planEnv([{ name: 'S', secretKeyRef: { name: 's', key: 'k' } }]);
  const trial = trainer(plan({ jobEnv, trialId: '2', env: { LAKETAHOE_TRIAL_ID: '2' } }));
  expect(trial.env!.filter(e => e.name === 'S' || e.name === 'LAKETAHOE_TRIAL_ID').map(e => e.name)).toEqual(['LAKETAHOE_TRIAL_ID', 'S']);
});

test('the kernel and its fallback reach the runner of a notebook job', () => {
  expect(runnerCommand(plan({ kernel: 'torch', kernelFallback: 'python3' }))).toEqual(
    expect.arrayContaining(['--kernel', 'torch', '--kernel-fallback', 'python3'])
  );
  expect(runnerCommand(plan())).not.toContain('--kernel');
});

describe('image choice', () => {
  const images = parseImageList('tf=registry.example.com/tf:2.15, torch=registry.example.com/torch:2.3');

  test('the admin list is name=image entries; a malformed entry is a start-up error', () => {
    expect(images).toEqual([
      { name: 'tf', image: 'registry.example.com/tf:2.15' },
      { name: 'torch', image: 'registry.example.com/torch:2.3' }
    ]);
    expect(() => parseImageList('tf')).toThrow(/k8s-images: 'tf' is not name=image/);
    expect(() => parseImageList('=x')).toThrow(/name=image/);
  });

  test('a listed name or image resolves; the rest needs free entry, else a 400 naming the replica', () => {
    const strict = { images, allowAnyImage: false };
    expect(resolveImages({ masterConfig: { imageUri: 'torch' } }, strict).masterConfig!.imageUri).toBe('registry.example.com/torch:2.3');
    expect(resolveImages({ masterConfig: { imageUri: 'registry.example.com/tf:2.15' } }, strict).masterConfig!.imageUri).toBe('registry.example.com/tf:2.15');
    const input = { scaleTier: 'CUSTOM' as const, workerCount: 1, workerConfig: { imageUri: 'mine:1' } };
    let error: unknown;
    try {
      resolveImages(input, strict);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).field).toBe('trainingInput.workerConfig.imageUri');
    expect((error as ServiceError).message).toContain("'mine:1' is not an offered image (offered: tf, torch)");
    expect(resolveImages(input, { images, allowAnyImage: true }).workerConfig!.imageUri).toBe('mine:1');
    // The job keeps what the user wrote; only the plan runs the resolved image.
    const asked = { masterConfig: { imageUri: 'tf' } };
    const roles = planRoles(resolveImages(asked, strict), 'default:1');
    expect(roles[0].image).toBe('registry.example.com/tf:2.15');
    expect(asked.masterConfig.imageUri).toBe('tf');
  });
});
