import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { BoxPanel, SplitPanel } from '@lumino/widgets';
import React, { useEffect, useRef, useState } from 'react';

import {
  elapsedMs,
  formatDuration,
  StateBadge,
  StateFilter,
  useNow,
  useSignals
} from '../components/common';
import type { IHpoPlot, IPlotData } from '../components/hpoCharts';
import { useLazyChart } from '../components/lazyChart';
import { LazyChartPlot } from '../components/LazyChartPlot';
import { LogView } from '../components/LogView';
import { Throttle } from '../components/throttle';
import { IParameterImportance, parameterImportance } from '../model/importance';
import {
  historyData,
  learningCurves,
  parallelData,
  sliceData
} from '../model/plots';
import { bestTrials } from '../model/challengers';
import {
  objectiveOf,
  stepsOf,
  TrialLogModel,
  TrialsModel
} from '../model/trials';
import {
  CANCELLABLE_STATES,
  ITrial,
  JOB_STATES,
  TERMINAL_STATES
} from '../types';
import { formatValue, TrialsGrid } from './TrialsGrid';

/** Milliseconds between plot redraws while trial events stream in. */
export const PLOT_REDRAW_MS = 1000;

/** Actions the trials view delegates to its plugin. */
export interface ITrialsActions {
  /** Open a notebook path (relative to the Jupyter root). */
  openNotebook(path: string): void;
  /** Open the submit form pre-filled with a trial's parameters. */
  newJobFromTrial(trial: ITrial): void;
  /** Download every trial as CSV. */
  exportCsv(model: TrialsModel): void;
  /** Stop the HPO job: no new trials. */
  stop(jobId: string): void;
  /** Cancel the HPO job (after confirmation). */
  cancel(jobId: string): void;
  /** Open the job's detail view. */
  openJob(jobId: string): void;
  /** Deploy the model a trial saved, when serving is available. */
  deployTrial?(jobId: string, trialId: string): void;
  /**
   * Serve the best trials' models beside a deployment's champion
   * (best first), when serving is available.
   */
  deployChallengers?(jobId: string, trialIds: string[]): void;
}

/** Options of a trials view. */
export interface ITrialsViewOptions {
  /** The trials model. */
  model: TrialsModel;
  /** What the buttons do. */
  actions: ITrialsActions;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}

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
    const trials = this.model.trials;
    const finished = trials.filter(t => TERMINAL_STATES.has(t.state)).length;
    this.node.dataset.trialCount = String(trials.length);
    this.node.dataset.finishedCount = String(finished);
    this.node.dataset.bestTrial = this.model.bestTrial?.trialId ?? '';
  }

  private _counts: Throttle;
}

/** Title, job state, counts, best trial, filter and job actions. */
function TrialsHeader(props: ITrialsViewOptions): JSX.Element {
  const { model, actions, trans } = props;
  useThrottledSignal(model, 250);
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

/** Re-render on a model's changes, at most once per `ms`. */
function useThrottledSignal(model: TrialsModel, ms: number): void {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const throttle = new Throttle(() => setVersion(v => v + 1), ms);
    const bump = () => throttle.invoke();
    model.changed.connect(bump);
    return () => {
      model.changed.disconnect(bump);
      throttle.dispose();
    };
  }, [model, ms]);
}

