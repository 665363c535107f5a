import React from 'react';

import { FIELD, FORM_SCALE_TIERS, SubmitFormModel } from '../../model/submit';
import { ScaleTier } from '../../wire';
import { Field, TextField } from './Field';
import { ISubmitPartProps } from './props';

/** The text fields of CUSTOM resources: model key, request field and input mode. */
const CUSTOM_FIELDS = [
  ['cpu', FIELD.cpu, 'decimal'],
  ['memoryGb', FIELD.memoryGb, 'decimal'],
  ['gpuCount', FIELD.gpuCount, 'numeric']
] as const;

/**
 * Resources: the scale tier (with what each tier holds on this service, and
 * tiers the backend cannot run disabled), and CPU, memory and GPUs for CUSTOM.
 */
export function ResourceFields(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  const tierLabels: { [tier in ScaleTier]: string } = {
    BASIC: trans.__('BASIC: one CPU worker'),
    BASIC_GPU: trans.__('BASIC_GPU: one worker with a GPU'),
    STANDARD_1: trans.__('STANDARD_1: distributed workers'),
    PREMIUM_1: trans.__('PREMIUM_1: large distributed cluster'),
    CUSTOM: trans.__('CUSTOM: choose CPU, memory and GPUs')
  };
  const customLabels: { [key in (typeof CUSTOM_FIELDS)[number][0]]: string } = {
    cpu: trans.__('CPUs'),
    memoryGb: trans.__('Memory (GB)'),
    gpuCount: trans.__('GPUs')
  };
  return (
    <>
      <Field
        label={trans.__('Scale tier')}
        field={FIELD.scaleTier}
        errors={errors}
        hint={
          model.isTierUnavailable('STANDARD_1')
            ? trans.__(
                'Distributed tiers need a cluster backend; this one runs jobs locally.'
              )
            : undefined
        }
      >
        <select
          className="jp-mod-styled jp-laketahoe-SubmitForm-scaleTier"
          name="scaleTier"
          value={model.scaleTier}
          onChange={e =>
            model.update(
              'scaleTier',
              e.target.value as ScaleTier,
              FIELD.scaleTier
            )
          }
        >
          {FORM_SCALE_TIERS.map(tier => (
            <option
              key={tier}
              value={tier}
              disabled={model.isTierUnavailable(tier)}
            >
              {tierLabels[tier]}
              {tierResources(model, tier)}
            </option>
          ))}
        </select>
      </Field>

      {model.scaleTier === 'CUSTOM' && (
        <div className="jp-laketahoe-SubmitForm-custom">
          {CUSTOM_FIELDS.map(([key, field, inputMode]) => (
            <TextField
              key={key}
              label={customLabels[key]}
              field={field}
              errors={errors}
              name={key}
              inputMode={inputMode}
              value={model[key]}
              onChange={value => model.update(key, value, field)}
            />
          ))}
        </div>
      )}
    </>
  );
}

/** " (2 CPU, 4 GB, 0 GPU)" for a tier the service describes, else "". */
export function tierResources(model: SubmitFormModel, tier: ScaleTier): string {
  const resources = model.info?.scaleTiers?.[tier];
  return resources
    ? ` (${resources.cpu} CPU, ${formatGb(resources.memoryBytes)} GB, ${resources.gpu} GPU)`
    : '';
}

/** Bytes to GB with at most one decimal. */
function formatGb(bytes: number): string {
  return String(Math.round((bytes / 2 ** 30) * 10) / 10);
}
