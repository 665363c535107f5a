import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import {
  FileDialog,
  IDefaultFileBrowser,
  IFileBrowserFactory
} from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { LakeTahoeError } from '../api';
import { laketahoeIcon } from '../icons';
import {
  findParametersSource,
  ICellLike,
  IParametersParse,
  parseParametersSource
} from '../model/parameters';
import {
  DEFAULT_SUBMIT_DEFAULTS,
  FIELD,
  ISubmitDefaults,
  SubmitFormModel
} from '../model/submit';
import { definitionIdFor, ScheduleOptions } from '../model/schedule';
import { CommandIDs, ILakeTahoe } from '../tokens';
import { saveDefinition } from './schedule';
import {
  JSONValue,
  Priority,
  PRIORITIES,
  SCALE_TIERS,
  ScaleTier
} from '../wire';
import { SubmitForm } from '../widgets/SubmitForm';
import { watchSettings } from './settings';

const PLUGIN_ID = 'laketahoe:submit';

/** User settings of the submit plugin (see schema/submit.json). */
interface ISubmitSettings extends ISubmitDefaults {
  /** Ask before saving a notebook with unsaved changes. */
  askBeforeSaving: boolean;
}

/**
 * "Submit as Training Job": from the palette, the notebook toolbar, the
 * file browser's context menu and the launcher.
 */
