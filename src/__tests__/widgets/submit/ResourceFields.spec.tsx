import { FIELD } from '../../../model/submit';
import { ResourceFields } from '../../../widgets/submit/ResourceFields';
import { alerts, change, formModel, renderPart, serviceInfo } from './render';

describe('ResourceFields', () => {
  it("lists the tiers with the service's resources and disables distributed ones on a local backend", async () => {
    const model = formModel();
    model.info = serviceInfo([{ name: 'local' }]);
    const view = await renderPart(model, ResourceFields);
    const select = view.named<HTMLSelectElement>('scaleTier')!;
    const options = [...select.options];
    expect(options.map(o => o.value)).toEqual([
      'BASIC',
      'BASIC_GPU',
      'STANDARD_1',
      'CUSTOM'
    ]);
    expect(options[0].textContent).toBe(
      'BASIC: one CPU worker (1 CPU, 2 GB, 0 GPU)'
    );
    expect(options[2].disabled).toBe(true);
    expect(options[3].disabled).toBe(false);
    expect(view.node.textContent).toContain(
      'Distributed tiers need a cluster backend'
    );
    expect(view.named('cpu')).toBeNull();
    view.unmount();
  });

  it('asks for CPU, memory and GPUs for CUSTOM and checks them', async () => {
    const model = formModel();
    const view = await renderPart(model, ResourceFields);
    await change(view.named<HTMLSelectElement>('scaleTier'), 'CUSTOM');
    expect(model.scaleTier).toBe('CUSTOM');
    expect(view.named('cpu')?.value).toBe('1');
    expect(view.named('memoryGb')?.value).toBe('4');
    expect(view.named('gpuCount')?.value).toBe('0');

    await change(view.named('cpu'), '0');
    expect(model.cpu).toBe('0');
    expect(
      alerts(view.node.querySelector(`[data-field="${FIELD.cpu}"]`))
    ).toEqual(['Enter a number of CPUs greater than 0.']);
    await change(view.named('gpuCount'), '2');
    await change(view.named('cpu'), '8');
    expect(model.toRequest().trainingInput.masterConfig).toMatchObject({
      resources: { cpu: 8, memoryGb: 4 },
      acceleratorConfig: { count: 2 }
    });
    view.unmount();
  });
});
