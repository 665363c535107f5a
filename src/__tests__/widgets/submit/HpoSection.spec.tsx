import { HPO_FIELD, HPO_FIELDS } from '../../../model/hpo';
import { HpoSection } from '../../../widgets/submit/HpoSection';
import { alerts, change, click, formModel, renderPart } from './render';

const SOURCE = 'x = 0.5\ny = 1\n';

describe('HpoSection', () => {
  it('is a single checkbox with an explanation until tuning is on', async () => {
    const model = formModel(SOURCE);
    const view = await renderPart(model, HpoSection);
    const section = view.node.querySelector('.jp-laketahoe-HpoSection')!;
    expect(section.classList).not.toContain('jp-mod-active');
    expect(view.named('hpoMetricTag')).toBeNull();
    expect(view.node.textContent).toContain('Run many trials of the notebook');

    await click(view.named('hpoEnabled'));
    expect(model.hpo.enabled).toBe(true);
    expect(section.classList).toContain('jp-mod-active');
    expect(view.named('hpoMetricTag')).not.toBeNull();
    expect(view.node.querySelector('.jp-laketahoe-HpoParams')).not.toBeNull();
    expect(view.named('hpoEarlyStopping')).not.toBeNull();
    view.unmount();
  });

  it('edits the objective, algorithm and budget into the spec', async () => {
    const model = formModel(SOURCE);
    model.updateHpo('enabled', true);
    const view = await renderPart(model, HpoSection);
    expect(
      [...view.named<HTMLSelectElement>('hpoAlgorithm')!.options].map(
        o => o.textContent
      )
    ).toEqual(['Bayesian optimization', 'Grid search', 'Random search']);
    expect(
      alerts(view.node.querySelector(`[data-field="${HPO_FIELDS.metricTag}"]`))
    ).toHaveLength(1);

    await change(view.named('hpoMetricTag'), 'loss');
    await change(view.named<HTMLSelectElement>('hpoGoal'), 'MINIMIZE');
    await change(view.named<HTMLSelectElement>('hpoMetricSelection'), 'BEST');
    await change(
      view.named<HTMLSelectElement>('hpoAlgorithm'),
      'RANDOM_SEARCH'
    );
    await change(view.named('hpoMaxTrials'), '8');
    await change(view.named('hpoMaxParallelTrials'), '2');
    await change(view.named('hpoMaxFailedTrials'), '1');
    await change(view.named('hpoResume'), 'earlier_job');
    expect(model.isValid).toBe(true);
    expect(model.toRequest().trainingInput.hyperparameters).toMatchObject({
      goal: 'MINIMIZE',
      hyperparameterMetricTag: 'loss',
      metricSelection: 'BEST',
      algorithm: 'RANDOM_SEARCH',
      maxTrials: 8,
      maxParallelTrials: 2,
      maxFailedTrials: 1,
      resumePreviousJobId: 'earlier_job'
    });
    view.unmount();
  });

  it('lists service errors on fields it has no input for', async () => {
    const model = formModel(SOURCE);
    model.updateHpo('enabled', true);
    model.updateHpo('metricTag', 'score');
    model.serverErrors = {
      [`${HPO_FIELD}.somethingNew`]: 'is not allowed',
      [HPO_FIELDS.maxTrials]: 'too many'
    };
    const view = await renderPart(model, HpoSection);
    expect(view.node.textContent).toContain(
      `${HPO_FIELD}.somethingNew: is not allowed`
    );
    expect(
      alerts(view.node.querySelector(`[data-field="${HPO_FIELDS.maxTrials}"]`))
    ).toEqual(['too many']);
    view.unmount();
  });
});
