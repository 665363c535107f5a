import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';

import { LakeTahoeError } from '../api';
import { SCHEDULE_FIELD } from '../model/schedule';
import { SubmitFormModel } from '../model/submit';
import { CommandIDs, ILakeTahoe } from '../tokens';

/**
 * Saves the submit form as a scheduled definition. True when saved; false
 * with the service's field errors on the form, to show it again.
 */
export async function saveDefinition(
  lake: ILakeTahoe,
  form: SubmitFormModel,
  commands: CommandRegistry,
  trans: TranslationBundle
): Promise<boolean> {
  try {
    const definition = await lake.api.createDefinition(
      form.toDefinitionRequest()
    );
    Notification.success(
      trans.__(
        'Saved job definition %1; next run %2.',
        definition.definitionId,
        definition.nextRunTimes[0]
          ? new Date(definition.nextRunTimes[0]).toLocaleString()
          : trans.__('not scheduled')
      ),
      { autoClose: 5000 }
    );
    void commands.execute(CommandIDs.showDefinitions);
    return true;
  } catch (error) {
    const e =
      error instanceof LakeTahoeError
        ? error
        : new LakeTahoeError(0, 'unknown', String(error));
    const field =
      e.field ??
      (e.code === 'already_exists' ? SCHEDULE_FIELD.definitionId : '');
    Notification.error(
      trans.__('Saving the definition failed: %1', e.message),
      {
        autoClose: 8000
      }
    );
    form.serverErrors = { [field]: e.message };
    // A service failure without a field is not the form's to fix.
    return !field && e.status >= 500;
  }
}
