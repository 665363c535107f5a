/** Pieces of every panel: its header, loading and error text, keyboard activation. */
import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon } from '@jupyterlab/ui-components';
import React from 'react';

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
