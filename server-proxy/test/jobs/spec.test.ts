import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../../src/errors.js';
import { resolveInRoot } from '../../src/jobs/paths.js';
import { planJob, splitModuleArgs } from '../../src/jobs/spec.js';
import { generateJobId } from '../../src/jobs/ids.js';
import type { TrainingInput } from '../../src/schemas/jobs.js';
import { tempRoot } from '../helpers/service.js';

const capacity = { cpus: 4, memoryBytes: 16 * 1024 ** 3, gpus: [] };

function fails(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return err as ServiceError;
  }
  throw new Error('expected an ServiceError');
}

describe('planJob', () => {
  const root = tempRoot();
  fs.writeFileSync(path.join(root, 'a.ipynb'), '{}');
  fs.writeFileSync(path.join(root, 'pkg.tar.gz'), 'x');

  test('notebook form gives BASIC resources and middle priority by default', () => {
    const plan = planJob({ notebook: { path: 'a.ipynb', parameters: { n: 1 } } }, root, capacity);
    expect(plan.kind).toBe('notebook');
    expect(plan.notebook?.absPath).toBe(path.join(root, 'a.ipynb'));
    expect(plan.resources).toEqual({ cpu: 1, memoryBytes: 2 * 1024 ** 3, gpu: 0 });
    expect(plan.priority).toBe('middle');
  });

  test('CUSTOM reads masterConfig resources and maxRunningTime', () => {
    const plan = planJob(
      {
        scaleTier: 'CUSTOM',
        masterConfig: { resources: { cpu: 2, memoryGb: 1 } },
        scheduling: { maxRunningTime: '90s' },
        notebook: { path: 'a.ipynb' }
      },
      root,
      capacity
    );
    expect(plan.resources).toEqual({ cpu: 2, memoryBytes: 1024 ** 3, gpu: 0 });
    expect(plan.maxRunningMs).toBe(90_000);
  });

  test('module form from args splits --module-name and --packages out', () => {
    const input: TrainingInput = { args: ['--module-name', 'trainer.task', '--packages', 'pkg.tar.gz', '--epochs', '3'] };
    const plan = planJob(input, root, capacity);
    expect(plan.kind).toBe('module');
    expect(plan.module).toBe('trainer.task');
    expect(plan.packages.map(p => p.absPath)).toEqual([path.join(root, 'pkg.tar.gz')]);
    expect(plan.moduleArgs).toEqual(['--epochs', '3']);
  });

  test('splitModuleArgs accepts the = form and comma lists', () => {
    const s = splitModuleArgs(['--module-name=a.b', '--packages=x.tar.gz,y.tar.gz', 'rest']);
    expect(s.moduleName?.value).toBe('a.b');
    expect(s.packages.map(p => p.value)).toEqual(['x.tar.gz', 'y.tar.gz']);
    expect(s.rest).toEqual(['rest']);
  });

  test.each([
    ['hdfs://nn/pkg.tar.gz', 'trainingInput.packageUris.0'],
    ['gs://bucket/pkg.tar.gz', 'trainingInput.packageUris.0'],
    ['s3://bucket/pkg.tar.gz', 'trainingInput.packageUris.0']
  ])('remote package %s is rejected naming %s', (uri, field) => {
    const err = fails(() => planJob({ pythonModule: 't.m', packageUris: [uri] }, root, capacity));
    expect(err.code).toBe('invalid_argument');
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/not supported by the local backend/);
  });

  test('remote package in args names the args index', () => {
    const err = fails(() => planJob({ args: ['--module-name', 't.m', '--packages', 'hdfs://x/p.tar.gz'] }, root, capacity));
    expect(err.field).toBe('trainingInput.args.3');
  });

  test('both or neither of notebook and module are rejected', () => {
    expect(fails(() => planJob({ notebook: { path: 'a.ipynb' }, pythonModule: 'x' }, root, capacity)).code).toBe('invalid_argument');
    expect(fails(() => planJob({}, root, capacity)).field).toBe('trainingInput.notebook');
  });

  test.each([['STANDARD_1'], ['PREMIUM_1']] as const)('distributed tier %s needs Kubernetes', tier => {
    const err = fails(() => planJob({ scaleTier: tier, notebook: { path: 'a.ipynb' } }, root, capacity));
    expect(err.field).toBe('trainingInput.scaleTier');
    expect(err.message).toMatch(/Kubernetes/);
  });

  test('workers need Kubernetes', () => {
    const err = fails(() => planJob({ workerCount: 2, notebook: { path: 'a.ipynb' } }, root, capacity));
    expect(err.field).toBe('trainingInput.workerCount');
  });

  test('a GPU request on a GPU-less machine names the capacity', () => {
    const err = fails(() => planJob({ scaleTier: 'BASIC_GPU', notebook: { path: 'a.ipynb' } }, root, capacity));
    expect(err.message).toContain('requests 1 GPU but this machine has 0 GPUs');
  });

  test('too many CPUs names the capacity', () => {
    const err = fails(() =>
      planJob({ scaleTier: 'CUSTOM', masterConfig: { resources: { cpu: 64 } }, notebook: { path: 'a.ipynb' } }, root, capacity)
    );
    expect(err.field).toBe('trainingInput.masterConfig.resources.cpu');
    expect(err.message).toContain('this machine has 4 CPUs');
  });

  test.each([['../x.ipynb'], ['/etc/x.ipynb'], ['a/../../x.ipynb']])('notebook path %s is rejected', p => {
    const err = fails(() => planJob({ notebook: { path: p } }, root, capacity));
    expect(err.code).toBe('invalid_argument');
    expect(err.field).toBe('trainingInput.notebook.path');
  });

  test('jobDir traversal is rejected', () => {
    const err = fails(() => planJob({ jobDir: '../out', notebook: { path: 'a.ipynb' } }, root, capacity));
    expect(err.field).toBe('trainingInput.jobDir');
  });
});

describe('resolveInRoot', () => {
  test('a symlink leading outside the root is rejected, one inside is fine', () => {
    const root = tempRoot();
    const outside = tempRoot();
    fs.writeFileSync(path.join(outside, 'secret.ipynb'), '{}');
    fs.symlinkSync(outside, path.join(root, 'link'));
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'inner'));
    expect(fails(() => resolveInRoot(root, 'link/secret.ipynb', 'f')).message).toMatch(/outside the root/);
    expect(fails(() => resolveInRoot(root, 'link/missing/x.ipynb', 'f')).code).toBe('invalid_argument');
    expect(resolveInRoot(root, 'inner/x.ipynb', 'f')).toBe(path.join(root, 'real', 'x.ipynb'));
  });
});

describe('generateJobId', () => {
  test('makes AI Platform compatible ids from names', () => {
    const id = generateJobId('dir/9 my-notebook.ipynb', new Date('2026-11-29T01:02:03Z'));
    expect(id).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,127}$/);
    expect(id).toContain('20261129_010203');
    expect(generateJobId('x.ipynb')).not.toBe(generateJobId('x.ipynb'));
  });
});
