/** Progress of a notebook run over its cells. */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { IJob } from '../wire';

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
