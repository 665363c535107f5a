import { HPO_FIELDS, paramField } from '../../../model/hpo';
import { HpoParamsTable } from '../../../widgets/submit/HpoParamsTable';
import { alerts, change, click, formModel, renderPart } from './render';

const SOURCE = "x = 0.5\nname = 'gini'\n";

describe('HpoParamsTable', () => {
  it('says when there is nothing to search', async () => {
    const model = formModel('items = [1, 2]\n');
    model.updateHpo('enabled', true);
    const view = await renderPart(model, HpoParamsTable);
    expect(view.node.querySelector('table')).toBeNull();
    expect(view.node.textContent).toContain('No number, string or boolean');
    view.unmount();
  });

  it('edits ranges of numbers and values of categories into the spec', async () => {
    const model = formModel(SOURCE);
    model.updateHpo('enabled', true);
    model.updateHpo('metricTag', 'score');
    const view = await renderPart(model, HpoParamsTable);
    const row = (name: string) =>
      view.node.querySelector(
        `.jp-laketahoe-HpoParams-row[data-parameter="${name}"]`
      )!;
    const x = row('x');
    expect(x.querySelector<HTMLSelectElement>('[name="type"]')?.value).toBe(
      'DOUBLE'
    );
    expect(x.querySelector('[name="values"]')).toBeNull();
    await change(x.querySelector('[name="min"]'), '0.01');
    await change(x.querySelector('[name="max"]'), '1');
    await change(x.querySelector('[name="scale"]'), 'UNIT_LINEAR_SCALE');

    const name = row('name');
    expect(
      name.querySelector<HTMLInputElement>('[name="values"]')?.disabled
    ).toBe(true);
    await click(name.querySelector('[name="enabled"]'));
    await change(name.querySelector('[name="values"]'), 'gini, entropy');

    expect(model.toRequest().trainingInput.hyperparameters?.params).toEqual([
      {
        parameterName: 'x',
        type: 'DOUBLE',
        minValue: 0.01,
        maxValue: 1,
        scaleType: 'UNIT_LINEAR_SCALE'
      },
      {
        parameterName: 'name',
        type: 'CATEGORICAL',
        categoricalValues: ['gini', 'entropy']
      }
    ]);
    view.unmount();
  });

  it("marks a row with its errors and shows the table's own error", async () => {
    const model = formModel(SOURCE);
    model.updateHpo('enabled', true);
    model.updateHpo('metricTag', 'score');
    model.serverErrors = {
      [paramField(0, 'maxValue')]: 'must be above minValue',
      [HPO_FIELDS.params]: 'search at least one parameter'
    };
    const view = await renderPart(model, HpoParamsTable);
    const x = view.node.querySelector('[data-parameter="x"]')!;
    expect(x.classList).toContain('jp-laketahoe-mod-invalid');
    expect(x.querySelector('[name="max"]')?.classList).toContain(
      'jp-laketahoe-mod-invalid'
    );
    expect(alerts(x)).toEqual(['must be above minValue']);
    expect(alerts(view.node)).toContain('search at least one parameter');
    view.unmount();
  });
});
