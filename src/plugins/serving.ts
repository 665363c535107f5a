import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  Dialog,
  ICommandPalette,
  MainAreaWidget,
  Notification,
  showDialog,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { LakeTahoeError } from '../api';
import { servingIcon } from '../icons';
import { DeploymentDetailModel, DeploymentTab } from '../model/deployment';
import {
  IDeployFormValues,
  isValidDeploymentName,
  suggestDeploymentName
} from '../model/deployForm';
import { ServingModel } from '../model/serving';
import { CommandIDs, ILakeTahoe, IServing } from '../tokens';
import { ICreateDeploymentRequest, IModelVersion } from '../wire';
import { notifyFiringAlerts } from '../widgets/alertNotifications';
import { DeployForm } from '../widgets/DeployForm';
import { DeploymentDetailView } from '../widgets/DeploymentDetail';
import { ServingPanel } from '../widgets/ServingPanel';
import { openInMainArea } from './mainArea';
import { watchSettings } from './settings';

const PLUGIN_ID = 'laketahoe:serving';

/** Settings of the serving plugin, checked. */
interface IServingSettings {
  /** Seconds between monitoring reloads. */
  monitoringRefreshSeconds: number;
  /** Whether firing alerts raise a notification. */
  notifyOnAlerts: boolean;
}

const TABS: readonly DeploymentTab[] = ['overview', 'test', 'monitoring'];

/**
 * Models and deployments: the sidebar panel, the deploy dialog, deployment
 * views with test requests and monitoring, and alert notifications.
 */
