import React from 'react';

import { HPO_FIELDS } from '../../model/hpo';
import { EarlyStoppingKind } from '../../wire';
import { Checkbox, SelectField, TextField } from './Field';
import { ISubmitPartProps } from './props';

/**
 * Early stopping of unpromising trials: the on/off choice and, when on, the
 * rule (median or ASHA) with only that rule's settings.
 */
export function EarlyStoppingFields(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  const hpo = model.hpo;
  const median = hpo.earlyStoppingKind === 'median';
  // The chosen rule's own setting: its field, input name and value.
  const ruleSetting = (
    key: 'earlyStoppingMinCompletedTrials' | 'earlyStoppingReductionFactor',
    inputMode: 'numeric' | 'decimal'
  ) => ({
    field: HPO_FIELDS[key],
    name: `hpo${key[0].toUpperCase()}${key.slice(1)}`,
    inputMode,
    value: hpo[key],
    onChange: (value: string) => model.updateHpo(key, value)
  });
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
          <SelectField<EarlyStoppingKind>
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
            name="hpoEarlyStoppingKind"
            value={hpo.earlyStoppingKind}
            options={[
              { value: 'median', label: trans.__('Median stopping') },
              { value: 'asha', label: trans.__('ASHA') }
            ]}
            onChange={value => model.updateHpo('earlyStoppingKind', value)}
          />
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
          <TextField
            errors={errors}
            {...(median
              ? {
                  label: trans.__('Min finished trials'),
                  hint: trans.__(
                    'Finished trials needed before any trial is stopped. Empty: 3.'
                  ),
                  ...ruleSetting('earlyStoppingMinCompletedTrials', 'numeric')
                }
              : {
                  label: trans.__('Reduction factor'),
                  hint: trans.__(
                    'Keep the top 1/factor at each rung (at least 1.01). Empty: 3.'
                  ),
                  ...ruleSetting('earlyStoppingReductionFactor', 'decimal')
                })}
          />
        </div>
      )}
    </>
  );
}
