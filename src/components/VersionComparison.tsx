import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { comparisonSeries, IComparisonSeries } from '../model/challengers';
import { IChallenger, IVersionComparison } from '../wire';

/** Props of {@link VersionComparison}. */
export interface IVersionComparisonProps {
  /** The comparison, null while loading. */
  comparison: IVersionComparison | null;
  /** The deployment's challengers (none, or up to three). */
  challengers: IChallenger[];
  /** Whether a promotion or a mode switch is under way. */
  promoting: boolean;
  /** The last error. */
  error: Error | null;
  /** Promote one challenger. */
  onPromote(challenger: IChallenger): void;
  /** Serve one challenger as a canary or a shadow instead. */
  onSwitchMode?(challenger: IChallenger, mode: 'canary' | 'shadow'): void;
  /** Translations. */
  trans: TranslationBundle;
}

const BAR_WIDTH = 160;

/** One figure as horizontal bars, one per version, scaled to the largest. */
function Bars(props: { series: IComparisonSeries }): JSX.Element {
  const { series } = props;
  const max = Math.max(0, ...series.bars.map(b => b.value ?? 0));
  const rowHeight = 18;
  return (
    <figure className="jp-laketahoe-Comparison-plot" data-figure={series.label}>
      <figcaption>{series.label}</figcaption>
      <svg
        width={BAR_WIDTH + 120}
        height={series.bars.length * rowHeight}
        role="img"
        aria-label={series.label}
      >
        {series.bars.map((bar, i) => {
          const width =
            max > 0 && bar.value !== null ? (bar.value / max) * BAR_WIDTH : 0;
          return (
            <g key={bar.label} transform={`translate(0, ${i * rowHeight})`}>
              <text x={0} y={13} className="jp-laketahoe-Comparison-barLabel">
                {bar.label}
              </text>
              <rect
                x={40}
                y={3}
                width={width}
                height={12}
                className={`jp-laketahoe-Comparison-bar jp-mod-${bar.role}`}
                data-value={bar.value ?? ''}
              />
              <text x={44 + width} y={13}>
                {bar.value === null
                  ? '–'
                  : `${Number(bar.value.toFixed(2))}${series.unit}`}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/**
 * Champion and challengers side by side: one line per challenger with its
 * traffic, a mode switch and Promote; a table of requests, errors, latency
 * percentiles, shadow agreement and top predictions; bar plots of the
 * numbers people compare.
 */
export function VersionComparison(props: IVersionComparisonProps): JSX.Element {
  const {
    comparison,
    challengers,
    promoting,
    error,
    onPromote,
    onSwitchMode,
    trans
  } = props;
  const fmt = (v: number | null) => (v === null ? '–' : v.toFixed(1));
  return (
    <div className="jp-laketahoe-Comparison">
      {challengers.map(challenger => (
        <div
          key={challenger.model.version}
          className="jp-laketahoe-Comparison-challenger"
          data-version={challenger.model.version}
        >
          <span>
            {challenger.mode === 'canary'
              ? trans.__(
                  'Challenger version %1 answers %2% of requests (%3)',
                  challenger.model.version,
                  challenger.weight,
                  challenger.state
                )
              : trans.__(
                  'Challenger version %1 gets a shadow copy of every request (%2)',
                  challenger.model.version,
                  challenger.state
                )}
          </span>
          {onSwitchMode && (
            <button
              type="button"
              className="jp-mod-styled jp-laketahoe-Comparison-mode"
              disabled={promoting}
              onClick={() =>
                onSwitchMode(
                  challenger,
                  challenger.mode === 'canary' ? 'shadow' : 'canary'
                )
              }
            >
              {challenger.mode === 'canary'
                ? trans.__('Shadow instead')
                : trans.__('Canary instead')}
            </button>
          )}
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-laketahoe-Comparison-promote"
            disabled={promoting || challenger.state !== 'READY'}
            onClick={() => onPromote(challenger)}
            aria-label={trans.__(
              'Promote version %1',
              challenger.model.version
            )}
          >
            {trans.__('Promote')}
          </button>
        </div>
      ))}
      {error && (
        <div className="jp-laketahoe-error" role="alert">
          {error.message}
        </div>
      )}
      {!comparison || comparison.versions.length === 0 ? (
        <p className="jp-laketahoe-empty">
          {challengers.length === 0
            ? trans.__(
                'No challenger: versions are compared while a challenger serves beside the champion.'
              )
            : trans.__('No requests yet.')}
        </p>
      ) : (
        <>
          <table className="jp-laketahoe-Comparison-table">
            <thead>
              <tr>
                <th>{trans.__('Version')}</th>
                <th>{trans.__('Role')}</th>
                <th>{trans.__('Requests')}</th>
                <th>{trans.__('Returned')}</th>
                <th>{trans.__('Errors')}</th>
                <th>{trans.__('p50 ms')}</th>
                <th>{trans.__('p95 ms')}</th>
                <th>{trans.__('p99 ms')}</th>
                <th>{trans.__('Agreement')}</th>
                <th>{trans.__('Predictions')}</th>
              </tr>
            </thead>
            <tbody>
              {comparison.versions.map(v => (
                <tr key={`${v.model}:${v.version}`} data-role={v.role}>
                  <td>{v.version}</td>
                  <td>
                    {v.role === 'champion'
                      ? trans.__('champion')
                      : trans.__('challenger')}
                  </td>
                  <td>{v.requests}</td>
                  <td>{v.returned}</td>
                  <td>{`${(v.errorRate * 100).toFixed(1)}%`}</td>
                  <td>{fmt(v.latencyMs.p50)}</td>
                  <td>{fmt(v.latencyMs.p95)}</td>
                  <td>{fmt(v.latencyMs.p99)}</td>
                  <td>
                    {v.agreement?.rate === null ||
                    v.agreement?.rate === undefined
                      ? '–'
                      : `${(v.agreement.rate * 100).toFixed(1)}%`}
                  </td>
                  <td>
                    {v.predictions
                      .slice(0, 4)
                      .map(p => `${p.value}: ${p.count}`)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {comparison.agreement.rate !== null && (
            <p className="jp-laketahoe-Comparison-agreement">
              {trans.__(
                'Shadow agreement, all challengers: %1% of %2 requests',
                (comparison.agreement.rate * 100).toFixed(1),
                comparison.agreement.compared
              )}
            </p>
          )}
          {comparison.predictionDrift !== null && (
            <p className="jp-laketahoe-Comparison-drift">
              {trans.__(
                'Largest prediction drift from the champion (Jensen-Shannon): %1',
                comparison.predictionDrift.toFixed(3)
              )}
            </p>
          )}
          <div className="jp-laketahoe-Comparison-plots">
            {comparisonSeries(comparison).map(s => (
              <Bars key={s.label} series={s} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