export const submitPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Submits a notebook as a LakeTahoe training job, with a form for resources and parameters.',
  autoStart: true,
  requires: [ILakeTahoe, IDocumentManager],
  optional: [
    INotebookTracker,
    IFileBrowserFactory,
    IDefaultFileBrowser,
    ILauncher,
    ICommandPalette,
    ISettingRegistry,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    lake: ILakeTahoe,
    docManager: IDocumentManager,
    notebooks: INotebookTracker | null,
    browserFactory: IFileBrowserFactory | null,
    defaultBrowser: IDefaultFileBrowser | null,
    launcher: ILauncher | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('laketahoe');
    const { commands } = app;
    let settings: ISubmitSettings = {
      ...DEFAULT_SUBMIT_DEFAULTS,
      askBeforeSaving: true
    };

    if (settingRegistry) {
      watchSettings(
        settingRegistry,
        PLUGIN_ID,
        composite => {
          settings = readSettings(composite);
        },
        trans
      );
    }

    /** The notebook path the command should act on, or null if the user gave up. */
    const resolvePath = async (
      args: Record<string, unknown>
    ): Promise<string | null> => {
      if (typeof args.path === 'string' && args.path) {
        return args.path;
      }
      const fromMenu = app.contextMenuHitTest(node =>
        node.classList.contains('jp-DirListing-item')
      );
      if (fromMenu) {
        const browser = browserFactory?.tracker.currentWidget ?? defaultBrowser;
        const item = browser
          ? Array.from(browser.selectedItems()).find(i => i.type === 'notebook')
          : undefined;
        if (item) {
          return item.path;
        }
      }
      if (args.origin !== 'launcher' && notebooks?.currentWidget) {
        return notebooks.currentWidget.context.path;
      }
      const picked = await FileDialog.getOpenFiles({
        manager: docManager,
        title: trans.__('Choose a Notebook to Submit'),
        filter: model => (model.type === 'notebook' ? {} : null),
        translator: translator ?? undefined
      });
      const file = picked.value?.find(model => model.type === 'notebook');
      return picked.button.accept && file ? file.path : null;
    };

    /** Offer to save unsaved changes; false when the user cancels. */
    const saveFirst = async (path: string): Promise<boolean> => {
      const widget = docManager.findWidget(path);
      const context = widget ? docManager.contextForWidget(widget) : undefined;
      if (!context || !context.model.dirty) {
        return true;
      }
      if (settings.askBeforeSaving) {
        const result = await showDialog({
          title: trans.__('Save Notebook?'),
          body: trans.__(
            '"%1" has unsaved changes. The job runs the notebook as saved on disk.',
            path
          ),
          buttons: [
            Dialog.cancelButton(),
            Dialog.okButton({
              label: trans.__('Submit Saved Version'),
              displayType: 'default',
              actions: ['skip']
            }),
            Dialog.okButton({ label: trans.__('Save and Continue') })
          ]
        });
        if (!result.button.accept) {
          return false;
        }
        if (result.button.actions.includes('skip')) {
          return true;
        }
      }
      await context.save();
      return true;
    };

    /** Read the parameters cell, from the open notebook or from disk. */
    const readParameters = async (path: string): Promise<IParametersParse> => {
      let cells: ICellLike[] = [];
      const widget = docManager.findWidget(path);
      const context = widget ? docManager.contextForWidget(widget) : undefined;
      if (context) {
        const content = context.model.toJSON() as { cells?: ICellLike[] };
        cells = content.cells ?? [];
      } else {
        const model = await app.serviceManager.contents.get(path, {
          content: true,
          type: 'notebook'
        });
        cells = (model.content as { cells?: ICellLike[] })?.cells ?? [];
      }
      const source = findParametersSource(cells);
      return source === null
        ? { parameters: [], skipped: [] }
        : parseParametersSource(source);
    };

    commands.addCommand(CommandIDs.submitNotebook, {
      label: trans.__('Submit as Training Job'),
      caption: trans.__('Run this notebook as a LakeTahoe training job'),
      icon: laketahoeIcon,
      execute: async args => {
        const path = await resolvePath(args);
        if (!path) {
          return;
        }
        if (!(await saveFirst(path))) {
          return;
        }
        let parsed: IParametersParse;
        try {
          parsed = await readParameters(path);
        } catch (error) {
          Notification.error(
            trans.__('Could not read %1: %2', path, (error as Error).message)
          );
          return;
        }
        const form = new SubmitFormModel(path, parsed.parameters, settings);
        form.skippedParameterLines = parsed.skipped;
        form.schedule = new ScheduleOptions((cron, timeZone) =>
          lake.api.previewSchedule(cron, timeZone)
        );
        form.schedule.definitionId = definitionIdFor(path);
        // "New training job from this trial" passes the trial's values.
        if (args.parameters && typeof args.parameters === 'object') {
          form.applyValues(args.parameters as { [name: string]: JSONValue });
        }
        lake
          .getInfo()
          .then(info => {
            form.info = info;
          })
          .catch(() => undefined);
        lake.api
          .getKernels()
          .then(answer => {
            form.kernels = answer.kernels;
          })
          .catch(() => undefined);

        // The dialog reopens with the service's field errors until the job
        // is accepted or the user cancels.
        for (;;) {
          const result = await showDialog({
            title: trans.__('Submit as Training Job'),
            body: new SubmitForm(form, trans),
            buttons: [
              Dialog.cancelButton(),
              Dialog.okButton({ label: trans.__('Submit') })
            ],
            focusNodeSelector: '.jp-laketahoe-SubmitForm-jobId'
          });
          if (!result.button.accept) {
            return;
          }
          if (!form.isValid) {
            continue;
          }
          if (form.schedule?.enabled) {
            if (await saveDefinition(lake, form, commands, trans)) {
              return;
            }
            continue;
          }
          try {
            const job = await lake.api.submitJob(form.toRequest());
            lake.jobs.applyJob(job);
            const tuning = !!job.trainingInput?.hyperparameters;
            Notification.success(
              tuning
                ? trans.__('Submitted tuning job %1.', job.jobId)
                : trans.__('Submitted training job %1.', job.jobId),
              {
                autoClose: 5000
              }
            );
            void commands.execute(
              tuning ? CommandIDs.openTrials : CommandIDs.openJob,
              { jobId: job.jobId }
            );
            return;
          } catch (error) {
            const e =
              error instanceof LakeTahoeError
                ? error
                : new LakeTahoeError(0, 'unknown', String(error));
            const field =
              e.field ??
              (e.code === 'already_exists' ? FIELD.jobId : undefined);
            Notification.error(
              field
                ? trans.__('Submit failed (%1): %2', field, e.message)
                : trans.__('Submit failed: %1', e.message),
              { autoClose: 8000 }
            );
            if (!field && e.status >= 500) {
              return;
            }
            form.serverErrors = { [field ?? '']: e.message };
          }
        }
      }
    });

    palette?.addItem({
      command: CommandIDs.submitNotebook,
      category: trans.__('LakeTahoe')
    });
    launcher?.add({
      command: CommandIDs.submitNotebook,
      category: trans.__('LakeTahoe'),
      rank: 1,
      args: { origin: 'launcher' }
    });
  }
};

/** Settings with every value checked, falling back to defaults. */
function readSettings(composite: Record<string, unknown>): ISubmitSettings {
  const tier = composite.defaultScaleTier as ScaleTier;
  const priority = composite.defaultPriority as Priority;
  const limit = Number(composite.defaultMaxRunningTime);
  return {
    scaleTier: SCALE_TIERS.includes(tier)
      ? tier
      : DEFAULT_SUBMIT_DEFAULTS.scaleTier,
    priority: PRIORITIES.includes(priority)
      ? priority
      : DEFAULT_SUBMIT_DEFAULTS.priority,
    maxRunningTimeSeconds:
      Number.isInteger(limit) && limit >= 0
        ? limit
        : DEFAULT_SUBMIT_DEFAULTS.maxRunningTimeSeconds,
    imageUri:
      typeof composite.defaultImageUri === 'string'
        ? composite.defaultImageUri
        : '',
    includeFolder: composite.includeFolder === true,
    askBeforeSaving: composite.askBeforeSaving !== false
  };
}
