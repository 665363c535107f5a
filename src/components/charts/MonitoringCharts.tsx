import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useRef, useState } from 'react';

import {
  DEFAULT_DRIFT_SORT,
  DriftSortKey,
  driftRow,
  featureHistogram,
  IDriftSort,
  IHistogram,
  requestColumns,
  sortDriftRows,
  toggleDriftSort
} from '../../model/drift';
import { IAlert, IDriftReport, IFeatureDrift, IMonitoring } from '../../wire';
import { useLazyChart } from './lazyChart';
import { LazyChartPlot } from './LazyChartPlot';
import type { IServingChart, ITimeSeries } from './servingCharts';

/**
 * A number that changes when JupyterLab switches between light and dark
 * themes: charts keyed by it are drawn again in the new theme's colors
 * (canvas colors are read once, when a chart is drawn).
 */
export function useThemeKey(): number {
  const [key, setKey] = useState(0);
  useEffect(() => {
    const observer = new MutationObserver(() => setKey(k => k + 1));
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name']
    });
    return () => observer.disconnect();
  }, []);
  return key;
}

/** Request rate, error rate and latency percentiles over time. */
export function RequestCharts(props: {
  monitoring: IMonitoring;
  trans: TranslationBundle;
}): JSX.Element {
  const { monitoring, trans } = props;
  const theme = useThemeKey();
  const columns = requestColumns(monitoring.series, monitoring.step);
  if (columns.time.length === 0) {
    return (
      <p className="jp-laketahoe-empty">
        {trans.__('No requests recorded yet. Send a test request.')}
      </p>
    );
  }
  const charts: { id: string; title: string; data: ITimeSeries }[] = [
    {
      id: 'rate',
      title: trans.__('Requests per second'),
      data: {
        time: columns.time,
        lines: [
          {
            label: trans.__('requests/s'),
            color: ['--jp-brand-color1', '#1976d2'],
            values: columns.rate
          }
        ]
      }
    },
    {
      id: 'errors',
      title: trans.__('Error rate'),
      data: {
        time: columns.time,
        lines: [
          {
            label: trans.__('errors/request'),
            color: ['--jp-error-color1', '#d32f2f'],
            values: columns.errorRate
          }
        ]
      }
    },
    {
      id: 'latency',
      title: trans.__('Latency (ms)'),
      data: {
        time: columns.time,
        lines: [
          {
            label: 'p50',
            color: ['--jp-brand-color1', '#1976d2'],
            values: columns.p50
          },
          {
            label: 'p95',
            color: ['--jp-warn-color1', '#f57c00'],
            values: columns.p95
          },
          {
            label: 'p99',
            color: ['--jp-error-color1', '#d32f2f'],
            values: columns.p99
          }
        ]
      }
    }
  ];
  return (
    <div className="jp-laketahoe-Monitoring-charts">
      {charts.map(c => (
        <TimeSeriesChart
          key={`${c.id}-${theme}`}
          id={c.id}
          title={c.title}
          data={c.data}
          trans={trans}
        />
      ))}
    </div>
  );
}

/** One time-series chart, drawn once the chart code has loaded. */
function TimeSeriesChart(props: {
  id: string;
  title: string;
  data: ITimeSeries;
  trans: TranslationBundle;
}): JSX.Element {
  const { id, title, data, trans } = props;
  const latest = useRef(data);
  latest.current = data;
  const { host, chart, failed } = useLazyChart<IServingChart<ITimeSeries>>(
    async () => {
      const { createTimeSeriesChart } = await import('./servingCharts');
      return (element, width) =>
        createTimeSeriesChart(element, latest.current, width);
    },
    240,
    []
  );
  useEffect(() => {
    chart.current?.setData(data);
  }, [chart, data]);
  return (
    <figure className="jp-laketahoe-MonitoringChart" data-chart={id}>
      <figcaption className="jp-laketahoe-MetricChart-title">
        {title}
      </figcaption>
      <LazyChartPlot
        host={host}
        failed={failed}
        className="jp-laketahoe-MetricChart-plot"
        trans={trans}
      />
    </figure>
  );
}

/** Format a score or p-value compactly. */
function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return '—';
  }
  if (value !== 0 && Math.abs(value) < 1e-3) {
    return value.toExponential(1);
  }
  return String(Number(value.toPrecision(3)));
}

