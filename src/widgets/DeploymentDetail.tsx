import { ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import React from 'react';

import { useSignals } from '../components/hooks';
import { LoadingOrError } from '../components/panel';
import { DeploymentBadge } from '../components/DeploymentBadge';
import { VersionComparison } from '../components/VersionComparison';
import {
  AlertList,
  DriftTable,
  RequestCharts
} from '../components/charts/MonitoringCharts';
import { DeploymentDetailModel, DeploymentTab } from '../model/deployment';
import { IDeploymentDetailOptions } from './deployment/options';
import { Overview } from './deployment/Overview';
import { TestRequest } from './deployment/TestRequest';

/**
 * Main-area view of one deployment: overview (state, endpoint, snippets,
 * version), a test-request form and monitoring. Monitoring reloads only
 * while the view is visible.
 */
export class DeploymentDetailView extends ReactWidget {
  /** Create the view. */
  constructor(options: IDeploymentDetailOptions) {
    super();
    this._options = options;
    this.model = options.model;
    this.addClass('jp-laketahoe-DeploymentDetail');
    this.node.dataset.deployment = options.model.name;
    this.model.changed.connect(this._updateDataset, this);
    this._updateDataset();
  }

  /** The deployment's model. */
  readonly model: DeploymentDetailModel;

  /** Render the view. */
  protected render(): JSX.Element {
    return <DeploymentContent {...this._options} />;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.visible = true;
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.visible = this.isVisible;
  }

  protected onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    this.model.visible = false;
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.visible = false;
    super.onBeforeDetach(msg);
  }

  /** State and tab as data attributes (UI-test hooks). */
  private _updateDataset(): void {
    this.node.dataset.state = this.model.deployment?.state ?? '';
    this.node.dataset.tab = this.model.tab;
  }

  private _options: IDeploymentDetailOptions;
}

/** The view's content; re-renders on model signals. */
function DeploymentContent(props: IDeploymentDetailOptions): JSX.Element {
  const { model, trans } = props;
  useSignals(model.changed);
  const deployment = model.deployment;
  if (!deployment) {
    return (
      <div className="jp-laketahoe-DeploymentDetail-content">
        <h1 className="jp-laketahoe-JobDetail-title">{model.name}</h1>
        <LoadingOrError error={model.error} trans={trans} />
      </div>
    );
  }
  const tabs: [DeploymentTab, string][] = [
    ['overview', trans.__('Overview')],
    ['test', trans.__('Test')],
    ['monitoring', trans.__('Monitoring')]
  ];
  const firing = model.serving.firingAlerts(deployment.name).length;
  return (
    <div className="jp-laketahoe-DeploymentDetail-content">
      <header className="jp-laketahoe-JobDetail-heading">
        <h1 className="jp-laketahoe-JobDetail-title">{deployment.name}</h1>
        <DeploymentBadge state={deployment.state} trans={trans} />
        <span className="jp-laketahoe-DeploymentDetail-model">
          {trans.__(
            '%1 version %2',
            deployment.model.name,
            deployment.model.version
          )}
        </span>
        {deployment.state === 'UPDATING' && deployment.nextModel && (
          <span className="jp-laketahoe-DeploymentDetail-next">
            {trans.__('starting version %1', deployment.nextModel.version)}
          </span>
        )}
        {model.removed && (
          <span className="jp-laketahoe-DeploymentDetail-removed">
            {trans.__('(removed)')}
          </span>
        )}
      </header>
      <div
        className="jp-laketahoe-Tabs"
        role="tablist"
        aria-label={trans.__('Deployment views')}
      >
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            id={`${deployment.name}-tab-${id}`}
            aria-selected={model.tab === id}
            className={
              'jp-laketahoe-Tab jp-laketahoe-Tab-' +
              id +
              (model.tab === id ? ' jp-mod-current' : '')
            }
            onClick={() => {
              model.tab = id;
            }}
            onKeyDown={e => {
              // Arrow keys move between tabs, as in a WAI-ARIA tab list.
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') {
                return;
              }
              const index = tabs.findIndex(([t]) => t === model.tab);
              const next =
                (index + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) %
                tabs.length;
              model.tab = tabs[next][0];
              const parent = e.currentTarget.parentElement;
              (parent?.children[next] as HTMLElement | undefined)?.focus();
            }}
          >
            {label}
            {id === 'monitoring' && firing > 0 && (
              <span
                className="jp-laketahoe-AlertCount"
                title={trans.__('%1 alerts firing', firing)}
              >
                {firing}
              </span>
            )}
          </button>
        ))}
      </div>
      <div className="jp-laketahoe-TabPanel" role="tabpanel">
        {model.tab === 'overview' && (
          <Overview {...props} deployment={deployment} />
        )}
        {model.tab === 'test' && (
          <TestRequest {...props} deployment={deployment} />
        )}
        {model.tab === 'monitoring' && <Monitoring {...props} />}
      </div>
    </div>
  );
}

/** Request charts, drift and alerts; reloaded while shown. */
function Monitoring(props: IDeploymentDetailOptions): JSX.Element {
  const { model, trans } = props;
  useSignals(model.monitoringChanged);
  const monitoring = model.monitoring;
  return (
    <div className="jp-laketahoe-Monitoring">
      <div className="jp-laketahoe-Monitoring-toolbar">
        <span className="jp-laketahoe-Monitoring-refresh">
          {trans.__('Refreshes every %1 s', model.refreshSeconds)}
        </span>
        <button
          type="button"
          className="jp-mod-styled jp-laketahoe-Monitoring-reload"
          onClick={() => void model.refreshMonitoring()}
        >
          {trans.__('Refresh now')}
        </button>
      </div>
      {model.monitoringError && (
        <div className="jp-laketahoe-error" role="alert">
          {model.monitoringError.message}
        </div>
      )}
      {!monitoring ? (
        <p className="jp-laketahoe-empty">{trans.__('Loading…')}</p>
      ) : (
        <>
          <section className="jp-laketahoe-JobDetail-section">
            <h2>{trans.__('Champion and challengers')}</h2>
            <Comparison {...props} />
          </section>
          <section className="jp-laketahoe-JobDetail-section">
            <h2>{trans.__('Requests')}</h2>
            <RequestCharts monitoring={monitoring} trans={trans} />
          </section>
          <section className="jp-laketahoe-JobDetail-section">
            <h2>{trans.__('Feature drift')}</h2>
            <DriftTable drift={monitoring.drift} trans={trans} />
          </section>
          <section className="jp-laketahoe-JobDetail-section">
            <h2>{trans.__('Alerts')}</h2>
            <AlertList alerts={monitoring.alerts} trans={trans} />
          </section>
        </>
      )}
    </div>
  );
}

/** The champion/challengers comparison with Promote per challenger. */
function Comparison(props: IDeploymentDetailOptions): JSX.Element {
  const { model, trans } = props;
  const comparison = model.comparison;
  useSignals(comparison.changed);
  return (
    <VersionComparison
      comparison={comparison.comparison}
      challengers={model.deployment?.challengers ?? []}
      promoting={comparison.promoting}
      error={comparison.error}
      onPromote={challenger =>
        void comparison.promote(challenger.model.version)
      }
      onSwitchMode={(challenger, mode) =>
        void comparison.switchMode(challenger, mode)
      }
      trans={trans}
    />
  );
}
