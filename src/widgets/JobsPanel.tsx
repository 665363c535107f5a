import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import React from 'react';

import { useNow, useSignals } from '../components/hooks';
import { activateOnKey, PanelHeader } from '../components/panel';
import { JobCellProgress } from '../components/progress';
import { StateBadge, StateFilter } from '../components/states';
import { elapsedMs, formatDuration } from '../components/time';
import { isHpoJob } from '../model/jobs';
import { IJobsModel } from '../tokens';
import { CommandIDs } from '../tokens';
import { IJob } from '../wire';
import { CANCELLABLE_STATES } from '../model/states';

/** Options of the jobs panel. */
export interface IJobsPanelOptions {
  /** The shared jobs model. */
  model: IJobsModel;
  /** Commands to submit, open and cancel jobs. */
  commands: CommandRegistry;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}

/** The left-area panel listing the user's training jobs. */
export class JobsPanel extends ReactWidget {
  /** Create the panel. */
  constructor(options: IJobsPanelOptions) {
    super();
    this._options = options;
    this.addClass('jp-laketahoe-JobsPanel');
  }

  /** Render the list. */
  protected render(): JSX.Element {
    return <JobsPanelView {...this._options} />;
  }

  private _options: IJobsPanelOptions;
}

/** The panel's content; re-renders on model signals. */
function JobsPanelView(props: IJobsPanelOptions): JSX.Element {
  const { model, commands, trans } = props;
  useSignals(
    model.changed,
    model.connectionChanged,
    model.client.reconnectingChanged
  );
  const jobs = model.filteredJobs;
  const now = useNow(model.hasActiveJobs);
  const connection = model.connection;

  return (
    <div className="jp-laketahoe-JobsPanel-content">
      <PanelHeader
        title={trans.__('Training Jobs')}
        refreshClassName="jp-laketahoe-JobsPanel-refresh"
        onRefresh={() => void commands.execute(CommandIDs.refreshJobs)}
        trans={trans}
      />
      <div className="jp-laketahoe-JobsPanel-toolbar">
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-laketahoe-JobsPanel-submit"
          onClick={() => void commands.execute(CommandIDs.submitNotebook)}
        >
          <addIcon.react tag="span" className="jp-laketahoe-buttonIcon" />
          {trans.__('Submit Notebook')}
        </button>
        {model.selected.size > 0 && (
          <button
            type="button"
            className="jp-mod-styled jp-mod-warn jp-laketahoe-JobsPanel-delete"
            onClick={() => void commands.execute(CommandIDs.deleteJobs)}
          >
            {trans.__('Delete (%1)', model.selected.size)}
          </button>
        )}
        {model.selected.size > 0 && (
          <button
            type="button"
            className="jp-mod-styled jp-laketahoe-JobsPanel-compare"
            disabled={!commands.isEnabled(CommandIDs.compareJobs)}
            title={trans.__('Compare 2 to 5 selected jobs side by side')}
            onClick={() => void commands.execute(CommandIDs.compareJobs)}
          >
            {trans.__('Compare (%1)', model.selected.size)}
          </button>
        )}
        <StateFilter
          className="jp-laketahoe-JobsPanel-filter"
          value={model.filter}
          onChange={value => {
            model.filter = value;
          }}
          trans={trans}
        />
      </div>
      <JobSearchBox model={model} trans={trans} />
      {(connection === 'waiting' || model.client.reconnecting) && (
        <div className="jp-laketahoe-JobsPanel-connection" role="status">
          {trans.__('Connection to the LakeTahoe service lost; reconnecting…')}
          <button
            type="button"
            className="jp-mod-styled jp-laketahoe-linkButton"
            onClick={() => model.reconnect()}
          >
            {trans.__('Retry now')}
          </button>
        </div>
      )}
      {model.error && (
        <div className="jp-laketahoe-JobsPanel-error" role="alert">
          {model.error.message}
        </div>
      )}
      {jobs.length === 0 ? (
        <p className="jp-laketahoe-empty jp-laketahoe-JobList-empty">
          {model.loading
            ? trans.__('Loading jobs…')
            : model.search.text || model.search.label
              ? trans.__('No jobs match the search.')
              : model.filter === 'ALL'
                ? trans.__('No jobs yet. Submit a notebook to start one.')
                : trans.__('No jobs in this state.')}
        </p>
      ) : (
        <ul
          className="jp-laketahoe-JobList"
          aria-label={trans.__('Training jobs')}
        >
          {jobs.map(job => (
            <JobItem
              key={job.jobId}
              job={job}
              selected={model.selected.has(job.jobId)}
              onSelect={value => model.setSelected(job.jobId, value)}
              now={now}
              commands={commands}
              trans={trans}
            />
          ))}
        </ul>
      )}
    </div>
  );
}

