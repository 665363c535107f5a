import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { CommandRegistry } from '@lumino/commands';
import { IDisposable } from '@lumino/disposable';
import { Widget } from '@lumino/widgets';

import { laketahoeIcon } from '../icons';
import { openInMainArea } from './mainArea';

/** A model of one job shown in a main-area widget. */
export interface IJobWidgetModel extends IDisposable {
  /** The job's id, also the key the widget is found and restored by. */
  readonly jobId: string;
  /** Load and start streaming. */
  start(): void;
}

/** Options of {@link addJobWidgetCommand}. */
export interface IJobWidgetCommandOptions<
  M extends IJobWidgetModel,
  W extends Widget & { readonly model: M }
> {
  /** The command that opens (or reveals) a job's widget. */
  command: string;
  /** Tracker namespace; also the prefix of the widget ids. */
  namespace: string;
  /** The command's label, with and without a job id. */
  label: (jobId: string | undefined) => string;
  /** The model of a job. */
  createModel: (jobId: string) => M;
  /** The content widget of a model. */
  createContent: (model: M) => W;
  /** Tab label and caption of a job's widget. */
  title: (jobId: string) => { label: string; caption: string };
  /** Restores the open widgets after a reload, when available. */
  restorer: ILayoutRestorer | null;
}

/**
 * Add a command that opens one main-area widget per job, revealing the
 * existing one when the job is already open, and restore those widgets
 * across page reloads.
 * @returns the tracker of the widgets
 */
export function addJobWidgetCommand<
  M extends IJobWidgetModel,
  W extends Widget & { readonly model: M }
>(
  app: JupyterFrontEnd,
  options: IJobWidgetCommandOptions<M, W>
): WidgetTracker<MainAreaWidget<W>> {
  const { commands, shell } = app;
  const tracker = new WidgetTracker<MainAreaWidget<W>>({
    namespace: options.namespace
  });

  commands.addCommand(options.command, {
    label: args => options.label(args.jobId as string | undefined),
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
      const model = options.createModel(jobId);
      return openInMainArea(shell, tracker, options.createContent(model), {
        id: `${options.namespace}-${jobId}`,
        ...options.title(jobId),
        icon: laketahoeIcon
      });
    }
  });

  if (options.restorer) {
    void options.restorer.restore(tracker, {
      command: options.command,
      args: widget => ({ jobId: widget.content.model.jobId }),
      name: widget => widget.content.model.jobId
    });
  }
  return tracker;
}

/**
 * Open a notebook through the document manager, or through the
 * `docmanager:open` command where the manager is not available.
 */
export function notebookOpener(
  commands: CommandRegistry,
  docManager: IDocumentManager | null
): (path: string) => void {
  return path => {
    if (docManager) {
      docManager.openOrReveal(path);
    } else {
      void commands.execute('docmanager:open', { path });
    }
  };
}
