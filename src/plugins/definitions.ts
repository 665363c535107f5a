import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  InputDialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { laketahoeIcon } from '../icons';
import { DefinitionsModel } from '../model/definitions';
import { CommandIDs, ILakeTahoe } from '../tokens';
import { DefinitionsPanel } from '../widgets/DefinitionsPanel';

/** Least time between reloads caused by job changes. */
const JOB_CHANGE_RELOAD_MS = 2000;

/**
 * Job definitions in the left area: saved job specs with their schedule,
 * next run, pause/resume, run now, edit, delete and run history.
 */
export const definitionsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'laketahoe:definitions',
  description:
    'Lists job definitions and their schedules in the left sidebar: run now, pause, resume, edit, delete and run history.',
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
    const model = new DefinitionsModel(lake.api);
    const panel = new DefinitionsPanel({ model, commands, trans });
    panel.id = 'laketahoe-definitions';
    panel.title.icon = laketahoeIcon;
    panel.title.caption = trans.__('LakeTahoe Job Definitions');
    shell.add(panel, 'left', { rank: 601 });
    restorer?.add(panel, 'laketahoe-definitions');
    // The panel loads when shown, not during activation. A job change may be a run the schedule started
    // or a run's new state: reload then, at most once per JOB_CHANGE_RELOAD_MS (jobs change often).
    let reload: ReturnType<typeof setTimeout> | undefined;
    lake.jobs.changed.connect(() => {
      if (panel.isVisible && reload === undefined) {
        reload = setTimeout(() => {
          reload = undefined;
          void model.refresh();
        }, JOB_CHANGE_RELOAD_MS);
      }
    });

    /** Runs an action, reporting its failure as a notification. */
    const act = async (what: string, action: () => Promise<void>) => {
      try {
        await action();
      } catch (error) {
        Notification.error(
          trans.__('%1 failed: %2', what, (error as Error).message),
          { autoClose: 8000 }
        );
      }
    };
    const idOf = (args: { [key: string]: unknown }) =>
      String(args.definitionId ?? '');

    commands.addCommand(CommandIDs.showDefinitions, {
      label: trans.__('Show Job Definitions'),
      caption: trans.__('Show saved job definitions and their schedules'),
      icon: laketahoeIcon,
      execute: async () => {
        shell.activateById(panel.id);
        await model.refresh();
      }
    });
    commands.addCommand(CommandIDs.refreshDefinitions, {
      label: trans.__('Refresh Job Definitions'),
      execute: () => model.refresh()
    });
    commands.addCommand(CommandIDs.runDefinition, {
      label: trans.__('Run Job Definition Now'),
      execute: args =>
        act(trans.__('Run now'), async () => {
          const job = await model.runNow(idOf(args));
          Notification.success(trans.__('Submitted job %1.', job.jobId), {
            autoClose: 5000
          });
          lake.jobs.applyJob(job);
        })
    });
    commands.addCommand(CommandIDs.pauseDefinition, {
      label: args =>
        args.paused === false
          ? trans.__('Resume Job Definition')
          : trans.__('Pause Job Definition'),
      execute: args =>
        act(trans.__('Pause'), () =>
          model.setPaused(idOf(args), args.paused !== false)
        )
    });
    commands.addCommand(CommandIDs.editDefinition, {
      label: trans.__('Edit Job Definition Schedule'),
      execute: args =>
        act(trans.__('Edit'), async () => {
          const definition = model.definitions.find(
            d => d.definitionId === idOf(args)
          );
          if (!definition) {
            return;
          }
          const cron = await InputDialog.getText({
            title: trans.__(
              'Schedule of %1 (cron, five fields; empty for none)',
              definition.definitionId
            ),
            text: definition.schedule?.cron ?? '0 6 * * *'
          });
          if (!cron.button.accept) {
            return;
          }
          const timeZone = await InputDialog.getText({
            title: trans.__('Time zone of the schedule (IANA)'),
            text: definition.schedule?.timeZone ?? 'UTC'
          });
          if (!timeZone.button.accept) {
            return;
          }
          const text = (cron.value ?? '').trim();
          await lake.api.replaceDefinition(definition.definitionId, {
            trainingInput: definition.trainingInput as never,
            labels: definition.labels,
            paused: definition.paused,
            missedRuns: definition.missedRuns,
            ...(definition.retention
              ? { retention: definition.retention }
              : {}),
            ...(text
              ? {
                  schedule: {
                    cron: text,
                    timeZone: (timeZone.value ?? 'UTC').trim() || 'UTC'
                  }
                }
              : {})
          });
          await model.refresh();
        })
    });
    commands.addCommand(CommandIDs.deleteDefinition, {
      label: trans.__('Delete Job Definition'),
      execute: async args => {
        const id = idOf(args);
        const result = await showDialog({
          title: trans.__('Delete definition %1?', id),
          body: trans.__(
            'Its schedule and run history go; the jobs it ran are kept.'
          ),
          buttons: [
            Dialog.cancelButton(),
            Dialog.warnButton({ label: trans.__('Delete') })
          ]
        });
        if (result.button.accept) {
          await act(trans.__('Delete'), () => model.remove(id));
        }
      }
    });

    for (const command of [
      CommandIDs.showDefinitions,
      CommandIDs.refreshDefinitions
    ]) {
      palette?.addItem({ command, category: trans.__('LakeTahoe') });
    }
  }
};