/** Per-feature drift, sortable by every column, with histograms on demand. */
export function DriftTable(props: {
  drift: IDriftReport | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { drift, trans } = props;
  const [sort, setSort] = useState<IDriftSort>(DEFAULT_DRIFT_SORT);
  const [open, setOpen] = useState<string | null>(null);
  const theme = useThemeKey();
  if (!drift || drift.features.length === 0) {
    return (
      <p className="jp-laketahoe-empty">
        {trans.__(
          'No drift yet: it is computed once requests with inputs arrive and the model has a training baseline.'
        )}
      </p>
    );
  }
  const rows = sortDriftRows(drift.features, sort, drift.metric);
  const header = (key: DriftSortKey, label: string) => (
    <th
      scope="col"
      aria-sort={
        sort.key === key
          ? sort.direction === 'asc'
            ? 'ascending'
            : 'descending'
          : 'none'
      }
    >
      <button
        type="button"
        className="jp-laketahoe-DriftTable-sort"
        data-sort={key}
        onClick={() => setSort(toggleDriftSort(sort, key))}
      >
        {label}
        {sort.key === key ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  return (
    <div className="jp-laketahoe-Drift">
      <p
        className="jp-laketahoe-Drift-summary"
        data-drifted={String(drift.drifted)}
      >
        {trans.__(
          'Drift score %1 over %2 live rows',
          formatNumber(drift.score),
          drift.rows
        )}
        {drift.drifted ? ` · ${trans.__('drifted')}` : ''}
      </p>
      <table className="jp-laketahoe-DriftTable">
        <thead>
          <tr>
            {header('name', trans.__('Feature'))}
            {header('kind', trans.__('Kind'))}
            {header('score', trans.__('Score'))}
            {header('pValue', trans.__('p-value'))}
            {header('drifted', trans.__('Drifted'))}
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <React.Fragment key={row.name}>
              <tr
                className="jp-laketahoe-DriftTable-row"
                data-feature={row.name}
                data-drifted={String(row.drifted)}
                tabIndex={0}
                aria-expanded={open === row.name}
                onClick={() => setOpen(open === row.name ? null : row.name)}
                onKeyDown={e => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    setOpen(open === row.name ? null : row.name);
                  }
                }}
              >
                <td>{row.name}</td>
                <td>{row.kind}</td>
                <td title={row.statistic.toUpperCase()}>
                  {formatNumber(row.score)}{' '}
                  <span className="jp-laketahoe-DriftTable-stat">
                    {row.statistic.toUpperCase()}
                  </span>
                </td>
                <td>{formatNumber(row.pValue)}</td>
                <td>
                  {row.drifted ? (
                    <span className="jp-laketahoe-DriftFlag">
                      {trans.__('drifted')}
                    </span>
                  ) : (
                    trans.__('no')
                  )}
                </td>
              </tr>
              {open === row.name && (
                <tr className="jp-laketahoe-DriftTable-detail">
                  <td colSpan={5}>
                    <HistogramChart
                      key={theme}
                      feature={row.feature}
                      trans={trans}
                    />
                  </td>
                </tr>
              )}
            </React.Fragment>
          ))}
        </tbody>
      </table>
      {drift.prediction && (
        <div className="jp-laketahoe-Drift-prediction">
          <h3>
            {trans.__(
              'Prediction drift: %1 %2',
              formatNumber(driftRow(drift.prediction, drift.metric).score),
              drift.prediction.drifted ? trans.__('(drifted)') : ''
            )}
          </h3>
          <HistogramChart
            key={theme}
            feature={drift.prediction}
            trans={trans}
          />
        </div>
      )}
    </div>
  );
}

/** Baseline-vs-live histogram of one feature. */
export function HistogramChart(props: {
  feature: IFeatureDrift;
  trans: TranslationBundle;
}): JSX.Element {
  const { feature, trans } = props;
  const histogram = featureHistogram(feature);
  const latest = useRef(histogram);
  latest.current = histogram;
  const labels = {
    baseline: trans.__('training'),
    live: trans.__('live')
  };
  const { host, chart, failed } = useLazyChart<IServingChart<IHistogram>>(
    async () => {
      const { createHistogramChart } = await import('./servingCharts');
      return (element, width) =>
        createHistogramChart(element, latest.current, labels, width);
    },
    240,
    []
  );
  useEffect(() => {
    chart.current?.setData(histogram);
  }, [chart, histogram]);
  return (
    <figure
      className="jp-laketahoe-Histogram"
      data-feature={feature.name}
      aria-label={trans.__(
        'Training and live distribution of %1',
        feature.name
      )}
    >
      <LazyChartPlot
        host={host}
        failed={failed}
        className="jp-laketahoe-MetricChart-plot"
        trans={trans}
      />
    </figure>
  );
}

/** Alerts, firing first, newest first. */
export function AlertList(props: {
  alerts: readonly IAlert[];
  trans: TranslationBundle;
}): JSX.Element {
  const { alerts, trans } = props;
  if (alerts.length === 0) {
    return <p className="jp-laketahoe-empty">{trans.__('No alerts.')}</p>;
  }
  const ordered = [...alerts].sort((a, b) =>
    a.state !== b.state
      ? a.state === 'firing'
        ? -1
        : 1
      : a.startTime < b.startTime
        ? 1
        : -1
  );
  return (
    <ul className="jp-laketahoe-AlertList">
      {ordered.map(alert => (
        <li
          key={alert.id}
          className="jp-laketahoe-AlertList-item"
          data-rule={alert.rule}
          data-state={alert.state}
        >
          <span
            className={`jp-laketahoe-AlertBadge jp-laketahoe-AlertBadge-${alert.state}`}
          >
            {alert.state === 'firing'
              ? trans.__('firing')
              : trans.__('resolved')}
          </span>
          <span className="jp-laketahoe-AlertList-message">
            {alert.message ||
              `${alert.metric} ${formatNumber(alert.value)} > ${formatNumber(alert.threshold)}`}
          </span>
          <time dateTime={alert.startTime}>
            {new Date(alert.startTime).toLocaleString()}
          </time>
        </li>
      ))}
    </ul>
  );
}
