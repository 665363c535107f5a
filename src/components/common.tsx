import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import { ISignal } from '@lumino/signaling';
import React, { useEffect, useState } from 'react';

import { IJob, JOB_STATES, JobState } from '../wire';

/** Re-render whenever any of the signals fires. */
export function useSignals(...signals: ISignal<any, any>[]): void {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion(v => v + 1);
    signals.forEach(signal => signal.connect(bump));
    return () => {
      signals.forEach(signal => signal.disconnect(bump));
    };
    // The signal objects are stable for a model's lifetime.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, signals);
}

/** The current time, updated every second while `active`. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) {
      return;
    }
    // A display clock only; no network traffic depends on it.
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return active ? now : Date.now();
}

/** "1:02:03" / "2:03" for a duration in milliseconds. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** Elapsed time of a job: start to end, or to now while it runs. */
export function elapsedMs(
  startTime: string | null,
  endTime: string | null,
  now: number
): number | null {
  if (!startTime) {
    return null;
  }
  const start = Date.parse(startTime);
  const end = endTime ? Date.parse(endTime) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? null : end - start;
}

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

/** The error of a failed load, or "Loading…" while there is none. */
export function LoadingOrError(props: {
  error: Error | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { error, trans } = props;
  return error ? (
    <div className="jp-laketahoe-error" role="alert">
      {error.message}
    </div>
  ) : (
    <p className="jp-laketahoe-empty">{trans.__('Loading…')}</p>
  );
}

/** A progress bar over executed cells. */
export function CellProgress(props: {
  completed?: number;
  total?: number;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { completed = 0, total = 0, trans } = props;
  if (!total) {
    return null;
  }
  const done = Math.min(completed, total);
  const label = trans.__('%1 of %2 cells', done, total);
  return (
    <div
      className="jp-laketahoe-Progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      aria-label={label}
      title={label}
    >
      <div
        className="jp-laketahoe-Progress-bar"
        style={{ width: `${(100 * done) / total}%` }}
      />
    </div>
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

/** The progress bar of a job's executed cells (nothing when unknown). */
export function JobCellProgress(props: {
  job: IJob;
  trans: TranslationBundle;
}): JSX.Element | null {
  const output = props.job.trainingOutput ?? {};
  return (
    <CellProgress
      completed={output.completedCells}
      total={output.totalCells}
      trans={props.trans}
    />
  );
}

/** A sidebar panel's title with its refresh button. */
export function PanelHeader(props: {
  title: string;
  /** Class name of the refresh button (a UI test hook). */
  refreshClassName: string;
  onRefresh: () => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { title, refreshClassName, onRefresh, trans } = props;
  return (
    <header className="jp-laketahoe-JobsPanel-header">
      <h2 className="jp-laketahoe-JobsPanel-title">{title}</h2>
      <button
        type="button"
        className={`jp-laketahoe-iconButton ${refreshClassName}`}
        title={trans.__('Refresh')}
        aria-label={trans.__('Refresh')}
        onClick={onRefresh}
      >
        <refreshIcon.react tag="span" />
      </button>
    </header>
  );
}

/** A key handler that opens on Enter or Space when the row itself has focus. */
export function activateOnKey(open: () => void) {
  return (e: React.KeyboardEvent): void => {
    if (e.target === e.currentTarget && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      open();
    }
  };
}
