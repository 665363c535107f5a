import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { useSignals } from '../components/hooks';
import { useLazyChart, IResizableChart } from '../components/charts/lazyChart';
import { LazyChartPlot } from '../components/charts/LazyChartPlot';
import { StateBadge } from '../components/states';
import {
  CompareModel,
  finalMetricRows,
  ICompareRow,
  IOverlaySeries,
  parameterRows
} from '../model/compare';

/** A main-area view of 2 to 5 jobs side by side. */
export class JobCompareView extends ReactWidget {
  /** Create the view of a comparison model. */
  constructor(
    readonly model: CompareModel,
    private readonly trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-laketahoe-Compare');
  }

  /** Render the tables and charts. */
  protected render(): JSX.Element {
    return <CompareContent model={this.model} trans={this.trans} />;
  }
}

function CompareContent(props: {
  model: CompareModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed);
  if (model.error) {
    return (
      <div className="jp-laketahoe-Compare-error" role="alert">
        {model.error.message}
      </div>
    );
  }
  const jobs = model.jobs;
  if (jobs.length === 0) {
    return <p className="jp-laketahoe-empty">{trans.__('Loading jobs…')}</p>;
  }
  const ids = jobs.map(job => job.jobId);
  return (
    <div className="jp-laketahoe-Compare-content">
      <h2>{trans.__('Compare %1 jobs', jobs.length)}</h2>
      <table className="jp-laketahoe-Compare-table jp-laketahoe-Compare-jobs">
        <thead>
          <tr>
            <th />
            {ids.map(id => (
              <th key={id} scope="col">
                {id}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{trans.__('state')}</th>
            {jobs.map(job => (
              <td key={job.jobId}>
                <StateBadge state={job.state} trans={trans} />
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <h3>{trans.__('Parameters')}</h3>
      <CompareTable
        className="jp-laketahoe-Compare-parameters"
        ids={ids}
        rows={parameterRows(jobs)}
        trans={trans}
      />
      <h3>{trans.__('Final metrics')}</h3>
      <CompareTable
        className="jp-laketahoe-Compare-metrics"
        ids={ids}
        rows={finalMetricRows(jobs)}
        trans={trans}
      />
      <h3>{trans.__('Metric curves')}</h3>
      {model.series.length === 0 ? (
        <p className="jp-laketahoe-empty">
          {trans.__('None of these jobs reported metrics.')}
        </p>
      ) : (
        <div className="jp-laketahoe-Compare-charts">
          {model.series.map(series => (
            <OverlayChart
              key={series.name}
              labels={ids}
              series={series}
              trans={trans}
            />
          ))}
        </div>
      )}
    </div>
  );
}

/** Rows of values, one column per job; rows where the jobs differ are highlighted. */
function CompareTable(props: {
  className: string;
  ids: string[];
  rows: ICompareRow[];
  trans: TranslationBundle;
}): JSX.Element {
  const { className, ids, rows, trans } = props;
  if (rows.length === 0) {
    return <p className="jp-laketahoe-empty">{trans.__('None.')}</p>;
  }
  return (
    <table className={`jp-laketahoe-Compare-table ${className}`}>
      <thead>
        <tr>
          <th scope="col">{trans.__('name')}</th>
          {ids.map(id => (
            <th key={id} scope="col">
              {id}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(row => (
          <tr
            key={row.name}
            data-name={row.name}
            className={row.differs ? 'jp-laketahoe-Compare-differs' : undefined}
            title={row.differs ? trans.__('The jobs differ here') : undefined}
          >
            <th scope="row">{row.name}</th>
            {row.values.map((value, i) => (
              <td key={ids[i]}>{value ?? '—'}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One metric of every job, overlaid; uPlot loads on first use. */
function OverlayChart(props: {
  labels: string[];
  series: IOverlaySeries;
  trans: TranslationBundle;
}): JSX.Element {
  const { labels, series, trans } = props;
  const { host, failed } = useLazyChart<IResizableChart>(
    async () => {
      const { createOverlayChart } = await import(
        '../components/charts/overlayChart'
      );
      return (element, width) =>
        createOverlayChart(element, labels, series.steps, series.values, width);
    },
    240,
    [series]
  );
  return (
    <figure className="jp-laketahoe-Compare-chart" data-metric={series.name}>
      <figcaption>{series.name}</figcaption>
      <LazyChartPlot
        host={host}
        failed={failed}
        className="jp-laketahoe-Compare-plot"
        trans={trans}
      />
    </figure>
  );
}
