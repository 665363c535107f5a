import { FIELD } from '../../../model/submit';
import { RunOptions } from '../../../widgets/submit/RunOptions';
import {
  alerts,
  change,
  click,
  formModel,
  renderPart,
  serviceInfo
} from './render';

describe('RunOptions', () => {
  it('edits image, priority, time limit and the folder snapshot', async () => {
    const model = formModel();
    const view = await renderPart(model, RunOptions);
    const priority = view.named<HTMLSelectElement>('priority')!;
    expect([...priority.options].map(o => o.value)).toEqual([
      'high',
      'middle',
      'low'
    ]);
    expect(priority.value).toBe('middle');

    await change(priority, 'low');
    await change(view.named('imageUri'), 'registry.example/img:1');
    await change(view.named('maxRunningTime'), '60');
    await click(view.named('includeFolder'));
    const input = model.toRequest().trainingInput;
    expect(input.priority).toBe('low');
    expect(input.masterConfig?.imageUri).toBe('registry.example/img:1');
    expect(input.scheduling).toEqual({ maxRunningTime: '60s' });
    expect(input.notebook?.includeFolder).toBe(true);
    view.unmount();
  });

  it('flags a bad time limit and explains the image on a local backend', async () => {
    const model = formModel();
    model.info = serviceInfo([{ name: 'local' }]);
    const view = await renderPart(model, RunOptions);
    expect(view.node.textContent).toContain(
      'the local backend runs in the host Python environment'
    );
    await change(view.named('maxRunningTime'), 'soon');
    expect(
      alerts(view.node.querySelector(`[data-field="${FIELD.maxRunningTime}"]`))
    ).toHaveLength(1);
    view.unmount();
  });
});
