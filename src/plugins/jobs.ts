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
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { laketahoeIcon } from '../icons';
import { CommandIDs, ILakeTahoe } from '../tokens';
import { JobsPanel } from '../widgets/JobsPanel';

/** The jobs panel in the left area, with refresh and cancel commands. */
export const jobsPanelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'laketahoe:jobs-panel',
  description:
    'Lists training jobs in the left sidebar, live, with filter and cancel.',
  autoStart: true,
  requires: [ILakeTahoe],
  optional: [ILayoutRestorer, ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    lake: ILakeTahoe,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('laketahoe');
    const { commands, shell } = app;

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

    if (palette) {
      const category = trans.__('LakeTahoe');
      palette.addItem({ command: CommandIDs.showJobs, category });
      palette.addItem({ command: CommandIDs.refreshJobs, category });
    }
  }
};
