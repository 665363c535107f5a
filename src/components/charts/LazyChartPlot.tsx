import { TranslationBundle } from '@jupyterlab/translation';
import React, { RefObject } from 'react';

/**
 * The element a lazily loaded chart draws into,
 * or a note when its code could not be loaded (see `useLazyChart`).
 */
export function LazyChartPlot(props: {
  host: RefObject<HTMLDivElement>;
  failed: boolean;
  /** Class name of the plot element. */
  className: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { host, failed, className, trans } = props;
  return failed ? (
    <p className="jp-laketahoe-empty">
      {trans.__('The chart could not be loaded.')}
    </p>
  ) : (
    <div className={className} ref={host} />
  );
}
