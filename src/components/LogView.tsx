import { TranslationBundle } from '@jupyterlab/translation';
import React, { useLayoutEffect, useRef } from 'react';

import { StreamStatus } from '../tokens';
import { ILogLine } from '../wire';

/** Properties of a {@link LogView}. */
export interface ILogViewProps {
  /** Lines kept by the log's model, oldest first. */
  lines: readonly ILogLine[];
  /** Status of the log's stream. */
  status: StreamStatus;
  /** Most lines put in the DOM; the model may keep more. */
  maxRendered: number;
  /**
   * Lines the model already dropped. When given, a notice counts the
   * earlier lines not shown; without it no notice is shown.
   */
  dropped?: number;
  /** Accessible name of the scrolling line list. */
  label: string;
  /** Extra class names of the outer element. */
  className?: string;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}

/**
 * A streamed log, kept scrolled to the end unless the user scrolled up,
 * with a line saying whether more is coming.
 */
export function LogView(props: ILogViewProps): JSX.Element {
  const { lines, status, maxRendered, dropped, label, className, trans } =
    props;
  const pre = useRef<HTMLPreElement>(null);
  // Follow new lines only while the user is at (or near) the bottom.
  const stick = useRef(true);
  const shown = lines.slice(-maxRendered);
  const hidden =
    dropped === undefined ? 0 : dropped + lines.length - shown.length;

  useLayoutEffect(() => {
    if (stick.current && pre.current) {
      pre.current.scrollTop = pre.current.scrollHeight;
    }
  });

  return (
    <div
      className={
        className ? `jp-laketahoe-LogView ${className}` : 'jp-laketahoe-LogView'
      }
    >
      {hidden > 0 && (
        <p className="jp-laketahoe-LogView-truncated">
          {trans.__('%1 earlier lines are not shown.', hidden)}
        </p>
      )}
      <pre
        className="jp-laketahoe-LogView-lines"
        ref={pre}
        tabIndex={0}
        aria-label={label}
        onScroll={e => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {shown.map(line => (
          <div
            key={line.seq}
            className={`jp-laketahoe-LogView-line jp-laketahoe-LogView-${line.stream}`}
          >
            {line.text}
          </div>
        ))}
      </pre>
      <p className="jp-laketahoe-LogView-status">
        {status === 'open'
          ? trans.__('Streaming')
          : status === 'connecting'
            ? trans.__('Connecting…')
            : status === 'waiting'
              ? trans.__('Reconnecting…')
              : lines.length === 0
                ? trans.__('No log output.')
                : trans.__('End of log.')}
      </p>
    </div>
  );
}
