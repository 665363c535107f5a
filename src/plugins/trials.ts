import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { laketahoeIcon } from '../icons';
import { trialsToCsv } from '../model/csv';
import { TrialsModel } from '../model/trials';
import { CommandIDs, ILakeTahoe } from '../tokens';
import { ITrialsActions, TrialsView } from '../widgets/TrialsView';

/** Offer text as a file download. */
function download(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Some browsers read the blob after the click handler returns.
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The trials browser of HPO jobs, and the stop command. */
export const trialsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'laketahoe:trials',
  description:
    'Browses the trials of a hyperparameter tuning job: grid, logs, plots and CSV export.',
  autoStart: true,
  requires: [ILakeTahoe],
  optional: [IDocumentManager, ILayoutRestorer, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    lake: ILakeTahoe,
    docManager: IDocumentManager | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('laketahoe');
    const { commands, shell } = app;
    const tracker = new WidgetTracker<MainAreaWidget<TrialsView>>({
      namespace: 'laketahoe-trials'
    });

    const actions: ITrialsActions = {
      openNotebook: path => {
        if (docManager) {
          docManager.openOrReveal(path);
        } else {
          void commands.execute('docmanager:open', { path });
        }
      },
      newJobFromTrial: trial => {
        const job = lake.jobs.get(trial.jobId);
        const path = job?.trainingInput?.notebook?.path;
        if (!path) {
          Notification.warning(
            trans.__('Only notebook jobs can be resubmitted from a trial.')
          );
          return;
        }
        void commands.execute(CommandIDs.submitNotebook, {
          path,
          parameters: trial.hyperparameters
        });
      },
      exportCsv: model => {
        download(
          trialsToCsv(model.trials, model.parameterNames),
          `${model.jobId}_trials.csv`,
          'text/csv;charset=utf-8'
        );
      },
      stop: jobId => void commands.execute(CommandIDs.stopJob, { jobId }),
      cancel: jobId => void commands.execute(CommandIDs.cancelJob, { jobId }),
      openJob: jobId => void commands.execute(CommandIDs.openJob, { jobId })
    };

    commands.addCommand(CommandIDs.openTrials, {
      label: args =>
        args.jobId
          ? trans.__('Open Trials of %1', args.jobId as string)
          : trans.__('Open Trials'),
      icon: laketahoeIcon,
      execute: args => {
        const jobId = args.jobId as string | undefined;
        if (!jobId) {
          return;
        }
        const existing = tracker.find(w => w.content.model.jobId === jobId);
        if (existing) {
          shell.activateById(existing.id);
          return existing;
        }
        const model = new TrialsModel(jobId, lake.jobs);
        const content = new TrialsView({ model, actions, trans });
        const widget = new MainAreaWidget({ content });
        widget.id = `laketahoe-trials-${jobId}`;
        widget.title.label = trans.__('%1 trials', jobId);
        widget.title.caption = trans.__('Trials of tuning job %1', jobId);
        widget.title.icon = laketahoeIcon;
        widget.title.closable = true;
        widget.disposed.connect(() => model.dispose());
        model.start();
        void tracker.add(widget);
        shell.add(widget, 'main');
        shell.activateById(widget.id);
        return widget;
      }
    });

    commands.addCommand(CommandIDs.stopJob, {
      label: trans.__('Stop Tuning Job'),
      caption: trans.__('Start no new trials; running trials finish.'),
      execute: async args => {
        const jobId = args.jobId as string | undefined;
        if (!jobId) {
          return;
        }
        try {
          const job = await lake.api.stopJob(jobId);
          lake.jobs.applyJob(job);
          Notification.info(trans.__('Job %1 starts no new trials.', jobId), {
            autoClose: 4000
          });
        } catch (error) {
          Notification.error(
            trans.__('Could not stop %1: %2', jobId, (error as Error).message)
          );
        }
      }
    });

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openTrials,
        args: widget => ({ jobId: widget.content.model.jobId }),
        name: widget => widget.content.model.jobId
      });
    }
  }
};
