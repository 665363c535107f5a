/**
 * Line charts for metrics, on uPlot. This module is only reached through
 * `await import()`, so the chart code loads when a job's metrics are shown.
 */
import uPlot from 'uplot';

import { themedAxes } from './chartTheme';

/** A chart bound to one element. */
export interface IMetricChart {
  /** Replace the plotted data. */
  setData(steps: number[], values: number[]): void;
  /** Fit the chart to a new width. */
  setWidth(width: number): void;
  /** Remove the chart. */
  destroy(): void;
}

/** Draw one metric as a line over steps. */
export function createMetricChart(
  element: HTMLElement,
  name: string,
  steps: number[],
  values: number[],
  width: number
): IMetricChart {
  const { color, axis } = themedAxes(element);
  const height = 160;
  const plot = new uPlot(
    {
      width,
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [axis, axis],
      series: [
        { label: 'step' },
        {
          label: name,
          stroke: color('--jp-brand-color1', '#1976d2'),
          width: 2,
          points: { show: steps.length < 50 }
        }
      ]
    },
    [steps, values],
    element
  );
  return {
    setData: (s, v) => plot.setData([s, v]),
    setWidth: w => plot.setSize({ width: w, height }),
    destroy: () => plot.destroy()
  };
}
