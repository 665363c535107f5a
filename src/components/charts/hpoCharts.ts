/**
 * Charts of the trials browser. This module is only reached through
 * `await import()`, so uPlot and the drawing code load when a trials view
 * shows its plots. Line and scatter plots use uPlot; parallel coordinates
 * are drawn on a canvas here.
 */
import uPlot from 'uplot';

import {
  ICurve,
  IHistoryData,
  IParallelLine,
  IAxis,
  ISlice
} from '../../model/plots';

/** A plot bound to one element. */
export interface IHpoPlot<T> {
  /** Redraw with new data. */
  update(data: T): void;
  /** Fit a new width. */
  setWidth(width: number): void;
  /** Remove the plot. */
  destroy(): void;
}

/** Kinds of plots this module draws, with their data. */
export interface IPlotData {
  /** Objective per trial and best so far. */
  history: IHistoryData;
  /** Learning curves. */
  curves: ICurve[];
  /** Objective against one parameter. */
  slice: ISlice;
  /** Parallel coordinates. */
  parallel: { axes: IAxis[]; lines: IParallelLine[] };
}

/** Theme colors read from CSS variables. */
function theme(element: HTMLElement) {
  const style = getComputedStyle(element);
  const color = (variable: string, fallback: string) =>
    style.getPropertyValue(variable).trim() || fallback;
  return {
    text: color('--jp-ui-font-color1', '#444'),
    muted: color('--jp-ui-font-color2', '#888'),
    grid: color('--jp-border-color2', '#e0e0e0'),
    brand: color('--jp-brand-color1', '#1976d2'),
    accent: color('--jp-warn-color1', '#f57c00'),
    success: color('--jp-success-color1', '#388e3c'),
    error: color('--jp-error-color1', '#d32f2f'),
    font: color('--jp-ui-font-family', 'sans-serif')
  };
}

const HEIGHT = 200;

/** Axes styled for the theme. */
function axes(element: HTMLElement, xValues?: uPlot.Axis['values']) {
  const t = theme(element);
  const axis: uPlot.Axis = {
    stroke: t.text,
    grid: { stroke: t.grid, width: 1 },
    ticks: { stroke: t.grid, width: 1 }
  };
  return [xValues ? { ...axis, values: xValues } : axis, axis];
}

/**
 * A uPlot chart that takes new data in place (`setData`) while its series
 * stay the same, and is rebuilt when `sameSeries` says they changed.
 */
function rebuilding<T>(
  element: HTMLElement,
  build: (data: T, width: number) => [uPlot.Options, uPlot.AlignedData],
  data: T,
  width: number,
  sameSeries: (previous: T, next: T) => boolean = () => false
): IHpoPlot<T> {
  let current = data;
  let w = width;
  let plot: uPlot | null = null;
  const draw = () => {
    plot?.destroy();
    const [opts, aligned] = build(current, w);
    plot = new uPlot(opts, aligned, element);
  };
  draw();
  return {
    update: next => {
      const same = plot !== null && sameSeries(current, next);
      current = next;
      if (same) {
        plot!.setData(build(next, w)[1]);
      } else {
        draw();
      }
    },
    setWidth: next => {
      w = next;
      plot?.setSize({ width: w, height: HEIGHT });
    },
    destroy: () => {
      plot?.destroy();
      plot = null;
    }
  };
}

/** Objective per trial (points) and the best so far (stepped line). */
export function historyPlot(
  element: HTMLElement,
  data: IHistoryData,
  width: number
): IHpoPlot<IHistoryData> {
  const t = theme(element);
  return rebuilding(
    element,
    (d, w) => [
      {
        width: w,
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: axes(element),
        series: [
          { label: 'trial' },
          {
            label: 'objective',
            stroke: t.brand,
            paths: () => null,
            points: { show: true, size: 5, fill: t.brand }
          },
          {
            label: 'best',
            stroke: t.success,
            width: 2,
            paths: uPlot.paths.stepped!({ align: 1 }),
            points: { show: false },
            spanGaps: true
          }
        ]
      },
      [d.x, d.objective, d.best] as uPlot.AlignedData
    ],
    data,
    width,
    () => true
  );
}

/**
 * Learning curves: one line per trial over steps; early-stopped trials are
 * dashed in the warning color, the best trial is thick.
 */
export function curvesPlot(
  element: HTMLElement,
  curves: ICurve[],
  width: number
): IHpoPlot<ICurve[]> {
  const t = theme(element);
  return rebuilding(
    element,
    (cs, w) => {
      const steps = [...new Set(cs.flatMap(c => c.steps))].sort(
        (a, b) => a - b
      );
      const index = new Map(steps.map((s, i) => [s, i]));
      const columns = cs.map(c => {
        const ys = new Array<number | null>(steps.length).fill(null);
        c.steps.forEach((s, i) => {
          ys[index.get(s)!] = c.values[i];
        });
        return ys;
      });
      const series: uPlot.Series[] = [{ label: 'step' }];
      for (const c of cs) {
        series.push({
          label: `trial ${c.trialId}`,
          stroke: c.best ? t.success : c.stoppedEarly ? t.accent : t.brand,
          width: c.best ? 2.5 : 1,
          dash: c.stoppedEarly ? [4, 3] : undefined,
          alpha: c.best ? 1 : 0.6,
          spanGaps: true,
          points: { show: fewSteps(cs) }
        } as uPlot.Series);
      }
      return [
        {
          width: w,
          height: HEIGHT,
          legend: { show: false },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: false } },
          axes: axes(element),
          series
        },
        [steps, ...columns] as uPlot.AlignedData
      ];
    },
    curves,
    width,
    (a, b) =>
      a.length === b.length &&
      a.every(
        (c, i) =>
          c.trialId === b[i].trialId &&
          c.best === b[i].best &&
          c.stoppedEarly === b[i].stoppedEarly
      ) &&
      fewSteps(a) === fewSteps(b)
  );
}

