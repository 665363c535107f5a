import React from 'react';

import { HPO_FIELDS } from '../../model/hpo';
import { EarlyStoppingKind } from '../../wire';
import { Checkbox, Field, TextField } from './Field';
import { ISubmitPartProps } from './props';

/**
 * Early stopping of unpromising trials: the on/off choice and, when on, the
 * rule (median or ASHA) with only that rule's settings.
 */
export function EarlyStoppingFields(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  const hpo = model.hpo;
  const median = hpo.earlyStoppingKind === 'median';
  return (
    <>
      <Checkbox
        name="hpoEarlyStopping"
        checked={hpo.earlyStopping}
        onChange={checked => model.updateHpo('earlyStopping', checked)}
      >
        {trans.__('Stop unpromising trials early')}
      </Checkbox>
      {hpo.earlyStopping && (
        <div className="jp-laketahoe-HpoSection-grid">
          <Field
            label={trans.__('Early-stopping rule')}
            field={HPO_FIELDS.earlyStoppingKind}
            errors={errors}
            hint={
              median
                ? trans.__(
                    'Stop a trial whose best value so far is worse than the median of finished trials at the same step.'
                  )
                : trans.__(
                    'Successive halving: at each rung only the top 1/factor of the trials that reached it go on.'
                  )
            }
          >
            <select
              className="jp-mod-styled"
              name="hpoEarlyStoppingKind"
              value={hpo.earlyStoppingKind}
              onChange={e =>
                model.updateHpo(
                  'earlyStoppingKind',
                  e.target.value as EarlyStoppingKind
                )
              }
            >
              <option value="median">{trans.__('Median stopping')}</option>
              <option value="asha">{trans.__('ASHA')}</option>
            </select>
          </Field>
          <TextField
            label={median ? trans.__('Min step') : trans.__('First rung step')}
            field={HPO_FIELDS.earlyStoppingMinStep}
            errors={errors}
            hint={
              median
                ? trans.__('No trial is stopped before this step. Empty: 0.')
                : trans.__(
                    'Rungs sit at this step times factor, factor², … Empty: 1.'
                  )
            }
            name="hpoEarlyStoppingMinStep"
            inputMode="decimal"
            value={hpo.earlyStoppingMinStep}
            onChange={value => model.updateHpo('earlyStoppingMinStep', value)}
          />
          {median ? (
            <TextField
              label={trans.__('Min finished trials')}
              field={HPO_FIELDS.earlyStoppingMinCompletedTrials}
              errors={errors}
              hint={trans.__(
                'Finished trials needed before any trial is stopped. Empty: 3.'
              )}
              name="hpoEarlyStoppingMinCompletedTrials"
              inputMode="numeric"
              value={hpo.earlyStoppingMinCompletedTrials}
              onChange={value =>
                model.updateHpo('earlyStoppingMinCompletedTrials', value)
              }
            />
          ) : (
            <TextField
              label={trans.__('Reduction factor')}
              field={HPO_FIELDS.earlyStoppingReductionFactor}
              errors={errors}
              hint={trans.__(
                'Keep the top 1/factor at each rung (at least 1.01). Empty: 3.'
              )}
              name="hpoEarlyStoppingReductionFactor"
              inputMode="decimal"
              value={hpo.earlyStoppingReductionFactor}
              onChange={value =>
                model.updateHpo('earlyStoppingReductionFactor', value)
              }
            />
          )}
        </div>
      )}
    </>
  );
}
