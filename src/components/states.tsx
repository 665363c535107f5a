/** Job and deployment states: labels, colored badges, timelines and the state filter. */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { JOB_STATES, JobState } from '../wire';

/** Translated, human label of a state. */
export function stateLabel(state: JobState, trans: TranslationBundle): string {
  switch (state) {
    case 'QUEUED':
      return trans.__('Queued');
    case 'PREPARING':
      return trans.__('Preparing');
    case 'RUNNING':
      return trans.__('Running');
    case 'SUCCEEDED':
      return trans.__('Succeeded');
    case 'FAILED':
      return trans.__('Failed');
    case 'CANCELLING':
      return trans.__('Cancelling');
    case 'CANCELLED':
      return trans.__('Cancelled');
    default:
      return state;
  }
}

/** A badge colored by its state (job and deployment states share the colors). */
export function ColoredStateBadge(props: {
  state: string;
  label: string;
}): JSX.Element {
  const { state, label } = props;
  return (
    <span
      className={`jp-laketahoe-StateBadge jp-laketahoe-StateBadge-${state.toLowerCase()}`}
      data-state={state}
    >
      {label}
    </span>
  );
}

/** A colored badge for a job state. */
export function StateBadge(props: {
  state: JobState;
  trans: TranslationBundle;
}): JSX.Element {
  const { state, trans } = props;
  return <ColoredStateBadge state={state} label={stateLabel(state, trans)} />;
}

/** One entry of a state history. */
export interface IStateHistoryEntry<S extends string> {
  state: S;
  time: string;
  reason?: string | null;
}

/** A state history as a list of badges with their times and reasons. */
export function StateTimeline<S extends string>(props: {
  history: readonly IStateHistoryEntry<S>[] | undefined;
  /** The badge of one state. */
  badge: (state: S) => JSX.Element;
}): JSX.Element {
  const { history, badge } = props;
  return (
    <ol className="jp-laketahoe-Timeline">
      {(history ?? []).map((entry, i) => (
        <li
          key={i}
          className="jp-laketahoe-Timeline-entry"
          data-state={entry.state}
        >
          {badge(entry.state)}
          <time dateTime={entry.time}>
            {new Date(entry.time).toLocaleString()}
          </time>
          {entry.reason && (
            <span className="jp-laketahoe-Timeline-reason">{entry.reason}</span>
          )}
        </li>
      ))}
    </ol>
  );
}

/** A select of "all states" or one job state, for filtering lists. */
export function StateFilter(props: {
  /** Class name of the label around the select (a UI test hook). */
  className: string;
  /** The selected filter. */
  value: JobState | 'ALL';
  /** Called with the newly selected filter. */
  onChange: (value: JobState | 'ALL') => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { className, value, onChange, trans } = props;
  return (
    <label className={className}>
      <span className="jp-laketahoe-visuallyHidden">
        {trans.__('Filter by state')}
      </span>
      <select
        className="jp-mod-styled"
        value={value}
        onChange={e => onChange(e.target.value as JobState | 'ALL')}
      >
        <option value="ALL">{trans.__('All states')}</option>
        {JOB_STATES.map(state => (
          <option key={state} value={state}>
            {stateLabel(state, trans)}
          </option>
        ))}
      </select>
    </label>
  );
}
