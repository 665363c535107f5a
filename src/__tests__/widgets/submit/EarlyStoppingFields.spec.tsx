import { HPO_FIELDS } from '../../../model/hpo';
import { EarlyStoppingFields } from '../../../widgets/submit/EarlyStoppingFields';
import { alerts, change, click, formModel, renderPart } from './render';

describe('EarlyStoppingFields', () => {
  it("shows the chosen rule's settings only and sends them", async () => {
    const model = formModel('x = 0.5\n');
    model.updateHpo('enabled', true);
    model.updateHpo('metricTag', 'score');
    const view = await renderPart(model, EarlyStoppingFields);
    expect(view.named('hpoEarlyStoppingKind')).toBeNull();

    await click(view.named('hpoEarlyStopping'));
    expect(view.named<HTMLSelectElement>('hpoEarlyStoppingKind')?.value).toBe(
      'median'
    );
    expect(view.named('hpoEarlyStoppingMinCompletedTrials')).not.toBeNull();
    expect(view.named('hpoEarlyStoppingReductionFactor')).toBeNull();
    expect(
      view.node.querySelector(
        `[data-field="${HPO_FIELDS.earlyStoppingMinStep}"]`
      )?.textContent
    ).toContain('Min step');

    await change(view.named<HTMLSelectElement>('hpoEarlyStoppingKind'), 'asha');
    expect(view.named('hpoEarlyStoppingMinCompletedTrials')).toBeNull();
    expect(
      view.node.querySelector(
        `[data-field="${HPO_FIELDS.earlyStoppingMinStep}"]`
      )?.textContent
    ).toContain('First rung step');
    await change(view.named('hpoEarlyStoppingMinStep'), '2');
    await change(view.named('hpoEarlyStoppingReductionFactor'), '0.5');
    expect(
      alerts(
        view.node.querySelector(
          `[data-field="${HPO_FIELDS.earlyStoppingReductionFactor}"]`
        )
      )
    ).toEqual(['Enter a number of at least 1.01, or leave empty for 3.']);

    await change(view.named('hpoEarlyStoppingReductionFactor'), '4');
    expect(model.toRequest().trainingInput.hyperparameters).toMatchObject({
      enableTrialEarlyStopping: true,
      earlyStopping: { kind: 'asha', minStep: 2, reductionFactor: 4 }
    });
    view.unmount();
  });
});
