import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { laketahoeIcon } from '../icons';
import { CommandIDs, ILakeTahoe } from '../tokens';
import { JobsPanel } from '../widgets/JobsPanel';
import { notifyEndedJobs } from '../widgets/jobNotifications';
import { watchSettings } from './settings';
import { rememberJobFilters } from './jobFilters';

const PLUGIN_ID = 'laketahoe:jobs-panel';

/** The jobs panel in the left area, with refresh, cancel and delete commands. */
export const jobsPanelPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Lists training jobs in the left sidebar, live, with filter, cancel and delete; notifies when jobs end.',
  autoStart: true,
  requires: [ILakeTahoe],
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    ITranslator,
    ISettingRegistry,
    IStateDB
  ],
  activate: (
    app: JupyterFrontEnd,
    lake: ILakeTahoe,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null,
    stateDB: IStateDB | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('laketahoe');
    const { commands, shell } = app;

    let notifyOnJobEnd = true;
    if (settingRegistry) {
      watchSettings(
        settingRegistry,
        PLUGIN_ID,
        composite => {
          notifyOnJobEnd = composite.notifyOnJobEnd !== false;
        },
        trans
      );
    }
    notifyEndedJobs(lake.jobs, {
      enabled: () => notifyOnJobEnd,
      openJob: jobId => void commands.execute(CommandIDs.openJob, { jobId }),
      trans
    });

    if (stateDB) {
      rememberJobFilters(lake.jobs, stateDB);
    }
    const panel = new JobsPanel({ model: lake.jobs, commands, trans });
    panel.id = 'laketahoe-jobs';
    panel.title.icon = laketahoeIcon;
    panel.title.caption = trans.__('LakeTahoe Training Jobs');
    shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, 'laketahoe-jobs');

    commands.addCommand(CommandIDs.showJobs, {
      label: trans.__('Show Training Jobs'),
      caption: trans.__('Show the LakeTahoe jobs panel'),
      icon: laketahoeIcon,
      execute: () => shell.activateById(panel.id)
    });

    commands.addCommand(CommandIDs.refreshJobs, {
      label: trans.__('Refresh Training Jobs'),
      execute: async () => {
        lake.jobs.reconnect();
        await lake.jobs.refresh();
      }
    });

    commands.addCommand(CommandIDs.cancelJob, {
      label: trans.__('Cancel Training Job'),
      execute: async args => {
        const jobId = args.jobId as string | undefined;
        if (!jobId) {
          return;
        }
        const result = await showDialog({
          title: trans.__('Cancel job %1?', jobId),
          body: trans.__(
            'The running notebook is stopped; outputs written so far are kept.'
          ),
          buttons: [
            Dialog.cancelButton({ label: trans.__('Keep Running') }),
            Dialog.warnButton({ label: trans.__('Cancel Job') })
          ]
        });
        if (!result.button.accept) {
          return;
        }
        try {
          const job = await lake.jobs.cancel(jobId);
          Notification.info(
            trans.__('Job %1 is %2.', jobId, job.state.toLowerCase()),
            {
              autoClose: 4000
            }
          );
        } catch (error) {
          Notification.error(
            trans.__('Could not cancel %1: %2', jobId, (error as Error).message)
          );
        }
      }
    });

    commands.addCommand(CommandIDs.deleteJobs, {
      label: trans.__('Delete Selected Training Jobs'),
      isEnabled: () => lake.jobs.selected.size > 0,
      execute: async args => {
        const jobIds = (args.jobIds as string[] | undefined) ?? [
          ...lake.jobs.selected
        ];
        if (jobIds.length === 0) {
          return;
        }
        const result = await showDialog({
          title:
            jobIds.length === 1
              ? trans.__('Delete job %1?', jobIds[0])
              : trans.__('Delete %1 jobs?', jobIds.length),
          body: trans.__(
            'Their outputs, logs, metrics and trials are deleted for good; running jobs are cancelled first. Jobs a registered model version was made from are kept. (%1)',
            jobIds.join(', ')
          ),
          buttons: [
            Dialog.cancelButton({ label: trans.__('Keep') }),
            Dialog.warnButton({ label: trans.__('Delete') })
          ]
        });
        if (!result.button.accept) {
          return;
        }
        try {
          const results = await lake.jobs.deleteJobs(jobIds);
          const deleted = results.filter(r => r.deleted).length;
          if (deleted > 0) {
            Notification.success(
              trans._n('Deleted %1 job.', 'Deleted %1 jobs.', deleted),
              {
                autoClose: 4000
              }
            );
          }
          for (const kept of results.filter(r => !r.deleted)) {
            Notification.warning(
              trans.__('Kept %1: %2', kept.jobId, kept.error?.message ?? '')
            );
          }
        } catch (error) {
          Notification.error(
            trans.__('Could not delete jobs: %1', (error as Error).message)
          );
        }
      }
    });

    if (palette) {
      const category = trans.__('LakeTahoe');
      palette.addItem({ command: CommandIDs.showJobs, category });
      palette.addItem({ command: CommandIDs.refreshJobs, category });
    }
  }
};
