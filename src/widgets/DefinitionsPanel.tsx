import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import React from 'react';

import { useSignals } from '../components/hooks';
import { activateOnKey, PanelHeader } from '../components/panel';
import { DefinitionsModel, scheduleText } from '../model/definitions';
import { CommandIDs } from '../tokens';
import { IDefinition, IDefinitionRun } from '../wire';

/** Options of the definitions panel. */
export interface IDefinitionsPanelOptions {
  /** The caller's definitions. */
  model: DefinitionsModel;
  /** Commands to run, pause, edit and delete definitions and open jobs. */
  commands: CommandRegistry;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}

/** The left-area panel listing job definitions, their next runs and history. */
export class DefinitionsPanel extends ReactWidget {
  /** Create the panel. */
  constructor(private readonly options: IDefinitionsPanelOptions) {
    super();
    this.addClass('jp-laketahoe-DefinitionsPanel');
  }

  /** Render the list. */
  protected render(): JSX.Element {
    return <DefinitionsView {...this.options} />;
  }

  /** Load the definitions whenever the panel is shown. */
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.options.model.refresh();
  }
}

function DefinitionsView(props: IDefinitionsPanelOptions): JSX.Element {
  const { model, commands, trans } = props;
  useSignals(model.changed);
  return (
    <div className="jp-laketahoe-JobsPanel-content">
      <PanelHeader
        title={trans.__('Job Definitions')}
        refreshClassName="jp-laketahoe-DefinitionsPanel-refresh"
        onRefresh={() => void commands.execute(CommandIDs.refreshDefinitions)}
        trans={trans}
      />
      {model.error && (
        <div className="jp-laketahoe-JobsPanel-error" role="alert">
          {model.error}
        </div>
      )}
      {model.definitions.length === 0 ? (
        <p className="jp-laketahoe-empty">
          {trans.__(
            'No definitions yet. Submit a notebook with "Run on a schedule" to save one.'
          )}
        </p>
      ) : (
        <ul
          className="jp-laketahoe-DefinitionList"
          aria-label={trans.__('Job definitions')}
        >
          {model.definitions.map(d => (
            <DefinitionItem key={d.definitionId} definition={d} {...props} />
          ))}
        </ul>
      )}
    </div>
  );
}

function DefinitionItem(
  props: IDefinitionsPanelOptions & { definition: IDefinition }
): JSX.Element {
  const { definition: d, model, commands, trans } = props;
  const id = d.definitionId;
  const next = d.nextRunTimes[0];
  const runs = model.runsOf(id);
  const button = (label: string, className: string, run: () => void) => (
    <button
      type="button"
      className={`jp-mod-styled jp-laketahoe-linkButton ${className}`}
      onClick={run}
    >
      {label}
    </button>
  );
  return (
    <li className="jp-laketahoe-DefinitionItem" data-definition-id={id}>
      <div
        className="jp-laketahoe-DefinitionItem-summary"
        tabIndex={0}
        role="button"
        aria-expanded={runs !== undefined}
        onClick={() => void model.toggleRuns(id)}
        onKeyDown={activateOnKey(() => void model.toggleRuns(id))}
      >
        <span className="jp-laketahoe-DefinitionItem-id">{id}</span>
        <span className="jp-laketahoe-DefinitionItem-schedule">
          {d.paused
            ? trans.__('paused')
            : d.schedule
              ? scheduleText(d)
              : trans.__('on demand')}
        </span>
        {next && (
          <span className="jp-laketahoe-DefinitionItem-next">
            {trans.__('next %1', new Date(next).toLocaleString())}
          </span>
        )}
      </div>
      <div className="jp-laketahoe-DefinitionItem-actions">
        {button(
          trans.__('Run now'),
          'jp-laketahoe-DefinitionItem-run',
          () =>
            void commands.execute(CommandIDs.runDefinition, {
              definitionId: id
            })
        )}
        {d.schedule &&
          button(
            d.paused ? trans.__('Resume') : trans.__('Pause'),
            'jp-laketahoe-DefinitionItem-pause',
            () =>
              void commands.execute(CommandIDs.pauseDefinition, {
                definitionId: id,
                paused: !d.paused
              })
          )}
        {button(
          trans.__('Edit'),
          'jp-laketahoe-DefinitionItem-edit',
          () =>
            void commands.execute(CommandIDs.editDefinition, {
              definitionId: id
            })
        )}
        {button(
          trans.__('Delete'),
          'jp-laketahoe-DefinitionItem-delete',
          () =>
            void commands.execute(CommandIDs.deleteDefinition, {
              definitionId: id
            })
        )}
      </div>
      {runs && <RunHistory runs={runs} {...props} />}
    </li>
  );
}

function RunHistory(
  props: IDefinitionsPanelOptions & { runs: readonly IDefinitionRun[] }
): JSX.Element {
  const { runs, commands, trans } = props;
  if (runs.length === 0) {
    return <p className="jp-laketahoe-empty">{trans.__('No runs yet.')}</p>;
  }
  return (
    <ul
      className="jp-laketahoe-DefinitionRuns"
      aria-label={trans.__('Run history')}
    >
      {runs.map(run => (
        <li
          key={`${run.scheduledTime}-${run.jobId ?? ''}`}
          className="jp-laketahoe-DefinitionRun"
          title={run.message}
        >
          <span>{new Date(run.scheduledTime).toLocaleString()}</span>
          <span className="jp-laketahoe-DefinitionRun-outcome">
            {run.trigger === 'MANUAL'
              ? trans.__('run now')
              : run.trigger.toLowerCase()}
            {' · '}
            {run.outcome.toLowerCase()}
          </span>
          {run.jobId && run.jobState ? (
            <button
              type="button"
              className="jp-mod-styled jp-laketahoe-linkButton jp-laketahoe-DefinitionRun-job"
              onClick={() =>
                void commands.execute(CommandIDs.openJob, { jobId: run.jobId })
              }
            >
              {run.jobId} ({run.jobState.toLowerCase()})
            </button>
          ) : (
            <span>{run.jobId ?? ''}</span>
          )}
        </li>
      ))}
    </ul>
  );
}
