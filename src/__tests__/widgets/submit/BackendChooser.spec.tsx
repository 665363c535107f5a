import { FIELD } from '../../../model/submit';
import { BackendChooser } from '../../../widgets/submit/BackendChooser';
import { change, formModel, renderPart, serviceInfo } from './render';

const cluster = {
  name: 'kubernetes' as const,
  server: 'https://k8s.example:6443',
  namespace: 'laketahoe-alice'
};

describe('BackendChooser', () => {
  it('shows nothing while the service has one local backend', async () => {
    const model = formModel();
    model.info = serviceInfo([{ name: 'local' }]);
    const view = await renderPart(model, BackendChooser);
    expect(view.named('backend')).toBeNull();
    expect(view.node.textContent).toBe('');
    view.unmount();
  });

  it('offers each backend, names the target cluster and follows the choice', async () => {
    const model = formModel();
    model.info = serviceInfo([cluster, { name: 'local' }]);
    const view = await renderPart(model, BackendChooser);
    const select = view.named<HTMLSelectElement>('backend')!;
    expect([...select.options].map(o => [o.value, o.textContent])).toEqual([
      ['kubernetes', 'Kubernetes cluster'],
      ['local', 'This machine']
    ]);
    expect(select.value).toBe('kubernetes');
    expect(
      view.node.querySelector('.jp-laketahoe-SubmitForm-target')?.textContent
    ).toBe('Cluster https://k8s.example:6443, namespace laketahoe-alice');

    await change(select, 'local');
    expect(model.targetBackend?.name).toBe('local');
    expect(model.toRequest().trainingInput.backend).toBe('local');
    expect(
      view.node.querySelector('.jp-laketahoe-SubmitForm-target')
    ).toBeNull();
    expect(
      view.node.querySelector(`[data-field="${FIELD.backend}"]`)
    ).not.toBeNull();
    view.unmount();
  });
});
