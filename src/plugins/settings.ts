import { Notification } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';

/**
 * Read a plugin's settings now and each time they change; a warning is
 * shown when they cannot be loaded. Not awaited by callers, so that
 * activation does not wait on the network.
 */
export function watchSettings(
  registry: ISettingRegistry,
  pluginId: string,
  read: (composite: ReadonlyPartialJSONObject) => void,
  trans: TranslationBundle
): void {
  registry
    .load(pluginId)
    .then(loaded => {
      const update = () => read(loaded.composite);
      update();
      loaded.changed.connect(update);
    })
    .catch(reason => {
      Notification.warning(
        trans.__('LakeTahoe settings could not be loaded: %1', String(reason))
      );
    });
}
