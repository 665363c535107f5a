import { RunOptions } from '../../../widgets/submit/RunOptions';
import { EnvironmentFields } from '../../../widgets/submit/EnvironmentFields';
import {
  alerts,
  change,
  click,
  formModel,
  renderPart,
  serviceInfo
} from './render';

const cluster = {
  name: 'kubernetes' as const,
  server: 'https://k8s.example:6443',
  namespace: 'laketahoe-alice'
};

describe('EnvironmentFields', () => {
  it('sends values and secret references, never a secret value, and flags bad rows', async () => {
    const model = formModel();
    model.info = serviceInfo([{ name: 'local' }]);
    model.kernels = [
      { name: 'python3', displayName: 'Python 3', language: 'python' },
      { name: 'torch', displayName: 'PyTorch', language: 'python' }
    ];
    const view = await renderPart(model, EnvironmentFields);
    const kernel = view.named<HTMLSelectElement>('kernelName')!;
    expect([...kernel.options].map(o => o.value)).toEqual([
      '',
      'python3',
      'torch'
    ]);
    await change(kernel, 'torch');
    await change(view.named('kernelFallback'), 'python3');

    await click(view.node.querySelector('.jp-laketahoe-SubmitForm-addEnv'));
    await click(view.node.querySelector('.jp-laketahoe-SubmitForm-addEnv'));
    await change(view.named('env-0-name'), 'MODE');
    await change(view.named('env-0-value'), 'fast');
    await change(view.named('env-1-name'), 'LAKETAHOE_TOKEN');
    await change(view.named('env-1-kind'), 'secret');
    expect(view.named('env-1-value')).toBeNull();
    expect(
      alerts(view.node.querySelector('[data-field="trainingInput.env.1"]'))
    ).toEqual([
      'LAKETAHOE_TOKEN is set by the service.',
      'Use lower-case letters, digits, "-" and ".".',
      'Use letters, digits, "-", "_" and ".".'
    ]);
    expect(model.isValid).toBe(false);

    await change(view.named('env-1-name'), 'DB_PASSWORD');
    await change(view.named('env-1-secretName'), 'db');
    await change(view.named('env-1-secretKey'), 'password');
    expect(model.isValid).toBe(true);
    const input = model.toRequest().trainingInput;
    expect(input.env).toEqual([
      { name: 'MODE', value: 'fast' },
      { name: 'DB_PASSWORD', secretKeyRef: { name: 'db', key: 'password' } }
    ]);
    expect(input.kernelName).toBe('torch');
    expect(input.kernelFallback).toBe('python3');

    await click(view.node.querySelector('.jp-laketahoe-SubmitForm-removeEnv'));
    expect(model.toRequest().trainingInput.env).toEqual([
      { name: 'DB_PASSWORD', secretKeyRef: { name: 'db', key: 'password' } }
    ]);
    view.unmount();
  });

  it("on Kubernetes names the namespace's Secrets and offers only the admin's images", async () => {
    const model = formModel();
    model.info = serviceInfo([
      {
        ...cluster,
        images: [{ name: 'tf', image: 'registry.example/tf:2.15' }],
        allowAnyImage: false
      }
    ]);
    const env = await renderPart(model, EnvironmentFields);
    expect(env.named('kernelName')).toBeNull();
    expect(env.node.textContent).toContain(
      'Kubernetes Secrets in namespace laketahoe-alice'
    );
    env.unmount();

    const options = await renderPart(model, RunOptions);
    const image = options.named<HTMLSelectElement>('imageUri')!;
    expect(image.tagName).toBe('SELECT');
    expect([...image.options].map(o => o.value)).toEqual(['', 'tf']);
    await change(image, 'tf');
    expect(model.toRequest().trainingInput.masterConfig?.imageUri).toBe('tf');
    model.update('imageUri', 'mine:1');
    expect(model.clientErrors()['trainingInput.masterConfig.imageUri']).toBe(
      'Choose one of the offered images.'
    );
    options.unmount();
  });
});