export const servingPlugin: JupyterFrontEndPlugin<IServing> = {
  id: PLUGIN_ID,
  description:
    'Lists models and deployments, deploys model versions, tries and monitors deployments.',
  autoStart: true,
  requires: [ILakeTahoe],
  provides: IServing,
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    ILauncher,
    ISettingRegistry,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    lake: ILakeTahoe,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): IServing => {
    const trans = (translator ?? nullTranslator).load('laketahoe');
    const { commands, shell, serviceManager } = app;
    const serving = new ServingModel(lake.jobs);
    const settings: IServingSettings = {
      monitoringRefreshSeconds: 10,
      notifyOnAlerts: true
    };
    const tracker = new WidgetTracker<MainAreaWidget<DeploymentDetailView>>({
      namespace: 'laketahoe-deployment'
    });

    if (settingRegistry) {
      watchSettings(
        settingRegistry,
        PLUGIN_ID,
        composite => {
          const seconds = Number(composite.monitoringRefreshSeconds);
          settings.monitoringRefreshSeconds =
            Number.isFinite(seconds) && seconds >= 2 ? seconds : 10;
          settings.notifyOnAlerts = composite.notifyOnAlerts !== false;
          tracker.forEach(widget => {
            widget.content.model.refreshSeconds =
              settings.monitoringRefreshSeconds;
          });
        },
        trans
      );
    }

    // The first load; later ones follow each reconnection of the stream.
    void serving.refresh();

    const panel = new ServingPanel({ model: serving, commands, trans });
    panel.id = 'laketahoe-serving';
    panel.title.icon = servingIcon;
    panel.title.caption = trans.__('LakeTahoe Models & Deployments');
    shell.add(panel, 'left', { rank: 610 });
    restorer?.add(panel, 'laketahoe-serving');

    // A count of firing alerts on the panel's tab.
    const updateBadge = () => {
      const firing = serving.firingAlerts().length;
      panel.title.caption = firing
        ? trans.__('LakeTahoe Models & Deployments: %1 alerts firing', firing)
        : trans.__('LakeTahoe Models & Deployments');
      panel.title.className = firing ? 'jp-laketahoe-mod-alerting' : '';
      panel.node.dataset.firing = String(firing);
    };
    serving.changed.connect(updateBadge);

    notifyFiringAlerts(serving, {
      enabled: () => settings.notifyOnAlerts,
      openMonitoring: name =>
        void commands.execute(CommandIDs.openDeployment, {
          name,
          tab: 'monitoring'
        }),
      trans
    });

    const loadBaseline = async (artifactDir: string) => {
      const file = await serviceManager.contents.get(
        `${artifactDir}/baseline.json`,
        { content: true, format: 'text', type: 'file' }
      );
      return typeof file.content === 'string'
        ? JSON.parse(file.content)
        : file.content;
    };

    commands.addCommand(CommandIDs.showServing, {
      label: trans.__('Models & Deployments'),
      caption: trans.__('Show the LakeTahoe models and deployments panel'),
      icon: servingIcon,
      execute: () => shell.activateById(panel.id)
    });

    commands.addCommand(CommandIDs.refreshServing, {
      label: trans.__('Refresh Models & Deployments'),
      execute: () => serving.refresh()
    });

    commands.addCommand(CommandIDs.openDeployment, {
      label: args =>
        args.name
          ? trans.__('Open Deployment %1', args.name as string)
          : trans.__('Open Deployment'),
      icon: servingIcon,
      execute: args => {
        const name = args.name as string | undefined;
        if (!name) {
          return;
        }
        const tab = TABS.includes(args.tab as DeploymentTab)
          ? (args.tab as DeploymentTab)
          : null;
        const existing = tracker.find(w => w.content.model.name === name);
        if (existing) {
          if (tab) {
            existing.content.model.tab = tab;
          }
          shell.activateById(existing.id);
          return existing;
        }
        const model = new DeploymentDetailModel({
          name,
          serving,
          loadBaseline,
          refreshSeconds: settings.monitoringRefreshSeconds
        });
        if (tab) {
          model.tab = tab;
        }
        const content = new DeploymentDetailView({
          model,
          actions: {
            undeploy: n =>
              void commands.execute(CommandIDs.undeploy, { name: n }),
            switchVersion: (n, version) => {
              model
                .switchVersion(version)
                .then(() =>
                  Notification.info(
                    trans.__('%1 switches to version %2.', n, version),
                    { autoClose: 4000 }
                  )
                )
                .catch(error =>
                  Notification.error(
                    trans.__(
                      'Could not switch %1: %2',
                      n,
                      (error as Error).message
                    )
                  )
                );
            },
            openJob: jobId =>
              void commands.execute(CommandIDs.openJob, { jobId }),
            copy: text => {
              Clipboard.copyToSystem(text);
              Notification.info(trans.__('Copied to the clipboard.'), {
                autoClose: 2000
              });
            }
          },
          trans
        });
        return openInMainArea(shell, tracker, content, {
          id: `laketahoe-deployment-${name}`,
          label: name,
          caption: trans.__('Deployment %1', name),
          icon: servingIcon
        });
      }
    });

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openDeployment,
        args: widget => ({ name: widget.content.model.name }),
        name: widget => widget.content.model.name
      });
    }

    commands.addCommand(CommandIDs.undeploy, {
      label: trans.__('Undeploy'),
      caption: trans.__('Stop serving a deployment and remove it'),
      execute: async args => {
        const name = args.name as string | undefined;
        if (!name) {
          return;
        }
        const result = await showDialog({
          title: trans.__('Undeploy %1?', name),
          body: trans.__(
            'The model server stops and the endpoint goes away; its monitoring data is deleted. The model versions stay registered.'
          ),
          buttons: [
            Dialog.cancelButton({ label: trans.__('Keep Serving') }),
            Dialog.warnButton({ label: trans.__('Undeploy') })
          ]
        });
        if (!result.button.accept) {
          return;
        }
        try {
          await serving.undeploy(name);
          tracker.find(w => w.content.model.name === name)?.dispose();
          Notification.info(trans.__('Deployment %1 removed.', name), {
            autoClose: 4000
          });
        } catch (error) {
          Notification.error(
            trans.__(
              'Could not undeploy %1: %2',
              name,
              (error as Error).message
            )
          );
        }
      }
    });

    commands.addCommand(CommandIDs.deploy, {
      label: args =>
        args.trialId
          ? trans.__('Deploy Trial %1', args.trialId as string)
          : trans.__('Deploy'),
      caption: trans.__('Serve a model version behind an endpoint'),
      icon: servingIcon,
      execute: async args => {
        const jobId = args.jobId as string | undefined;
        const trialId = args.trialId as string | undefined;
        const modelName = args.model as string | undefined;
        let versions: readonly IModelVersion[] = [];
        let base: string;
        let description: string;
        let version: number | null = null;
        if (modelName) {
          if (!serving.models.find(m => m.name === modelName)?.versions) {
            await serving.refreshModels();
          }
          versions =
            serving.models.find(m => m.name === modelName)?.versions ?? [];
          version =
            typeof args.version === 'number'
              ? args.version
              : (versions[0]?.version ?? null);
          base = modelName;
          description = trans.__('Serve a version of model %1.', modelName);
        } else if (jobId) {
          const saved = serving.versionsFromJob(jobId, trialId);
          base = saved[0]?.name ?? jobId;
          description = trialId
            ? trans.__(
                'Serve the model saved by trial %1 of job %2.',
                trialId,
                jobId
              )
            : trans.__('Serve the model saved by job %1.', jobId);
        } else {
          return;
        }
        let values: IDeployFormValues = {
          name: suggestDeploymentName(
            base,
            serving.deployments.map(d => d.name)
          ),
          version
        };
        // The dialog reopens with the service's error until the deployment
        // is accepted or the user cancels.
        for (;;) {
          const result = await showDialog<IDeployFormValues>({
            title: trans.__('Deploy'),
            body: new DeployForm({
              name: values.name,
              versions,
              version: values.version,
              description,
              trans
            }),
            buttons: [
              Dialog.cancelButton(),
              Dialog.okButton({ label: trans.__('Deploy') })
            ],
            focusNodeSelector: '.jp-laketahoe-DeployForm-name'
          });
          if (!result.button.accept || !result.value) {
            return;
          }
          values = result.value;
          if (!isValidDeploymentName(values.name)) {
            continue;
          }
          const request: ICreateDeploymentRequest = modelName
            ? {
                name: values.name,
                model: {
                  name: modelName,
                  ...(values.version !== null
                    ? { version: values.version }
                    : {})
                }
              }
            : {
                name: values.name,
                source: { jobId: jobId!, ...(trialId ? { trialId } : {}) }
              };
          try {
            const deployment = await serving.deploy(request);
            Notification.success(
              trans.__(
                'Deploying %1 (%2 version %3).',
                deployment.name,
                deployment.model.name,
                deployment.model.version
              ),
              { autoClose: 5000 }
            );
            void commands.execute(CommandIDs.openDeployment, {
              name: deployment.name
            });
            return deployment;
          } catch (error) {
            const e =
              error instanceof LakeTahoeError
                ? error
                : new LakeTahoeError(0, 'unknown', String(error));
            Notification.error(
              e.field
                ? trans.__('Deploy failed (%1): %2', e.field, e.message)
                : trans.__('Deploy failed: %1', e.message),
              { autoClose: 8000 }
            );
            // Only a name problem is fixable in the dialog.
            if (e.code !== 'already_exists' && e.field !== 'name') {
              return;
            }
          }
        }
      }
    });

    if (palette) {
      const category = trans.__('LakeTahoe');
      palette.addItem({ command: CommandIDs.showServing, category });
      palette.addItem({ command: CommandIDs.refreshServing, category });
    }
    launcher?.add({
      command: CommandIDs.showServing,
      category: trans.__('LakeTahoe'),
      rank: 2
    });

    return { model: serving };
  }
};