/** The selected trial: values, actions and its streamed log. */
function TrialDetail(props: ITrialsViewOptions): JSX.Element {
  const { model, actions, trans } = props;
  useThrottledSignal(model, 250);
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

/** Every plot, redrawn at most once per {@link PLOT_REDRAW_MS}. */
function TrialsPlots(props: ITrialsViewOptions): JSX.Element {
  const { model, trans } = props;
  useThrottledSignal(model, PLOT_REDRAW_MS);
  const trials = model.trials;
  const names = model.parameterNames;
  const specs = model.parameterSpecs;
  const bestId = model.bestTrial?.trialId ?? null;
  const done = trials.filter(t => objectiveOf(t) !== null);
  if (done.length === 0 && !trials.some(t => t.allMetrics?.length)) {
    return (
      <div className="jp-laketahoe-TrialsPlots jp-laketahoe-empty">
        {trans.__('Plots appear once trials report the metric.')}
      </div>
    );
  }
  const importance = parameterImportance(
    done.map(t => ({
      params: t.hyperparameters ?? {},
      objective: objectiveOf(t) as number
    })),
    names
  );
  return (
    <div className="jp-laketahoe-TrialsPlots">
      <Plot
        kind="history"
        title={trans.__('Optimization history')}
        data={historyData(trials, model.goal)}
        trans={trans}
      />
      <Plot
        kind="curves"
        title={trans.__('Intermediate values (dashed: stopped early)')}
        data={learningCurves(trials, bestId)}
        trans={trans}
      />
      <Plot
        kind="parallel"
        title={trans.__('Parallel coordinates')}
        data={parallelData(
          trials,
          names,
          specs,
          model.goal,
          model.metricTag,
          bestId
        )}
        trans={trans}
      />
      <ImportanceChart importance={importance} trans={trans} />
      {sliceData(trials, names, specs).map(slice => (
        <Plot
          key={slice.axis.name}
          kind="slice"
          name={slice.axis.name}
          title={trans.__(
            'Slice: %1%2',
            slice.axis.name,
            slice.axis.log ? trans.__(' (log)') : ''
          )}
          data={slice}
          trans={trans}
        />
      ))}
    </div>
  );
}

/** One chart of the lazily loaded chart module. */
function Plot<K extends keyof IPlotData>(props: {
  kind: K;
  title: string;
  data: IPlotData[K];
  name?: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { kind, title, data, name, trans } = props;
  const latest = useRef(data);
  latest.current = data;
  const {
    host,
    chart: plot,
    failed
  } = useLazyChart<IHpoPlot<IPlotData[K]>>(
    async () => {
      const charts = await import('../components/hpoCharts');
      const create = {
        history: charts.historyPlot,
        curves: charts.curvesPlot,
        slice: charts.slicePlot,
        parallel: charts.parallelPlot
      }[kind] as unknown as (
        el: HTMLElement,
        d: IPlotData[K],
        w: number
      ) => IHpoPlot<IPlotData[K]>;
      return (element, width) => create(element, latest.current, width);
    },
    240,
    [kind]
  );

  useEffect(() => {
    plot.current?.update(data);
  }, [plot, data]);

  return (
    <figure
      className="jp-laketahoe-TrialsPlot"
      data-plot={kind}
      data-parameter={name}
    >
      <figcaption className="jp-laketahoe-MetricChart-title">
        {title}
      </figcaption>
      <LazyChartPlot
        host={host}
        failed={failed}
        className="jp-laketahoe-TrialsPlot-plot"
        trans={trans}
      />
    </figure>
  );
}

/** Parameter importance as horizontal bars (see model/importance.ts). */
function ImportanceChart(props: {
  importance: IParameterImportance[];
  trans: TranslationBundle;
}): JSX.Element {
  const { importance, trans } = props;
  const sorted = [...importance].sort((a, b) => b.share - a.share);
  return (
    <figure className="jp-laketahoe-TrialsPlot" data-plot="importance">
      <figcaption
        className="jp-laketahoe-MetricChart-title"
        title={trans.__(
          'Share of the objective variance explained by each parameter alone (bias-corrected correlation ratio over binned values); interactions are not counted.'
        )}
      >
        {trans.__('Parameter importance')}
      </figcaption>
      {sorted.every(i => i.groups === 0) ? (
        <p className="jp-laketahoe-empty">
          {trans.__('Needs at least 3 finished trials.')}
        </p>
      ) : (
        <svg
          className="jp-laketahoe-Importance"
          width="100%"
          height={sorted.length * 22 + 4}
          role="img"
          aria-label={trans.__('Parameter importance')}
        >
          {sorted.map((item, i) => (
            <g
              key={item.name}
              transform={`translate(0, ${i * 22 + 2})`}
              data-parameter={item.name}
            >
              <text x="0" y="14" className="jp-laketahoe-Importance-label">
                {item.name}
              </text>
              <rect
                x="30%"
                y="3"
                height="14"
                width={`${Math.max(0.5, item.share * 55)}%`}
                className="jp-laketahoe-Importance-bar"
              />
              <text
                x="98%"
                y="14"
                textAnchor="end"
                className="jp-laketahoe-Importance-value"
              >
                {`${Math.round(item.share * 100)}%`}
              </text>
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}
