/**
 * The usage chart of a job on uPlot: CPU cores and memory (GiB) over time,
 * GPU utilization (percent) when measured. Only reached through
 * `await import()`, so the chart code loads when a job's usage is shown.
 */
import uPlot from 'uplot';

import type { IUsageSeries } from '../../model/usage';
import { themedAxes } from './chartTheme';

/** A usage chart bound to one element. */
export interface IUsageChart {
  /** Replace the plotted data (same series as when drawn). */
  setData(series: IUsageSeries): void;
  /** Fit the chart to a new width. */
  setWidth(width: number): void;
  /** Remove the chart. */
  destroy(): void;
}

/** Labels of the series, translated by the caller. */
export interface IUsageLabels {
  cpu: string;
  memory: string;
  gpu: string;
}

function columns(series: IUsageSeries): uPlot.AlignedData {
  const data: (number | null)[][] = [
    series.times,
    series.cpuCores,
    series.memoryGiB
  ];
  if (series.gpuUtilization) {
    data.push(series.gpuUtilization);
  }
  return data as uPlot.AlignedData;
}

/** Draw CPU, memory and (when measured) GPU use over time. */
export function createUsageChart(
  element: HTMLElement,
  series: IUsageSeries,
  labels: IUsageLabels,
  width: number
): IUsageChart {
  const { color, axis } = themedAxes(element);
  const height = 180;
  const gpu = series.gpuUtilization !== null;
  const plot = new uPlot(
    {
      width,
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true },
        cores: {},
        gib: {},
        ...(gpu ? { pct: { range: [0, 100] } } : {})
      },
      axes: [
        axis,
        { ...axis, scale: 'cores', label: labels.cpu },
        {
          ...axis,
          scale: 'gib',
          side: 1,
          label: labels.memory,
          grid: { show: false }
        }
      ],
      series: [
        {},
        {
          label: labels.cpu,
          scale: 'cores',
          stroke: color('--jp-brand-color1', '#1976d2'),
          width: 2
        },
        {
          label: labels.memory,
          scale: 'gib',
          stroke: color('--jp-warn-color1', '#f57c00'),
          width: 2
        },
        ...(gpu
          ? [
              {
                label: labels.gpu,
                scale: 'pct',
                stroke: color('--jp-success-color1', '#388e3c'),
                width: 2
              }
            ]
          : [])
      ]
    },
    columns(series),
    element
  );
  return {
    setData: s => plot.setData(columns(s)),
    setWidth: w => plot.setSize({ width: w, height }),
    destroy: () => plot.destroy()
  };
}
