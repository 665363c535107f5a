/** The plots of the trials browser: history, learning curves, parallel coordinates, importance, slices. */
import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useMemo, useRef, useState } from 'react';

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
import { plotTurn } from './plotTurns';

/** Milliseconds between plot redraws while trial events stream in. */
export const PLOT_REDRAW_MS = 1000;

/** Whether any trial has something to plot. */
function hasPlotData(model: TrialsModel): boolean {
  return model.trials.some(
    t => objectiveOf(t) !== null || (t.allMetrics?.length ?? 0) > 0
  );
}

/** Objectives of the finished trials against their parameters. */
function importanceOf(model: TrialsModel): IParameterImportance[] {
  const done = model.trials.filter(t => objectiveOf(t) !== null);
  return parameterImportance(
    done.map(t => ({
      params: t.hyperparameters ?? {},
      objective: objectiveOf(t) as number
    })),
    model.parameterNames
  );
}

/**
 * Every plot, redrawn at most once per {@link PLOT_REDRAW_MS} when trials
 * change; sorting, filtering and selecting in the grid redraw nothing. Each
 * plot computes its data from the model when its turn comes (see
 * {@link plotTurn}), so the grid shows before the plots and no task draws
 * them all.
 */
export function TrialsPlots(props: ITrialsViewOptions): JSX.Element {
  const { model, trans } = props;
  useThrottledSignal(model.trialsChanged, PLOT_REDRAW_MS);
  useEffect(() => {
    // Loaded while the trials are: the plots draw once they all are there.
    void import('../../components/charts/hpoCharts');
  }, []);
  const version = model.version;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const shown = useMemo(() => hasPlotData(model), [model, version]);
  if (!shown) {
    return (
      <div className="jp-laketahoe-TrialsPlots jp-laketahoe-empty">
        {trans.__('Plots appear once trials report the metric.')}
      </div>
    );
  }
  const bestId = () => model.bestTrial?.trialId ?? null;
  return (
    <div className="jp-laketahoe-TrialsPlots">
      <Plot
        kind="history"
        title={() => trans.__('Optimization history')}
        compute={() => historyData(model.trials, model.goal)}
        version={version}
        trans={trans}
      />
      <Plot
        kind="curves"
        title={() => trans.__('Intermediate values (dashed: stopped early)')}
        compute={() =>
          // While loading, trials carry only their last value (trialsLoad.ts).
          learningCurves(model.loading ? [] : model.trials, bestId())
        }
        version={version}
        trans={trans}
      />
      <Plot
        kind="parallel"
        title={() => trans.__('Parallel coordinates')}
        compute={() =>
          parallelData(
            model.trials,
            model.parameterNames,
            model.parameterSpecs,
            model.goal,
            model.metricTag,
            bestId()
          )
        }
        version={version}
        trans={trans}
      />
      <ImportanceChart model={model} version={version} trans={trans} />
      {model.parameterNames.map(name => (
        <Plot
          key={name}
          kind="slice"
          name={name}
          title={slice =>
            trans.__(
              'Slice: %1%2',
              name,
              slice?.axis.log ? trans.__(' (log)') : ''
            )
          }
          compute={() =>
            sliceData(model.trials, [name], model.parameterSpecs)[0]
          }
          version={version}
          trans={trans}
        />
      ))}
    </div>
  );
}

/**
 * One chart of the lazily loaded chart module: drawn, and redrawn for each
 * new `version`, with the data `compute` gives when the plot's turn comes.
 */
function Plot<K extends keyof IPlotData>(props: {
  kind: K;
  title: (data: IPlotData[K] | null) => string;
  compute: () => IPlotData[K];
  version: number;
  name?: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { kind, title, compute, version, name, trans } = props;
  const latest = useRef(compute);
  latest.current = compute;
  const [caption, setCaption] = useState(() => title(null));
  const titleOf = useRef(title);
  titleOf.current = title;
  const shownVersion = useRef(version);
  shownVersion.current = version;
  const figure = useRef<HTMLElement>(null);
  const computed = (): IPlotData[K] => {
    const data = latest.current();
    setCaption(titleOf.current(data));
    // The model version drawn, in the task that draws it (for UI tests and
    // the trials bench: a plot is current once it shows the model's version).
    figure.current?.setAttribute('data-version', String(shownVersion.current));
    return data;
  };
  const {
    host,
    chart: plot,
    failed
  } = useLazyChart<IHpoPlot<IPlotData[K]>>(
    async () => {
      const charts = await import('../../components/charts/hpoCharts');
      await plotTurn();
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
      // Data of the version current when drawn: later ones redraw below.
      return (element, width) => create(element, computed(), width);
    },
    240,
    [kind]
  );

  useEffect(() => {
    if (!plot.current) {
      // Not drawn yet: drawing reads the latest data.
      return;
    }
    let current = true;
    void plotTurn().then(() => {
      if (current) {
        plot.current?.update(computed());
      }
    });
    return () => {
      current = false;
    };
    // `computed` reads the latest props through refs.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [plot, version]);

  return (
    <figure
      ref={figure}
      className="jp-laketahoe-TrialsPlot"
      data-plot={kind}
      data-parameter={name}
    >
      <figcaption className="jp-laketahoe-MetricChart-title">
        {caption}
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
  model: TrialsModel;
  version: number;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, version, trans } = props;
  // Null until computed in its turn.
  const [importance, setImportance] = useState<IParameterImportance[] | null>(
    null
  );
  useEffect(() => {
    let current = true;
    void plotTurn().then(() => {
      if (current) {
        setImportance(importanceOf(model));
      }
    });
    return () => {
      current = false;
    };
  }, [model, version]);
  const sorted = [...(importance ?? [])].sort((a, b) => b.share - a.share);
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
      {importance === null ? null : sorted.every(i => i.groups === 0) ? (
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
