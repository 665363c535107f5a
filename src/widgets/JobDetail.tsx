import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useRef } from 'react';

import type { IHpoPlot } from '../components/charts/hpoCharts';
import { useLazyChart } from '../components/charts/lazyChart';
import { LazyChartPlot } from '../components/charts/LazyChartPlot';
import { useNow, useSignals } from '../components/hooks';
import { LoadingOrError } from '../components/panel';
import { JobCellProgress } from '../components/progress';
import { StateBadge, StateTimeline } from '../components/states';
import { elapsedMs, formatDuration } from '../components/time';
import { LogView } from '../components/LogView';
import { MetricsCharts } from '../components/charts/MetricsCharts';
import { UsageSection } from '../components/UsageSection';
import { JobDetailModel } from '../model/detail';
import { isHpoJob } from '../model/jobs';
import { IHistoryData } from '../model/plots';
import { tuningSummary } from '../model/tuning';
import { IJob } from '../wire';
import { CANCELLABLE_STATES, TERMINAL_STATES } from '../model/states';

/** Most log lines put in the DOM; the model keeps more. */
export const MAX_RENDERED_LOG_LINES = 2000;

/** Actions the detail view delegates to its plugin. */
export interface IJobDetailActions {
  /** Cancel the job (after confirmation). */
  cancel(jobId: string): void;
  /** Open a notebook path (relative to the Jupyter root). */
  openNotebook(path: string): void;
  /** Open an HTML file path in a new browser tab. */
  openHtml(path: string): void;
  /** Open the trials browser of an HPO job. */
  openTrials?(jobId: string): void;
  /** A "Deploy" button for the job's saved models, when serving is available. */
  deployButton?(job: IJob): JSX.Element | null;
}

/** Options of a detail view. */
export interface IJobDetailOptions {
  /** The job's model. */
  model: JobDetailModel;
  /** What the buttons do. */
  actions: IJobDetailActions;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}

/** Main-area view of one job: spec, timeline, metrics and live logs. */
export class JobDetailView extends ReactWidget {
  /** Create the view. */
  constructor(options: IJobDetailOptions) {
    super();
    this._options = options;
    this.model = options.model;
    this.addClass('jp-laketahoe-JobDetail');
    this.node.dataset.jobId = options.model.jobId;
  }

  /** The job's model. */
  readonly model: JobDetailModel;

  /** Render the view. */
  protected render(): JSX.Element {
    return <JobDetailContent {...this._options} />;
  }

  private _options: IJobDetailOptions;
}

/** The view's content; re-renders on model signals. */
function JobDetailContent(props: IJobDetailOptions): JSX.Element {
  const { model, actions, trans } = props;
  useSignals(model.changed);
  const job = model.job;
  if (!job) {
    return (
      <div className="jp-laketahoe-JobDetail-content">
        <h1 className="jp-laketahoe-JobDetail-title">{model.jobId}</h1>
        <LoadingOrError error={model.error} trans={trans} />
      </div>
    );
  }
  return (
    <div className="jp-laketahoe-JobDetail-content">
      <JobHeader job={job} actions={actions} trans={trans} />
      {job.state === 'QUEUED' && job.trainingOutput?.queueReason && (
        <section className="jp-laketahoe-JobDetail-section">
          <h2>{trans.__('Waiting')}</h2>
          <p className="jp-laketahoe-JobDetail-queueReason">
            {job.trainingOutput.queueReason}
          </p>
        </section>
      )}
      {job.state === 'FAILED' && job.errorMessage && (
        <section className="jp-laketahoe-JobDetail-section">
          <h2>{trans.__('Error')}</h2>
          <pre className="jp-laketahoe-JobDetail-errorMessage">
            {job.errorMessage}
          </pre>
        </section>
      )}
      {isHpoJob(job) ? (
        // An HPO job reports no metrics and writes no log itself: its trials do.
        <section className="jp-laketahoe-JobDetail-section">
          <h2>{trans.__('Tuning')}</h2>
          <TuningSection model={model} job={job} trans={trans} />
        </section>
      ) : (
        <>
          <section className="jp-laketahoe-JobDetail-section">
            <h2>{trans.__('Metrics')}</h2>
            <MetricsSection model={model} trans={trans} />
          </section>
          <section className="jp-laketahoe-JobDetail-section">
            <h2>{trans.__('Resource usage')}</h2>
            <UsageSection model={model.usage} trans={trans} />
          </section>
          <section className="jp-laketahoe-JobDetail-section">
            <h2>{trans.__('Logs')}</h2>
            <JobLog model={model} trans={trans} />
          </section>
        </>
      )}
      <div className="jp-laketahoe-JobDetail-columns">
        <section className="jp-laketahoe-JobDetail-section">
          <h2>{trans.__('Specification')}</h2>
          <JobSpec job={job} trans={trans} />
        </section>
        <section className="jp-laketahoe-JobDetail-section">
          <h2>{trans.__('Timeline')}</h2>
          <StateTimeline
            history={job.stateHistory}
            badge={state => <StateBadge state={state} trans={trans} />}
          />
        </section>
      </div>
    </div>
  );
}

