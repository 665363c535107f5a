import { parseParametersSource } from '../model/parameters';
import { defaultJobId, FIELD, SubmitFormModel } from '../model/submit';
import { IServiceInfo, JOB_ID } from '../wire';

const NOW = new Date(2026, 10, 29, 1, 2, 3);

function form(
  source = 'n = 100\nlr = 0.1\nname = "iris"\nflag = True'
): SubmitFormModel {
  return new SubmitFormModel(
    'examples/my model-v2.ipynb',
    parseParametersSource(source).parameters,
    undefined,
    NOW
  );
}

describe('defaultJobId', () => {
  it('derives a valid id from the notebook name and time', () => {
    expect(defaultJobId('examples/my model-v2.ipynb', NOW)).toBe(
      'my_model_v2_20261129_010203'
    );
    expect(defaultJobId('2024 results.ipynb', NOW)).toBe(
      'job_2024_results_20261129_010203'
    );
    expect(defaultJobId('日本語.ipynb', NOW)).toBe('job_20261129_010203');
    const long = defaultJobId('a'.repeat(300) + '.ipynb', NOW);
    expect(long.length).toBeLessThanOrEqual(128);
    for (const id of [long, defaultJobId('_x_.ipynb', NOW)]) {
      expect(id).toMatch(JOB_ID);
    }
  });
});

describe('SubmitFormModel', () => {
  it('starts valid and builds the request with defaults', () => {
    const model = form();
    expect(model.isValid).toBe(true);
    expect(model.toRequest()).toEqual({
      jobId: 'my_model_v2_20261129_010203',
      trainingInput: {
        scaleTier: 'BASIC',
        priority: 'middle',
        scheduling: { maxRunningTime: '3600s' },
        notebook: {
          path: 'examples/my model-v2.ipynb',
          parameters: {},
          includeFolder: false
        }
      }
    });
  });

  it('validates the job id', () => {
    const model = form();
    for (const bad of ['', '1abc', 'has-dash', 'a'.repeat(129)]) {
      model.update('jobId', bad);
      expect(model.validate()[FIELD.jobId]).toBeDefined();
    }
    model.update('jobId', 'A_1');
    expect(model.isValid).toBe(true);
  });

  it('sends only changed parameters, typed', () => {
    const model = form();
    model.setParameterText(0, '200');
    model.setParameterText(1, '0.1');
    model.setParameterText(3, 'False');
    expect(model.toRequest().trainingInput.notebook!.parameters).toEqual({
      n: 200,
      flag: false
    });
  });

  it('reports type errors per parameter', () => {
    const model = form();
    model.setParameterText(0, '2.5');
    expect(model.isValid).toBe(false);
    expect(model.validate()[`${FIELD.parameters}.n`]).toMatch(/integer/);
  });

  it('builds CUSTOM resources and checks them', () => {
    const model = form('');
    model.update('scaleTier', 'CUSTOM');
    model.update('cpu', '4');
    model.update('memoryGb', '16');
    model.update('gpuCount', '1');
    model.update('imageUri', ' registry/img:1 ');
    model.update('maxRunningTimeSeconds', '');
    model.update('priority', 'low');
    model.update('includeFolder', true);
    const input = model.toRequest().trainingInput;
    expect(input.masterConfig).toEqual({
      imageUri: 'registry/img:1',
      resources: { cpu: 4, memoryGb: 16 },
      acceleratorConfig: { count: 1 }
    });
    expect(input.scheduling).toBeUndefined();
    expect(input.priority).toBe('low');
    expect(input.notebook!.includeFolder).toBe(true);

    model.update('gpuCount', '1.5');
    model.update('cpu', '0');
    model.update('maxRunningTimeSeconds', '1h');
    const errors = model.validate();
    expect(Object.keys(errors).sort()).toEqual(
      [FIELD.cpu, FIELD.gpuCount, FIELD.maxRunningTime].sort()
    );
  });

  it('disables distributed tiers when the service lacks them', () => {
    const model = form();
    const changed = jest.fn();
    model.changed.connect(changed);
    expect(model.isTierUnavailable('STANDARD_1')).toBe(false);
    model.info = { supportsDistributed: false } as IServiceInfo;
    expect(changed).toHaveBeenCalled();
    expect(model.isTierUnavailable('STANDARD_1')).toBe(true);
    expect(model.isTierUnavailable('BASIC_GPU')).toBe(false);
    model.update('scaleTier', 'STANDARD_1');
    expect(model.validate()[FIELD.scaleTier]).toBeDefined();
  });

  it('offers a backend choice, with the target cluster and namespace, when several are configured', () => {
    const model = form();
    const info = (backend: string, backends: IServiceInfo['backends']) =>
      ({ backend, backends, supportsDistributed: true }) as IServiceInfo;
    model.info = info('local', [{ name: 'local' }]);
    expect(model.showBackendChooser).toBe(false);
    expect(model.targetBackend).toEqual({ name: 'local' });
    expect(model.isTierUnavailable('STANDARD_1')).toBe(true);
    expect(model.toRequest().trainingInput.backend).toBeUndefined();

    const cluster = {
      name: 'kubernetes' as const,
      server: 'https://k8s.example:6443',
      namespace: 'laketahoe-alice'
    };
    model.info = info('kubernetes', [cluster, { name: 'local' }]);
    expect(model.showBackendChooser).toBe(true);
    expect(model.backendChoices.map(b => b.name)).toEqual([
      'kubernetes',
      'local'
    ]);
    expect(model.targetBackend).toEqual(cluster);
    expect(model.isTierUnavailable('STANDARD_1')).toBe(false);

    model.update('backend', 'local', FIELD.backend);
    expect(model.targetBackend?.name).toBe('local');
    expect(model.isTierUnavailable('STANDARD_1')).toBe(true);
    expect(model.toRequest().trainingInput.backend).toBe('local');
    model.update('backend', 'kubernetes', FIELD.backend);
    expect(model.toRequest().trainingInput.backend).toBe('kubernetes');
  });

  it('shows server field errors until that field is edited', () => {
    const model = form();
    model.serverErrors = { [FIELD.jobId]: 'already exists' };
    expect(model.validate()[FIELD.jobId]).toBe('already exists');
    // A server error alone does not block a retry.
    expect(model.isValid).toBe(true);
    model.update('jobId', 'other_id', FIELD.jobId);
    expect(model.validate()[FIELD.jobId]).toBeUndefined();
  });
});
