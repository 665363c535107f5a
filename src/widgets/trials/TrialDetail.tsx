/** The selected trial of the trials browser: its values, actions and streamed log. */
import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useState } from 'react';

import { useSignals, useThrottledSignal } from '../../components/hooks';
import { StateBadge } from '../../components/states';
import { LogView } from '../../components/LogView';
import { TrialLogModel } from '../../model/trialLog';
import { objectiveOf, stepsOf } from '../../model/trialTable';
import { formatValue } from '../TrialsGrid';
import { ITrialsViewOptions } from './options';

/** The selected trial: values, actions and its streamed log. */
export function TrialDetail(props: ITrialsViewOptions): JSX.Element {
  const { model, actions, trans } = props;
  useThrottledSignal(model.changed, 250);
  const trial = model.selected;
  const [log, setLog] = useState<TrialLogModel | null>(null);
  const selectedId = model.selectedId;
  useEffect(() => {
    if (!selectedId) {
      setLog(null);
      return;
    }
    const next = new TrialLogModel(model.client, model.jobId, selectedId);
    next.start();
    setLog(next);
    return () => next.dispose();
  }, [model, selectedId]);

  if (!trial) {
    return (
      <div className="jp-laketahoe-TrialDetail jp-laketahoe-empty">
        {model.trials.length === 0
          ? model.loading
            ? trans.__('Loading trials…')
            : trans.__('No trials yet.')
          : trans.__('Select a trial to see its values and log.')}
      </div>
    );
  }
  const best = model.bestTrial?.trialId === trial.trialId;
  return (
    <div
      className="jp-laketahoe-TrialDetail"
      data-trial-id={trial.trialId}
      data-state={trial.state}
    >
      <div className="jp-laketahoe-TrialDetail-heading">
        <h2>{trans.__('Trial %1', trial.trialId)}</h2>
        <StateBadge state={trial.state} trans={trans} />
        {best && (
          <span className="jp-laketahoe-TrialDetail-bestBadge">
            {trans.__('best')}
          </span>
        )}
        {trial.isTrialStoppedEarly && (
          <span className="jp-laketahoe-TrialDetail-stopped">
            {trans.__('stopped early')}
          </span>
        )}
      </div>
      <dl className="jp-laketahoe-JobSpec-fields">
        <dt>{model.metricTag || trans.__('Objective')}</dt>
        <dd>{formatValue(objectiveOf(trial)) || '—'}</dd>
        <dt>{trans.__('Steps')}</dt>
        <dd>{formatValue(stepsOf(trial)) || '—'}</dd>
        {Object.entries(trial.hyperparameters ?? {}).map(([name, value]) => (
          <React.Fragment key={name}>
            <dt>{name}</dt>
            <dd>{formatValue(value)}</dd>
          </React.Fragment>
        ))}
      </dl>
      {trial.errorMessage && (
        <pre className="jp-laketahoe-JobDetail-errorMessage">
          {trial.errorMessage}
        </pre>
      )}
      <div className="jp-laketahoe-TrialDetail-actions">
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-laketahoe-TrialDetail-openNotebook"
          disabled={!trial.outputNotebook}
          onClick={() =>
            trial.outputNotebook && actions.openNotebook(trial.outputNotebook)
          }
        >
          {trans.__('Open Output Notebook')}
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-laketahoe-TrialDetail-newJob"
          onClick={() => actions.newJobFromTrial(trial)}
        >
          {trans.__('New Training Job from This Trial')}
        </button>
      </div>
      {log && <TrialLog log={log} trans={trans} />}
    </div>
  );
}

/** Most lines of a trial's log put in the DOM; the model keeps more. */
const MAX_RENDERED_TRIAL_LOG_LINES = 1000;

/** A trial's live log. */
function TrialLog(props: {
  log: TrialLogModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { log, trans } = props;
  useSignals(log.changed);
  return (
    <LogView
      className="jp-laketahoe-TrialLog"
      lines={log.lines}
      status={log.status}
      maxRendered={MAX_RENDERED_TRIAL_LOG_LINES}
      label={trans.__('Trial log')}
      trans={trans}
    />
  );
}