/** Whether curves have so few steps that their points are drawn. */
function fewSteps(curves: ICurve[]): boolean {
  return new Set(curves.flatMap(c => c.steps)).size < 30;
}

/** Objective against one parameter; log x for log-scaled parameters. */
export function slicePlot(
  element: HTMLElement,
  slice: ISlice,
  width: number
): IHpoPlot<ISlice> {
  const t = theme(element);
  return rebuilding(
    element,
    (s, w) => {
      const categories = s.axis.categories;
      const xValues = categories
        ? (_: uPlot, ticks: number[]) =>
            ticks.map(v => (Number.isInteger(v) ? (categories[v] ?? '') : ''))
        : undefined;
      const xScale: uPlot.Scale = s.axis.log
        ? { time: false, distr: 3 }
        : categories
          ? {
              time: false,
              range: () => [-0.5, Math.max(0.5, categories.length - 0.5)]
            }
          : { time: false };
      return [
        {
          width: w,
          height: HEIGHT,
          legend: { show: false },
          cursor: { drag: { x: false, y: false } },
          scales: { x: xScale },
          axes: axes(element, xValues),
          series: [
            { label: s.axis.name },
            {
              label: 'objective',
              stroke: t.brand,
              paths: () => null,
              points: { show: true, size: 5, fill: t.brand }
            }
          ]
        },
        [s.x, s.y] as uPlot.AlignedData
      ];
    },
    slice,
    width,
    (a, b) =>
      a.axis.log === b.axis.log &&
      String(a.axis.categories) === String(b.axis.categories)
  );
}

/**
 * Parallel coordinates on a canvas: one vertical axis per parameter and
 * the objective, one polyline per finished trial colored from worst
 * (light) to best (dark), the best trial drawn last and thick.
 */
export function parallelPlot(
  element: HTMLElement,
  data: IPlotData['parallel'],
  width: number
): IHpoPlot<IPlotData['parallel']> {
  const canvas = document.createElement('canvas');
  canvas.className = 'jp-laketahoe-ParallelPlot-canvas';
  element.appendChild(canvas);
  let current = data;
  let w = width;
  const draw = () => {
    const t = theme(element);
    const ratio = window.devicePixelRatio || 1;
    const height = HEIGHT + 40;
    canvas.width = Math.floor(w * ratio);
    canvas.height = Math.floor(height * ratio);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) {
      return;
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, height);
    const { axes: ax, lines } = current;
    if (ax.length < 2) {
      return;
    }
    const left = 40;
    const right = 40;
    const top = 34;
    const bottom = height - 20;
    const xOf = (i: number) =>
      left + ((w - left - right) * i) / (ax.length - 1);
    const yOf = (p: number) => bottom - p * (bottom - top);
    const stroke = (line: IParallelLine, thick: boolean) => {
      ctx.beginPath();
      let drawing = false;
      line.positions.forEach((p, i) => {
        if (p === null) {
          drawing = false;
          return;
        }
        if (drawing) {
          ctx.lineTo(xOf(i), yOf(p));
        } else {
          ctx.moveTo(xOf(i), yOf(p));
          drawing = true;
        }
      });
      ctx.lineWidth = thick ? 3 : 1;
      ctx.stroke();
    };
    ctx.strokeStyle = t.brand;
    for (const line of lines) {
      if (line.best) {
        continue;
      }
      ctx.globalAlpha = 0.15 + 0.6 * line.quality;
      stroke(line, false);
    }
    ctx.globalAlpha = 1;
    const best = lines.find(l => l.best);
    if (best) {
      ctx.strokeStyle = t.success;
      stroke(best, true);
    }
    ctx.font = `11px ${t.font}`;
    ctx.textAlign = 'center';
    ax.forEach((axis, i) => {
      const x = xOf(i);
      ctx.strokeStyle = t.text;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.fillStyle = t.text;
      ctx.fillText(axis.name, x, 12);
      ctx.fillStyle = t.muted;
      const label = (p: number) => {
        if (axis.categories) {
          const n = axis.categories.length;
          return n ? axis.categories[Math.round(p * (n - 1))] : '';
        }
        const v = axis.log
          ? Math.exp(
              Math.log(axis.min) + p * (Math.log(axis.max) - Math.log(axis.min))
            )
          : axis.min + p * (axis.max - axis.min);
        return Number(v.toPrecision(3)).toString();
      };
      ctx.fillText(label(1), x, top - 6);
      ctx.fillText(label(0), x, bottom + 14);
    });
  };
  draw();
  return {
    update: next => {
      current = next;
      draw();
    },
    setWidth: next => {
      w = next;
      draw();
    },
    destroy: () => canvas.remove()
  };
}
