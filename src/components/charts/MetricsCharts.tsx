import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useRef } from 'react';

import { IMetricSeries } from '../../model/detail';
import type { IMetricChart } from './chart';
import { useLazyChart } from './lazyChart';
import { LazyChartPlot } from './LazyChartPlot';

/** One chart per metric series. */
export function MetricsCharts(props: {
  series: readonly IMetricSeries[];
  trans: TranslationBundle;
}): JSX.Element {
  const { series, trans } = props;
  if (series.length === 0) {
    return (
      <p className="jp-laketahoe-empty">
        {trans.__(
          'No metrics reported yet. Call laketahoe.report() in the notebook.'
        )}
      </p>
    );
  }
  return (
    <div className="jp-laketahoe-Metrics">
      {series.map(s => (
        <MetricChart key={s.name} series={s} trans={trans} />
      ))}
    </div>
  );
}

/** One metric's chart, drawn once the chart code has loaded. */
function MetricChart(props: {
  series: IMetricSeries;
  trans: TranslationBundle;
}): JSX.Element {
  const { series, trans } = props;
  const latest = useRef(series);
  latest.current = series;
  const { host, chart, failed } = useLazyChart<IMetricChart>(
    async () => {
      const { createMetricChart } = await import('./chart');
      return (element, width) => {
        const { name, steps, values } = latest.current;
        return createMetricChart(element, name, [...steps], [...values], width);
      };
    },
    200,
    []
  );

  const count = series.steps.length;
  const last = count ? series.values[count - 1] : undefined;
  useEffect(() => {
    chart.current?.setData([...series.steps], [...series.values]);
  }, [chart, series, count, last]);

  return (
    <figure className="jp-laketahoe-MetricChart" data-metric={series.name}>
      <figcaption className="jp-laketahoe-MetricChart-title">
        {series.name}
        {last !== undefined && (
          <span className="jp-laketahoe-MetricChart-latest">
            {formatMetric(last)}
          </span>
        )}
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

/** Compact display of a metric value. */
function formatMetric(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
