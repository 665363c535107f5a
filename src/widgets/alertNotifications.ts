import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

import { IServingModel } from '../tokens';
import { IAlert } from '../wire';

/** Options of {@link notifyFiringAlerts}. */
export interface IAlertNotificationOptions {
  /** Whether notifications are wanted now (a setting). */
  enabled: () => boolean;
  /** Open the monitoring view of a deployment. */
  openMonitoring: (deployment: string) => void;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}

/**
 * Raise a warning notification, with an action that opens the monitoring
 * view, for every alert that starts firing. Resolved alerts stay quiet.
 * @returns what stops it
 */
export function notifyFiringAlerts(
  serving: IServingModel,
  options: IAlertNotificationOptions
): IDisposable {
  const { trans } = options;
  let disposed = false;
  const onAlert = (_: IServingModel, alert: IAlert) => {
    if (alert.state !== 'firing' || !options.enabled()) {
      return;
    }
    Notification.warning(
      trans.__(
        'Alert on %1: %2',
        alert.deployment,
        alert.message || `${alert.metric} ${alert.value} > ${alert.threshold}`
      ),
      {
        autoClose: false,
        actions: [
          {
            label: trans.__('Open Monitoring'),
            callback: () => options.openMonitoring(alert.deployment)
          }
        ]
      }
    );
  };
  serving.alertReceived.connect(onAlert);
  return {
    get isDisposed() {
      return disposed;
    },
    dispose() {
      disposed = true;
      serving.alertReceived.disconnect(onAlert);
    }
  };
}
