/**
 * Several jobs' values of one metric in one uPlot chart. Only reached through
 * `await import()`, so the chart code loads when a comparison is opened.
 */
import uPlot from 'uplot';

import { themedAxes } from './chartTheme';
import type { IResizableChart } from './lazyChart';

/** Theme colors of the compared jobs, in order (JupyterLab's categorical palette). */
const SERIES_COLORS: [string, string][] = [
  ['--jp-brand-color1', '#1976d2'],
  ['--jp-warn-color1', '#f57c00'],
  ['--jp-success-color1', '#388e3c'],
  ['--jp-error-color1', '#d32f2f'],
  ['--jp-accent-color1', '#7b1fa2']
];

/** Draw one metric of every job (a line each, gaps where a job has no value) over shared steps. */
export function createOverlayChart(
  element: HTMLElement,
  labels: readonly string[],
  steps: number[],
  values: (number | null)[][],
  width: number
): IResizableChart {
  const { color, axis } = themedAxes(element);
  const height = 200;
  const plot = new uPlot(
    {
      width,
      height,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [axis, axis],
      series: [
        { label: 'step' },
        ...labels.map((label, i) => {
          const [variable, fallback] = SERIES_COLORS[i % SERIES_COLORS.length];
          return {
            label,
            stroke: color(variable, fallback),
            width: 2,
            spanGaps: true,
            points: { show: steps.length < 50 }
          };
        })
      ]
    },
    [steps, ...values] as uPlot.AlignedData,
    element
  );
  return {
    setWidth: w => plot.setSize({ width: w, height }),
    destroy: () => plot.destroy()
  };
}
