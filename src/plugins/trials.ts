import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { trialsToCsv } from '../model/csv';
import { TrialsModel } from '../model/trials';
import {
  DEFAULT_CANARY_PERCENT,
  deployChallengers,
  MAX_CHALLENGERS
} from '../model/challengers';
import { CommandIDs, ILakeTahoe, IServing } from '../tokens';
import { ITrialsActions } from '../widgets/trials/options';
import { TrialsView } from '../widgets/TrialsView';
import { addJobWidgetCommand, notebookOpener } from './jobWidgets';

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
  optional: [IDocumentManager, ILayoutRestorer, ITranslator, IServing],
  activate: (
    app: JupyterFrontEnd,
    lake: ILakeTahoe,
    docManager: IDocumentManager | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    serving: IServing | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('laketahoe');
    const { commands } = app;
    const actions: ITrialsActions = {
      openNotebook: notebookOpener(commands, docManager),
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
      openJob: jobId => void commands.execute(CommandIDs.openJob, { jobId }),
      deployTrial: (jobId, trialId) =>
        void commands.execute(CommandIDs.deploy, { jobId, trialId }),
      deployChallengers: serving
        ? async (jobId, trialIds) => {
            const names = serving.model.deployments
              .filter(d => d.state === 'READY')
              .map(d => d.name);
            if (names.length === 0) {
              Notification.warning(
                trans.__(
                  'No deployment is READY: deploy the best trial first, then add challengers beside it.'
                )
              );
              return;
            }
            const picked = await InputDialog.getItem({
              title: trans.__('Deploy as challengers of'),
              items: names
            });
            const deployment = serving.model.deployments.find(
              d => d.name === picked.value
            );
            if (!picked.button.accept || !deployment) {
              return;
            }
            try {
              const result = await deployChallengers(
                lake.api,
                deployment,
                jobId,
                trialIds
              );
              const served = result.serving.length
                ? trans.__(
                    ' Trials %1 serve there already.',
                    result.serving.join(', ')
                  )
                : '';
              const note = result.skipped.length
                ? trans.__(
                    ' Trials %1 were not deployed: a deployment serves at most %2 challengers; promote or remove one to try the next.',
                    result.skipped.join(', '),
                    MAX_CHALLENGERS
                  )
                : '';
              Notification.success(
                trans.__(
                  'Trials %1 serve beside the champion of %2 (canary %3% each).',
                  result.deployed.join(', '),
                  deployment.name,
                  DEFAULT_CANARY_PERCENT
                ) +
                  served +
                  note,
                { autoClose: 8000 }
              );
              void commands.execute(CommandIDs.openDeployment, {
                name: deployment.name
              });
            } catch (error) {
              Notification.error(
                trans.__(
                  'Could not deploy challengers: %1',
                  (error as Error).message
                )
              );
            }
          }
        : undefined
    };

    addJobWidgetCommand(app, {
      command: CommandIDs.openTrials,
      namespace: 'laketahoe-trials',
      label: jobId =>
        jobId ? trans.__('Open Trials of %1', jobId) : trans.__('Open Trials'),
      createModel: jobId => new TrialsModel(jobId, lake.jobs),
      createContent: model => new TrialsView({ model, actions, trans }),
      title: jobId => ({
        label: trans.__('%1 trials', jobId),
        caption: trans.__('Trials of tuning job %1', jobId)
      }),
      restorer
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
  }
};
