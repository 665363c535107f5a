import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { laketahoeIcon } from '../icons';
import { JobDetailModel } from '../model/detail';
import { CommandIDs, ILakeTahoe } from '../tokens';
import { JobDetailView } from '../widgets/JobDetail';

/** Job detail views in the main area, restored across reloads. */
export const jobDetailPlugin: JupyterFrontEndPlugin<void> = {
  id: 'laketahoe:job-detail',
  description:
    'Opens a training job in the main area: spec, timeline, metrics and live logs.',
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
    const tracker = new WidgetTracker<MainAreaWidget<JobDetailView>>({
      namespace: 'laketahoe-job'
    });

    const actions = {
      cancel: (jobId: string) =>
        void commands.execute(CommandIDs.cancelJob, { jobId }),
      openNotebook: (path: string) => {
        if (docManager) {
          docManager.openOrReveal(path);
        } else {
          void commands.execute('docmanager:open', { path });
        }
      },
      openTrials: (jobId: string) =>
        void commands.execute(CommandIDs.openTrials, { jobId }),
      openHtml: (path: string) => {
        const url = URLExt.join(
          PageConfig.getBaseUrl(),
          'files',
          URLExt.encodeParts(path)
        );
        window.open(url, '_blank', 'noopener');
      }
    };

    commands.addCommand(CommandIDs.openJob, {
      label: args =>
        args.jobId
          ? trans.__('Open Training Job %1', args.jobId as string)
          : trans.__('Open Training Job'),
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
        const model = new JobDetailModel(jobId, lake.jobs);
        const content = new JobDetailView({ model, actions, trans });
        const widget = new MainAreaWidget({ content });
        widget.id = `laketahoe-job-${jobId}`;
        widget.title.label = jobId;
        widget.title.caption = trans.__('Training job %1', jobId);
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

    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.openJob,
        args: widget => ({ jobId: widget.content.model.jobId }),
        name: widget => widget.content.model.jobId
      });
    }
  }
};