/** The search box (id or notebook) and the label filter (`key` or `key=value`). */
function JobSearchBox(props: {
  model: IJobsModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  const { text, label } = model.search;
  return (
    <div className="jp-laketahoe-JobsPanel-search" role="search">
      <input
        type="search"
        className="jp-mod-styled jp-laketahoe-JobsPanel-searchText"
        placeholder={trans.__('Search id or notebook')}
        aria-label={trans.__('Search jobs by id or notebook')}
        value={text}
        onChange={e => {
          model.search = { text: e.target.value, label };
        }}
      />
      <input
        type="search"
        className="jp-mod-styled jp-laketahoe-JobsPanel-searchLabel"
        placeholder={trans.__('label or label=value')}
        aria-label={trans.__('Filter jobs by label')}
        value={label}
        onChange={e => {
          model.search = { text, label: e.target.value };
        }}
      />
    </div>
  );
}

/** One row of the list; Enter or a click opens the job, its checkbox (Space) selects it. */
function JobItem(props: {
  job: IJob;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  now: number;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, selected, onSelect, now, commands, trans } = props;
  const open = () =>
    void commands.execute(CommandIDs.openJob, { jobId: job.jobId });
  const notebook =
    job.trainingInput?.notebook?.path ?? job.trainingInput?.pythonModule ?? '';
  const elapsed = elapsedMs(job.startTime, job.endTime, now);
  const output = job.trainingOutput ?? {};
  return (
    <li
      className="jp-laketahoe-JobList-item"
      data-job-id={job.jobId}
      data-state={job.state}
      tabIndex={0}
      title={trans.__('Open job %1', job.jobId)}
      onClick={open}
      onKeyDown={activateOnKey(open)}
    >
      <div className="jp-laketahoe-JobList-row">
        <input
          type="checkbox"
          className="jp-laketahoe-JobList-select"
          checked={selected}
          aria-label={trans.__('Select job %1', job.jobId)}
          onChange={e => onSelect(e.target.checked)}
          onClick={e => e.stopPropagation()}
          onKeyDown={e => e.stopPropagation()}
        />
        <span className="jp-laketahoe-JobList-id">{job.jobId}</span>
        <StateBadge state={job.state} trans={trans} />
      </div>
      <div className="jp-laketahoe-JobList-row">
        <span className="jp-laketahoe-JobList-notebook" title={notebook}>
          {notebook.split('/').pop()}
        </span>
        <span className="jp-laketahoe-JobList-elapsed">
          {elapsed === null ? '' : formatDuration(elapsed)}
        </span>
      </div>
      <JobCellProgress job={job} trans={trans} />
      {isHpoJob(job) && (
        <button
          type="button"
          className="jp-mod-styled jp-laketahoe-linkButton jp-laketahoe-JobList-trials"
          onClick={e => {
            e.stopPropagation();
            void commands.execute(CommandIDs.openTrials, { jobId: job.jobId });
          }}
          onKeyDown={e => e.stopPropagation()}
        >
          {output.trialCounts
            ? trans.__(
                'Trials (%1)',
                Object.values(output.trialCounts).reduce((a, b) => a + b, 0)
              )
            : trans.__('Trials')}
        </button>
      )}
      {CANCELLABLE_STATES.has(job.state) && (
        <button
          type="button"
          className="jp-mod-styled jp-laketahoe-linkButton jp-laketahoe-JobList-cancel"
          onClick={e => {
            e.stopPropagation();
            void commands.execute(CommandIDs.cancelJob, { jobId: job.jobId });
          }}
          onKeyDown={e => e.stopPropagation()}
        >
          {trans.__('Cancel')}
        </button>
      )}
    </li>
  );
}