/** Title, state, progress and actions. */
function JobHeader(props: {
  job: IJob;
  actions: IJobDetailActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { job, actions, trans } = props;
  const now = useNow(!TERMINAL_STATES.has(job.state));
  const elapsed = elapsedMs(job.startTime, job.endTime, now);
  const output = job.trainingOutput ?? {};
  return (
    <header className="jp-laketahoe-JobDetail-header">
      <div className="jp-laketahoe-JobDetail-heading">
        <h1 className="jp-laketahoe-JobDetail-title">{job.jobId}</h1>
        <StateBadge state={job.state} trans={trans} />
        {elapsed !== null && (
          <span className="jp-laketahoe-JobDetail-elapsed">
            {trans.__('Elapsed %1', formatDuration(elapsed))}
          </span>
        )}
      </div>
      <JobCellProgress job={job} trans={trans} />
      {isHpoJob(job) && (
        <p className="jp-laketahoe-JobDetail-trials">
          {trans.__(
            'Tuning %1: %2 of %3 trials ended',
            job.trainingInput.hyperparameters?.hyperparameterMetricTag ?? '',
            output.completedTrialCount ?? 0,
            job.trainingInput.hyperparameters?.maxTrials ?? '?'
          )}
          {output.bestTrial?.finalMetric
            ? ' · ' +
              trans.__(
                'best: trial %1 (%2)',
                output.bestTrial.trialId,
                output.bestTrial.finalMetric.objectiveValue
              )
            : ''}
        </p>
      )}
      <div className="jp-laketahoe-JobDetail-actions">
        {isHpoJob(job) && actions.openTrials && (
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-laketahoe-JobDetail-openTrials"
            onClick={() => actions.openTrials?.(job.jobId)}
          >
            {trans.__('Open Trials')}
          </button>
        )}
        {actions.deployButton?.(job)}
        {CANCELLABLE_STATES.has(job.state) && (
          <button
            type="button"
            className="jp-mod-styled jp-mod-warn jp-laketahoe-JobDetail-cancel"
            onClick={() => actions.cancel(job.jobId)}
          >
            {trans.__('Cancel Job')}
          </button>
        )}
        {TERMINAL_STATES.has(job.state) && output.outputNotebook && (
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-laketahoe-JobDetail-openNotebook"
            onClick={() => actions.openNotebook(output.outputNotebook!)}
          >
            {trans.__('Open Output Notebook')}
          </button>
        )}
        {TERMINAL_STATES.has(job.state) && output.outputHtml && (
          <button
            type="button"
            className="jp-mod-styled jp-laketahoe-JobDetail-openHtml"
            onClick={() => actions.openHtml(output.outputHtml!)}
          >
            {trans.__('Open HTML Report')}
          </button>
        )}
      </div>
    </header>
  );
}

/** Key fields of the submitted specification, with the raw JSON below. */
function JobSpec(props: { job: IJob; trans: TranslationBundle }): JSX.Element {
  const { job, trans } = props;
  const input = job.trainingInput ?? ({} as IJob['trainingInput']);
  const resources = input.masterConfig?.resources;
  const parameters = input.notebook?.parameters ?? {};
  const rows: [string, string][] = [
    [trans.__('Notebook'), input.notebook?.path ?? input.pythonModule ?? ''],
    [trans.__('Scale tier'), input.scaleTier ?? ''],
    [trans.__('Priority'), input.priority ?? ''],
    [trans.__('Container image'), input.masterConfig?.imageUri || '—'],
    [trans.__('Max running time'), input.scheduling?.maxRunningTime || '—'],
    [trans.__('Owner'), job.owner],
    [trans.__('Created'), new Date(job.createTime).toLocaleString()]
  ];
  if (resources) {
    rows.push([
      trans.__('Resources'),
      trans.__(
        '%1 CPU, %2 GB, %3 GPU',
        resources.cpu ?? '?',
        resources.memoryGb ?? '?',
        input.masterConfig?.acceleratorConfig?.count ?? 0
      )
    ]);
  }
  if (input.notebook?.includeFolder) {
    rows.push([trans.__('Folder included'), trans.__('yes')]);
  }
  const kernel = job.trainingOutput?.kernel;
  if (kernel) {
    rows.push([
      trans.__('Kernel'),
      kernel.requested
        ? trans.__(
            '%1 (fallback: %2 is not installed)',
            kernel.name,
            kernel.requested
          )
        : kernel.name
    ]);
  }
  // Secrets are shown by reference only: the service never has their values.
  for (const v of input.env ?? []) {
    rows.push([
      trans.__('Variable %1', v.name),
      v.secretKeyRef
        ? trans.__('secret %1, key %2', v.secretKeyRef.name, v.secretKeyRef.key)
        : (v.value ?? '')
    ]);
  }
  for (const [name, value] of Object.entries(parameters)) {
    rows.push([trans.__('Parameter %1', name), JSON.stringify(value)]);
  }
  return (
    <div className="jp-laketahoe-JobSpec">
      <dl className="jp-laketahoe-JobSpec-fields">
        {rows.map(([key, value]) => (
          <React.Fragment key={key}>
            <dt>{key}</dt>
            <dd>{value}</dd>
          </React.Fragment>
        ))}
      </dl>
      <details>
        <summary>{trans.__('Full specification (JSON)')}</summary>
        <pre className="jp-laketahoe-JobSpec-json">
          {JSON.stringify(input, null, 2)}
        </pre>
      </details>
    </div>
  );
}

/** An HPO job's summary: trial counts by state, the best trial and the best-so-far curve. */
function TuningSection(props: {
  model: JobDetailModel;
  job: IJob;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, job, trans } = props;
  useSignals(model.trialsChanged);
  const summary = tuningSummary(job, model.trials);
  const total = summary.counts.reduce((n, c) => n + c.count, 0);
  return (
    <div className="jp-laketahoe-TuningSummary">
      <ul className="jp-laketahoe-TuningSummary-counts">
        <li>
          {summary.maxTrials === null
            ? trans.__('%1 trials', total)
            : trans.__('%1 of %2 trials', total, summary.maxTrials)}
        </li>
        {summary.counts.map(({ state, count }) => (
          <li key={state} data-state={state}>
            <StateBadge state={state} trans={trans} /> {count}
          </li>
        ))}
      </ul>
      {summary.best ? (
        <p className="jp-laketahoe-TuningSummary-best">
          {trans.__(
            'Best: trial %1, %2 = %3 (%4)',
            summary.best.trialId,
            summary.metricTag,
            summary.best.objective,
            Object.entries(summary.best.hyperparameters ?? {})
              .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
              .join(', ')
          )}
        </p>
      ) : (
        <p className="jp-laketahoe-empty">
          {trans.__('No trial has succeeded yet.')}
        </p>
      )}
      {summary.history.x.length > 0 && (
        <HistoryPlot
          data={summary.history}
          title={trans.__(
            '%1 per trial and best so far (%2)',
            summary.metricTag,
            summary.goal === 'MINIMIZE'
              ? trans.__('lower is better')
              : trans.__('higher is better')
          )}
          trans={trans}
        />
      )}
    </div>
  );
}

/** The best-so-far curve, drawn by the lazily loaded trials chart code. */
function HistoryPlot(props: {
  data: IHistoryData;
  title: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { data, title, trans } = props;
  const latest = useRef(data);
  latest.current = data;
  const { host, chart, failed } = useLazyChart<IHpoPlot<IHistoryData>>(
    async () => {
      const { historyPlot } = await import('../components/charts/hpoCharts');
      return (element, width) => historyPlot(element, latest.current, width);
    },
    240,
    []
  );
  useEffect(() => {
    chart.current?.update(data);
  }, [chart, data]);
  return (
    <figure className="jp-laketahoe-TrialsPlot" data-plot="history">
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

/** Metrics charts; re-renders on metric changes only. */
function MetricsSection(props: {
  model: JobDetailModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.metricsChanged);
  return <MetricsCharts series={model.metrics} trans={trans} />;
}

/** The job's live log. */
function JobLog(props: {
  model: JobDetailModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.logsChanged);
  return (
    <LogView
      lines={model.logs}
      status={model.logStatus}
      maxRendered={MAX_RENDERED_LOG_LINES}
      dropped={model.droppedLines}
      label={trans.__('Job log')}
      trans={trans}
    />
  );
}
