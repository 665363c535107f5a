import { FIELD } from '../../../model/submit';
import { ParametersTable } from '../../../widgets/submit/ParametersTable';
import { alerts, change, formModel, renderPart } from './render';

const SOURCE = 'lr = 0.1  # learning rate\nepochs = 3\nshuffle = True\n';

describe('ParametersTable', () => {
  it('says when the notebook has no parameters cell', async () => {
    const view = await renderPart(formModel(''), ParametersTable);
    expect(view.node.querySelector('table')).toBeNull();
    expect(view.node.textContent).toContain('No cell tagged "parameters"');
    view.unmount();
  });

  it('shows one row per parameter with its type, value and comment', async () => {
    const view = await renderPart(formModel(SOURCE), ParametersTable);
    const rows = [
      ...view.node.querySelectorAll<HTMLElement>(
        '.jp-laketahoe-ParametersTable-row'
      )
    ];
    expect(rows.map(r => r.dataset.parameter)).toEqual([
      'lr',
      'epochs',
      'shuffle'
    ]);
    expect(
      rows.map(
        r => r.querySelector('.jp-laketahoe-ParametersTable-type')?.textContent
      )
    ).toEqual(['float', 'int', 'bool']);
    expect(rows[0].querySelector('input')?.value).toBe('0.1');
    expect(rows[0].textContent).toContain('learning rate');
    expect(rows[2].querySelector('select')?.value).toBe('True');
    view.unmount();
  });

  it('sends edited values typed and flags values of the wrong type', async () => {
    const model = formModel(SOURCE);
    const view = await renderPart(model, ParametersTable);
    const row = (name: string) =>
      view.node.querySelector(
        `.jp-laketahoe-ParametersTable-row[data-parameter="${name}"]`
      );
    await change(row('epochs')!.querySelector('input'), 'many');
    expect(alerts(row('epochs'))).toEqual([
      model.validate()[`${FIELD.parameters}.epochs`]
    ]);
    expect(
      row('epochs')?.querySelector('input')?.getAttribute('aria-invalid')
    ).toBe('true');

    await change(row('epochs')!.querySelector('input'), '5');
    await change(row('shuffle')!.querySelector('select'), 'False');
    expect(alerts(row('epochs'))).toEqual([]);
    expect(model.toRequest().trainingInput.notebook?.parameters).toEqual({
      epochs: 5,
      shuffle: false
    });
    view.unmount();
  });
});
