import React from 'react';

import { FIELD } from '../../model/submit';
import { Priority, PRIORITIES } from '../../wire';
import { Checkbox, Field, TextField } from './Field';
import { ISubmitPartProps } from './props';

/** Request fields of the run options that the form shows without a FIELD entry. */
export const RUN_OPTION_FIELDS = [
  'trainingInput.masterConfig.imageUri',
  'trainingInput.priority'
] as const;

/**
 * How the job runs: container image, priority, time limit and whether the
 * notebook's folder goes with it.
 */
export function RunOptions(props: ISubmitPartProps): JSX.Element {
  const { model, errors, trans } = props;
  const priorityLabels: { [p in Priority]: string } = {
    high: trans.__('High (scheduled jobs)'),
    middle: trans.__('Middle (normal jobs)'),
    low: trans.__('Low (bulk experiments)')
  };
  const target = model.targetBackend;
  const offered = target?.name === 'kubernetes' ? (target.images ?? []) : [];
  return (
    <>
      {offered.length > 0 && !target?.allowAnyImage ? (
        <Field
          label={trans.__('Container image')}
          field={RUN_OPTION_FIELDS[0]}
          errors={errors}
        >
          <select
            className="jp-mod-styled jp-laketahoe-SubmitForm-image"
            name="imageUri"
            value={model.imageUri}
            onChange={e =>
              model.update('imageUri', e.target.value, RUN_OPTION_FIELDS[0])
            }
          >
            <option value="">{trans.__("The service's default image")}</option>
            {offered.map(i => (
              <option key={i.name} value={i.name}>
                {`${i.name} (${i.image})`}
              </option>
            ))}
          </select>
        </Field>
      ) : (
        <TextField
          label={trans.__('Container image')}
          field={RUN_OPTION_FIELDS[0]}
          errors={errors}
          hint={
            model.info?.backend === 'local'
              ? trans.__(
                  'Kept with the job; the local backend runs in the host Python environment.'
                )
              : undefined
          }
          className="jp-laketahoe-SubmitForm-image"
          name="imageUri"
          value={model.imageUri}
          placeholder="containerregistry.example.com/aipf/laketahoecustom-tensorflow-gpu:1.0"
          spellCheck={false}
          onChange={value =>
            model.update('imageUri', value, RUN_OPTION_FIELDS[0])
          }
          list={offered.length > 0 ? 'jp-laketahoe-offered-images' : undefined}
        />
      )}
      {offered.length > 0 && target?.allowAnyImage && (
        <datalist id="jp-laketahoe-offered-images">
          {offered.map(i => (
            <option key={i.name} value={i.name}>
              {i.image}
            </option>
          ))}
        </datalist>
      )}

      <Field
        label={trans.__('Priority')}
        field={RUN_OPTION_FIELDS[1]}
        errors={errors}
      >
        <select
          className="jp-mod-styled jp-laketahoe-SubmitForm-priority"
          name="priority"
          value={model.priority}
          onChange={e => model.update('priority', e.target.value as Priority)}
        >
          {PRIORITIES.map(p => (
            <option key={p} value={p}>
              {priorityLabels[p]}
            </option>
          ))}
        </select>
      </Field>

      <TextField
        label={trans.__('Max running time (seconds)')}
        field={FIELD.maxRunningTime}
        errors={errors}
        hint={trans.__('Empty or 0 for no limit.')}
        className="jp-laketahoe-SubmitForm-maxRunningTime"
        name="maxRunningTime"
        inputMode="numeric"
        value={model.maxRunningTimeSeconds}
        onChange={value =>
          model.update('maxRunningTimeSeconds', value, FIELD.maxRunningTime)
        }
      />

      <Checkbox
        name="includeFolder"
        checked={model.includeFolder}
        onChange={checked => model.update('includeFolder', checked)}
      >
        {trans.__(
          "Include the notebook's folder (for data files and modules next to it)"
        )}
      </Checkbox>
    </>
  );
}
