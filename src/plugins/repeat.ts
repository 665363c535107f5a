import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  InputDialog,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { laketahoeIcon } from '../icons';
import { CompareModel, compareCountError } from '../model/compare';
import { formatLabels, parseLabels } from '../model/labels';
import { CommandIDs, ILakeTahoe } from '../tokens';
import { JobCompareView } from '../widgets/JobCompare';
import { openInMainArea } from './mainArea';

/** Run again, edit and resubmit, edit labels, and compare jobs side by side. */
export const repeatPlugin: JupyterFrontEndPlugin<void> = {
  id: 'laketahoe:find-compare-repeat',
  description:
    'Runs finished jobs again (as they were or edited), edits their labels and compares 2 to 5 jobs side by side.',
  autoStart: true,
  requires: [ILakeTahoe],
  optional: [ICommandPalette, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    lake: ILakeTahoe,
    palette: ICommandPalette | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('laketahoe');
    const { commands, shell } = app;
    const jobIdOf = (args: Record<string, unknown>) =>
      typeof args.jobId === 'string' ? args.jobId : undefined;

    commands.addCommand(CommandIDs.rerunJob, {
      label: trans.__('Run Training Job Again'),
      execute: async args => {
        const jobId = jobIdOf(args);
        if (!jobId) {
          return;
        }
        try {
          const job = await lake.jobs.rerun(jobId);
          Notification.success(
            trans.__('Submitted %1, a new run of %2.', job.jobId, jobId),
            { autoClose: 5000 }
          );
          void commands.execute(CommandIDs.openJob, { jobId: job.jobId });
        } catch (error) {
          Notification.error(
            trans.__(
              'Could not run %1 again: %2',
              jobId,
              (error as Error).message
            )
          );
        }
      }
    });

    commands.addCommand(CommandIDs.editAndResubmit, {
      label: trans.__('Edit and Resubmit Training Job'),
      execute: async args => {
        const jobId = jobIdOf(args);
        const job = jobId
          ? (lake.jobs.get(jobId) ?? (await lake.api.getJob(jobId)))
          : undefined;
        const path = job?.trainingInput?.notebook?.path;
        if (!job || !path) {
          Notification.warning(
            trans.__(
              'Only notebook jobs can be edited and resubmitted; use Run Again.'
            )
          );
          return;
        }
        await commands.execute(CommandIDs.submitNotebook, {
          path,
          fromJobId: job.jobId
        });
      }
    });

    commands.addCommand(CommandIDs.editLabels, {
      label: trans.__('Edit Training Job Labels'),
      execute: async args => {
        const jobId = jobIdOf(args);
        if (!jobId) {
          return;
        }
        const job = lake.jobs.get(jobId) ?? (await lake.api.getJob(jobId));
        let text = formatLabels(job.labels ?? {});
        for (;;) {
          const answer = await InputDialog.getText({
            title: trans.__('Labels of %1', jobId),
            label: trans.__('key=value, separated by commas'),
            text
          });
          if (!answer.button.accept || answer.value === null) {
            return;
          }
          text = answer.value;
          const parsed = parseLabels(text);
          if ('error' in parsed) {
            Notification.error(trans.__('Labels not saved: %1', parsed.error));
            continue;
          }
          try {
            await lake.jobs.setLabels(jobId, parsed.labels);
            return;
          } catch (error) {
            Notification.error(
              trans.__('Labels not saved: %1', (error as Error).message)
            );
          }
        }
      }
    });

    const tracker = new WidgetTracker<MainAreaWidget<JobCompareView>>({
      namespace: 'laketahoe-compare'
    });
    let opened = 0;
    commands.addCommand(CommandIDs.compareJobs, {
      label: trans.__('Compare Selected Training Jobs'),
      caption: trans.__('Compare 2 to 5 jobs selected in the jobs panel'),
      icon: laketahoeIcon,
      isEnabled: args =>
        compareCountError(
          Array.isArray(args.jobIds)
            ? args.jobIds.length
            : lake.jobs.selected.size
        ) === null,
      execute: args => {
        const jobIds = Array.isArray(args.jobIds)
          ? (args.jobIds as string[])
          : [...lake.jobs.selected];
        const problem = compareCountError(jobIds.length);
        if (problem) {
          Notification.warning(problem);
          return;
        }
        const model = new CompareModel(lake.api, jobIds);
        openInMainArea(shell, tracker, new JobCompareView(model, trans), {
          id: `laketahoe-compare-${++opened}`,
          label: trans.__('Compare: %1', jobIds.join(', ')),
          caption: trans.__('Jobs %1 side by side', jobIds.join(', ')),
          icon: laketahoeIcon
        });
      }
    });

    if (palette) {
      const category = trans.__('LakeTahoe');
      palette.addItem({ command: CommandIDs.compareJobs, category });
    }
  }
};
