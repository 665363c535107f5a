import { ReactWidget } from '@jupyterlab/apputils';
import { BoxPanel, SplitPanel } from '@lumino/widgets';
import React from 'react';

import { useNow, useThrottledSignal } from '../components/hooks';
import { StateBadge, StateFilter } from '../components/states';
import { elapsedMs, formatDuration } from '../components/time';
import { Throttle } from '../components/throttle';
import { bestTrials } from '../model/challengers';
import { TrialsModel } from '../model/trials';
import { objectiveOf } from '../model/trialTable';
import { JOB_STATES } from '../wire';
import { CANCELLABLE_STATES, TERMINAL_STATES } from '../model/states';
import { formatValue, TrialsGrid } from './TrialsGrid';
import { ITrialsViewOptions } from './trials/options';
import { TrialDetail } from './trials/TrialDetail';
import { TrialsPlots } from './trials/TrialsPlots';

/**
 * The trials browser of one HPO job: a summary bar, the virtualized grid
 * beside the selected trial (logs and actions), and the plots below.
 */
export class TrialsView extends BoxPanel {
  /** Create the view. */
  constructor(options: ITrialsViewOptions) {
    super({ direction: 'top-to-bottom', spacing: 0 });
    const { model, trans } = options;
    this.model = model;
    this.addClass('jp-laketahoe-Trials');
    this.node.dataset.jobId = model.jobId;

    const header = ReactWidget.create(<TrialsHeader {...options} />);
    header.addClass('jp-laketahoe-Trials-header');
    BoxPanel.setStretch(header, 0);

    this.grid = new TrialsGrid(model, trans);
    const detail = ReactWidget.create(<TrialDetail {...options} />);
    detail.addClass('jp-laketahoe-TrialDetail-host');
    const plots = ReactWidget.create(<TrialsPlots {...options} />);
    plots.addClass('jp-laketahoe-TrialsPlots-host');

    const top = new SplitPanel({ orientation: 'horizontal', spacing: 4 });
    top.addWidget(this.grid);
    top.addWidget(detail);
    top.setRelativeSizes([3, 2]);
    const body = new SplitPanel({ orientation: 'vertical', spacing: 4 });
    body.addClass('jp-laketahoe-Trials-body');
    body.addWidget(top);
    body.addWidget(plots);
    body.setRelativeSizes([1, 1]);
    BoxPanel.setStretch(body, 1);

    this.addWidget(header);
    this.addWidget(body);
    this._counts = new Throttle(() => this._syncCounts(), 250);
    model.changed.connect(() => this._counts.invoke(), this);
    this._syncCounts();
  }

  /** The trials model. */
  readonly model: TrialsModel;

  /** The grid. */
  readonly grid: TrialsGrid;

  /** Stop redrawing. */
  dispose(): void {
    this._counts.dispose();
    super.dispose();
  }

  /** Counts as data attributes, for tests and styling. */
  private _syncCounts(): void {
    const counts = this.model.counts;
    const finished = [...TERMINAL_STATES].reduce(
      (n, state) => n + (counts[state] ?? 0),
      0
    );
    this.node.dataset.trialCount = String(this.model.trials.length);
    this.node.dataset.finishedCount = String(finished);
    this.node.dataset.bestTrial = this.model.bestTrial?.trialId ?? '';
  }

  private _counts: Throttle;
}

/** Title, job state, counts, best trial, filter and job actions. */
function TrialsHeader(props: ITrialsViewOptions): JSX.Element {
  const { model, actions, trans } = props;
  useThrottledSignal(model.changed, 250);
  const job = model.job;
  const now = useNow(!!job && !TERMINAL_STATES.has(job.state));
  const best = model.bestTrial;
  const counts = model.counts;
  const spec = job?.trainingInput?.hyperparameters;
  const elapsed = job ? elapsedMs(job.startTime, job.endTime, now) : null;
  return (
    <div className="jp-laketahoe-Trials-headerContent">
      <div className="jp-laketahoe-Trials-heading">
        <h1 className="jp-laketahoe-Trials-title">
          {trans.__('Trials of %1', model.jobId)}
        </h1>
        {job && <StateBadge state={job.state} trans={trans} />}
        {elapsed !== null && (
          <span className="jp-laketahoe-Trials-elapsed">
            {formatDuration(elapsed)}
          </span>
        )}
        <span className="jp-laketahoe-Trials-summary">
          {trans.__(
            '%1 of %2 trials ended',
            JOB_STATES.filter(s => TERMINAL_STATES.has(s)).reduce(
              (n, s) => n + (counts[s] ?? 0),
              0
            ),
            spec?.maxTrials ?? model.trials.length
          )}
          {counts.RUNNING ? ` · ${trans.__('%1 running', counts.RUNNING)}` : ''}
          {counts.FAILED ? ` · ${trans.__('%1 failed', counts.FAILED)}` : ''}
        </span>
        {best && (
          <span
            className="jp-laketahoe-Trials-best"
            data-trial-id={best.trialId}
          >
            {trans.__(
              'Best: trial %1, %2 = %3 (%4)',
              best.trialId,
              model.metricTag,
              formatValue(objectiveOf(best)),
              model.goal === 'MINIMIZE'
                ? trans.__('minimize')
                : trans.__('maximize')
            )}
            {actions.deployTrial && best.state === 'SUCCEEDED' && (
              <button
                type="button"
                className="jp-mod-styled jp-mod-accept jp-laketahoe-Trials-deployBest"
                onClick={() => actions.deployTrial?.(model.jobId, best.trialId)}
              >
                {trans.__('Deploy')}
              </button>
            )}
            {actions.deployChallengers && best.state === 'SUCCEEDED' && (
              <button
                type="button"
                className="jp-mod-styled jp-laketahoe-Trials-deployChallengers"
                title={trans.__(
                  'Serve the best trials beside the current champion of a deployment'
                )}
                onClick={() =>
                  actions.deployChallengers?.(
                    model.jobId,
                    bestTrials(model.trials, model.goal).map(t => t.trialId)
                  )
                }
              >
                {trans.__('Deploy as challengers')}
              </button>
            )}
          </span>
        )}
      </div>
      <div className="jp-laketahoe-Trials-toolbar">
        <StateFilter
          className="jp-laketahoe-Trials-filter"
          value={model.filter}
          onChange={value => {
            model.filter = value;
          }}
          trans={trans}
        />
        <button
          type="button"
          className="jp-mod-styled jp-laketahoe-Trials-export"
          disabled={model.trials.length === 0}
          onClick={() => actions.exportCsv(model)}
        >
          {trans.__('Export CSV')}
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-laketahoe-Trials-openJob"
          onClick={() => actions.openJob(model.jobId)}
        >
          {trans.__('Job Details')}
        </button>
        {job && CANCELLABLE_STATES.has(job.state) && (
          <>
            <button
              type="button"
              className="jp-mod-styled jp-laketahoe-Trials-stop"
              title={trans.__('Start no new trials; running trials finish.')}
              onClick={() => actions.stop(model.jobId)}
            >
              {trans.__('Stop')}
            </button>
            <button
              type="button"
              className="jp-mod-styled jp-mod-warn jp-laketahoe-Trials-cancel"
              onClick={() => actions.cancel(model.jobId)}
            >
              {trans.__('Cancel Job')}
            </button>
          </>
        )}
        {model.loading && (
          <span className="jp-laketahoe-empty">{trans.__('Loading…')}</span>
        )}
      </div>
      {model.error && (
        <div className="jp-laketahoe-error" role="alert">
          {model.error.message}
        </div>
      )}
    </div>
  );
}
