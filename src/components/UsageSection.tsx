import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useMemo, useRef } from 'react';

import type { IUsageChart } from './charts/usageChart';
import { useLazyChart } from './charts/lazyChart';
import { LazyChartPlot } from './charts/LazyChartPlot';
import { useSignals } from './hooks';
import {
  formatBytes,
  IUsageSeries,
  UsageModel,
  usageSeries
} from '../model/usage';

/** A job's resource usage: summary, memory hint and the chart over time. */
export function UsageSection(props: {
  model: UsageModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed);
  const usage = model.usage;
  if (!usage) {
    return (
      <p className="jp-laketahoe-empty">
        {model.error
          ? trans.__('Usage could not be loaded: %1', model.error.message)
          : trans.__('Loading…')}
      </p>
    );
  }
  if (!usage.available) {
    return (
      <p className="jp-laketahoe-empty jp-laketahoe-Usage-unavailable">
        {trans.__('Resource usage is not available: %1', usage.note ?? '')}
      </p>
    );
  }
  const s = usage.summary;
  if (s.samples === 0) {
    return (
      <p className="jp-laketahoe-empty">
        {trans.__(
          'No usage sampled yet (every few seconds while the job runs).'
        )}
      </p>
    );
  }
  return (
    <div className="jp-laketahoe-Usage">
      <ul className="jp-laketahoe-Usage-summary">
        <li data-usage="peakMemory">
          {s.requestedMemoryBytes
            ? trans.__(
                'Peak memory %1 of %2',
                formatBytes(s.peakMemoryBytes),
                formatBytes(s.requestedMemoryBytes)
              )
            : trans.__('Peak memory %1', formatBytes(s.peakMemoryBytes))}
        </li>
        <li data-usage="cpuSeconds">
          {trans.__('%1 CPU-seconds', s.cpuSeconds.toFixed(1))}
        </li>
        {s.gpuHours > 0 && (
          <li data-usage="gpuHours">
            {trans.__('%1 GPU-hours', s.gpuHours.toPrecision(3))}
          </li>
        )}
        {s.meanGpuUtilization !== undefined && (
          <li data-usage="gpuUtilization">
            {trans.__('GPU %1% on average', s.meanGpuUtilization)}
          </li>
        )}
      </ul>
      {s.hint && (
        <p className="jp-laketahoe-Usage-hint" role="note">
          {trans.__('%1: consider asking for less.', s.hint)}
        </p>
      )}
      <UsageChart series={usageSeries(usage)} trans={trans} />
    </div>
  );
}

/** The chart, drawn once its code has loaded; redrawn when a GPU series appears. */
function UsageChart(props: {
  series: IUsageSeries;
  trans: TranslationBundle;
}): JSX.Element {
  const { series, trans } = props;
  const latest = useRef(series);
  latest.current = series;
  const labels = useMemo(
    () => ({
      cpu: trans.__('CPU cores'),
      memory: trans.__('Memory (GiB)'),
      gpu: trans.__('GPU %')
    }),
    [trans]
  );
  const hasGpu = series.gpuUtilization !== null;
  const { host, chart, failed } = useLazyChart<IUsageChart>(
    async () => {
      const { createUsageChart } = await import('./charts/usageChart');
      return (element, width) =>
        createUsageChart(element, latest.current, labels, width);
    },
    240,
    [hasGpu]
  );
  useEffect(() => {
    chart.current?.setData(series);
  }, [chart, series]);
  return (
    <figure className="jp-laketahoe-UsageChart">
      <figcaption className="jp-laketahoe-MetricChart-title">
        {trans.__('CPU, memory and GPU over time')}
      </figcaption>
      <LazyChartPlot
        host={host}
        failed={failed}
        className="jp-laketahoe-UsageChart-plot"
        trans={trans}
      />
    </figure>
  );
}
