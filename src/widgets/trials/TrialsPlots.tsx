/** The plots of the trials browser: history, learning curves, parallel coordinates, importance, slices. */
import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useMemo, useRef } from 'react';

import { useThrottledSignal } from '../../components/hooks';
import type { IHpoPlot, IPlotData } from '../../components/charts/hpoCharts';
import { useLazyChart } from '../../components/charts/lazyChart';
import { LazyChartPlot } from '../../components/charts/LazyChartPlot';
import {
  IParameterImportance,
  parameterImportance
} from '../../model/importance';
import {
  historyData,
  learningCurves,
  parallelData,
  sliceData
} from '../../model/plots';
import { objectiveOf } from '../../model/trialTable';
import { TrialsModel } from '../../model/trials';
import { ITrialsViewOptions } from './options';

/** Milliseconds between plot redraws while trial events stream in. */
export const PLOT_REDRAW_MS = 1000;

/** The data of every plot, from one version of the trials. */
function plotsData(model: TrialsModel) {
  const trials = model.trials;
  const names = model.parameterNames;
  const specs = model.parameterSpecs;
  const bestId = model.bestTrial?.trialId ?? null;
  const done = trials.filter(t => objectiveOf(t) !== null);
  if (done.length === 0 && !trials.some(t => t.allMetrics?.length)) {
    return null;
  }
  return {
    importance: parameterImportance(
      done.map(t => ({
        params: t.hyperparameters ?? {},
        objective: objectiveOf(t) as number
      })),
      names
    ),
    history: historyData(trials, model.goal),
    curves: learningCurves(trials, bestId),
    parallel: parallelData(
      trials,
      names,
      specs,
      model.goal,
      model.metricTag,
      bestId
    ),
    slices: sliceData(trials, names, specs)
  };
}

/**
 * Every plot, redrawn at most once per {@link PLOT_REDRAW_MS} when trials
 * change; sorting, filtering and selecting in the grid redraw nothing.
 */
export function TrialsPlots(props: ITrialsViewOptions): JSX.Element {
  const { model, trans } = props;
  useThrottledSignal(model.trialsChanged, PLOT_REDRAW_MS);
  const version = model.version;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const data = useMemo(() => plotsData(model), [model, version]);
  if (!data) {
    return (
      <div className="jp-laketahoe-TrialsPlots jp-laketahoe-empty">
        {trans.__('Plots appear once trials report the metric.')}
      </div>
    );
  }
  return (
    <div className="jp-laketahoe-TrialsPlots">
      <Plot
        kind="history"
        title={trans.__('Optimization history')}
        data={data.history}
        trans={trans}
      />
      <Plot
        kind="curves"
        title={trans.__('Intermediate values (dashed: stopped early)')}
        data={data.curves}
        trans={trans}
      />
      <Plot
        kind="parallel"
        title={trans.__('Parallel coordinates')}
        data={data.parallel}
        trans={trans}
      />
      <ImportanceChart importance={data.importance} trans={trans} />
      {data.slices.map(slice => (
        <Plot
          key={slice.axis.name}
          kind="slice"
          name={slice.axis.name}
          title={trans.__(
            'Slice: %1%2',
            slice.axis.name,
            slice.axis.log ? trans.__(' (log)') : ''
          )}
          data={slice}
          trans={trans}
        />
      ))}
    </div>
  );
}

/** One chart of the lazily loaded chart module. */
function Plot<K extends keyof IPlotData>(props: {
  kind: K;
  title: string;
  data: IPlotData[K];
  name?: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { kind, title, data, name, trans } = props;
  const latest = useRef(data);
  latest.current = data;
  const {
    host,
    chart: plot,
    failed
  } = useLazyChart<IHpoPlot<IPlotData[K]>>(
    async () => {
      const charts = await import('../../components/charts/hpoCharts');
      const create = {
        history: charts.historyPlot,
        curves: charts.curvesPlot,
        slice: charts.slicePlot,
        parallel: charts.parallelPlot
      }[kind] as unknown as (
        el: HTMLElement,
        d: IPlotData[K],
        w: number
      ) => IHpoPlot<IPlotData[K]>;
      return (element, width) => create(element, latest.current, width);
    },
    240,
    [kind]
  );

  useEffect(() => {
    plot.current?.update(data);
  }, [plot, data]);

  return (
    <figure
      className="jp-laketahoe-TrialsPlot"
      data-plot={kind}
      data-parameter={name}
    >
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

/** Parameter importance as horizontal bars (see model/importance.ts). */
function ImportanceChart(props: {
  importance: IParameterImportance[];
  trans: TranslationBundle;
}): JSX.Element {
  const { importance, trans } = props;
  const sorted = [...importance].sort((a, b) => b.share - a.share);
  return (
    <figure className="jp-laketahoe-TrialsPlot" data-plot="importance">
      <figcaption
        className="jp-laketahoe-MetricChart-title"
        title={trans.__(
          'Share of the objective variance explained by each parameter alone (bias-corrected correlation ratio over binned values); interactions are not counted.'
        )}
      >
        {trans.__('Parameter importance')}
      </figcaption>
      {sorted.every(i => i.groups === 0) ? (
        <p className="jp-laketahoe-empty">
          {trans.__('Needs at least 3 finished trials.')}
        </p>
      ) : (
        <svg
          className="jp-laketahoe-Importance"
          width="100%"
          height={sorted.length * 22 + 4}
          role="img"
          aria-label={trans.__('Parameter importance')}
        >
          {sorted.map((item, i) => (
            <g
              key={item.name}
              transform={`translate(0, ${i * 22 + 2})`}
              data-parameter={item.name}
            >
              <text x="0" y="14" className="jp-laketahoe-Importance-label">
                {item.name}
              </text>
              <rect
                x="30%"
                y="3"
                height="14"
                width={`${Math.max(0.5, item.share * 55)}%`}
                className="jp-laketahoe-Importance-bar"
              />
              <text
                x="98%"
                y="14"
                textAnchor="end"
                className="jp-laketahoe-Importance-value"
              >
                {`${Math.round(item.share * 100)}%`}
              </text>
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}
