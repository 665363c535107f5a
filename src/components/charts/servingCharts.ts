/**
 * Monitoring charts on uPlot: request series over time and baseline-vs-live
 * histograms. Only reached through `await import()`, so the chart code loads
 * when the monitoring tab is first shown.
 */
import uPlot from 'uplot';

import type { IHistogram } from '../../model/drift';
import { themedAxes } from './chartTheme';

/** A chart bound to one element. */
export interface IServingChart<D> {
  /** Replace the plotted data. */
  setData(data: D): void;
  /** Fit the chart to a new width. */
  setWidth(width: number): void;
  /** Remove the chart. */
  destroy(): void;
}

/** One line of a time-series chart. */
export interface ILine {
  /** Legend label. */
  label: string;
  /** CSS variable of its color, and a fallback. */
  color: [string, string];
  /** Values per time; null leaves a gap. */
  values: (number | null)[];
}

/** Data of a time-series chart. */
export interface ITimeSeries {
  /** Seconds since the epoch. */
  time: number[];
  /** The lines; their count must not change for one chart. */
  lines: ILine[];
}

const HEIGHT = 150;

/** Draw lines over time (request rate, error rate or latency percentiles). */
export function createTimeSeriesChart(
  element: HTMLElement,
  data: ITimeSeries,
  width: number
): IServingChart<ITimeSeries> {
  const { color, axis } = themedAxes(element);
  const plot = new uPlot(
    {
      width,
      height: HEIGHT,
      legend: { show: data.lines.length > 1 },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [axis, { ...axis, size: 56 }],
      series: [
        {},
        ...data.lines.map(line => ({
          label: line.label,
          stroke: color(...line.color),
          width: 2,
          spanGaps: false,
          // Steps without requests are gaps: show points while few steps
          // have values, or an isolated one would not be drawn at all.
          points: { show: fewValues }
        }))
      ]
    },
    columns(data),
    element
  );
  return {
    setData: next => plot.setData(columns(next)),
    setWidth: w => plot.setSize({ width: w, height: HEIGHT }),
    destroy: () => plot.destroy()
  };
}

/** Whether a series has few enough values in view to mark each one. */
function fewValues(
  u: uPlot,
  seriesIdx: number,
  idx0: number,
  idx1: number
): boolean {
  const values = u.data[seriesIdx];
  let count = 0;
  for (let i = idx0; i <= idx1; i++) {
    if (values[i] !== null && values[i] !== undefined) {
      count++;
    }
  }
  return count < 40;
}

/** uPlot's column layout of a time series. */
function columns(data: ITimeSeries): uPlot.AlignedData {
  return [
    data.time,
    ...data.lines.map(line => line.values)
  ] as uPlot.AlignedData;
}

/** Draw baseline and live shares per bin as grouped bars. */
export function createHistogramChart(
  element: HTMLElement,
  histogram: IHistogram,
  labels: { baseline: string; live: string },
  width: number
): IServingChart<IHistogram> {
  const { color, axis } = themedAxes(element);
  let current = histogram;
  const bars = (offset: number) =>
    uPlot.paths.bars!({ size: [0.4, 40], align: offset as 1 | -1 });
  const height = 130;
  const plot = new uPlot(
    {
      width,
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(max, 0.01) * 1.1] }
      },
      axes: [
        {
          ...axis,
          splits: () => current.labels.map((_, i) => i),
          values: (_u, splits) => splits.map(i => current.labels[i] ?? ''),
          rotate: current.labels.length > 6 ? -30 : 0
        } as uPlot.Axis,
        { ...axis, size: 44 }
      ],
      series: [
        {},
        {
          label: labels.baseline,
          fill: color('--jp-layout-color3', '#bdbdbd'),
          stroke: color('--jp-layout-color4', '#757575'),
          paths: bars(-1),
          points: { show: false }
        },
        {
          label: labels.live,
          fill: color('--jp-brand-color2', '#64b5f6'),
          stroke: color('--jp-brand-color1', '#1976d2'),
          paths: bars(1),
          points: { show: false }
        }
      ]
    },
    histogramColumns(histogram),
    element
  );
  return {
    setData: next => {
      current = next;
      plot.setData(histogramColumns(next));
    },
    setWidth: w => plot.setSize({ width: w, height }),
    destroy: () => plot.destroy()
  };
}

/** uPlot's column layout of a histogram: bin index, baseline, live. */
function histogramColumns(histogram: IHistogram): uPlot.AlignedData {
  return [
    histogram.labels.map((_, i) => i),
    histogram.baseline,
    histogram.live
  ];
}
