import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { createElement } from 'react';

import { JobDetailModel } from '../model/detail';
import { IJob } from '../wire';
import { CommandIDs, ILakeTahoe, IServing } from '../tokens';
import { JobDetailView } from '../widgets/JobDetail';
import { JobDeployButton } from '../widgets/JobDeployButton';
import { addJobWidgetCommand, notebookOpener } from './jobWidgets';

/** Job detail views in the main area, restored across reloads. */
export const jobDetailPlugin: JupyterFrontEndPlugin<void> = {
  id: 'laketahoe:job-detail',
  description:
    'Opens a training job in the main area: spec, timeline, metrics and live logs.',
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

    const actions = {
      cancel: (jobId: string) =>
        void commands.execute(CommandIDs.cancelJob, { jobId }),
      openNotebook: notebookOpener(commands, docManager),
      openTrials: (jobId: string) =>
        void commands.execute(CommandIDs.openTrials, { jobId }),
      openHtml: (path: string) => {
        const url = URLExt.join(
          PageConfig.getBaseUrl(),
          'files',
          URLExt.encodeParts(path)
        );
        window.open(url, '_blank', 'noopener');
      },
      rerun: (jobId: string) =>
        void commands.execute(CommandIDs.rerunJob, { jobId }),
      editAndResubmit: (jobId: string) =>
        void commands.execute(CommandIDs.editAndResubmit, { jobId }),
      editLabels: (jobId: string) =>
        void commands.execute(CommandIDs.editLabels, { jobId }),
      deployButton: serving
        ? (job: IJob) =>
            createElement(JobDeployButton, {
              job,
              serving: serving.model,
              deploy: jobId =>
                void commands.execute(CommandIDs.deploy, { jobId }),
              trans
            })
        : undefined
    };

    addJobWidgetCommand(app, {
      command: CommandIDs.openJob,
      namespace: 'laketahoe-job',
      label: jobId =>
        jobId
          ? trans.__('Open Training Job %1', jobId)
          : trans.__('Open Training Job'),
      createModel: jobId => new JobDetailModel(jobId, lake.jobs),
      createContent: model => new JobDetailView({ model, actions, trans }),
      title: jobId => ({
        label: jobId,
        caption: trans.__('Training job %1', jobId)
      }),
      restorer
    });
  }
};
