import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import React from 'react';

import {
  LoadingOrError,
  StateTimeline,
  useSignals
} from '../components/common';
import { DeploymentBadge } from '../components/DeploymentBadge';
import { VersionComparison } from '../components/VersionComparison';
import {
  AlertList,
  DriftTable,
  RequestCharts
} from '../components/MonitoringCharts';
import { DeploymentDetailModel, DeploymentTab } from '../model/deployment';
import {
  curlSnippet,
  endpointUrl,
  formatJson,
  parseInferRequest,
  pythonSnippet
} from '../model/inference';
import { IDeployment } from '../types';

/** Actions the deployment view delegates to its plugin. */
export interface IDeploymentDetailActions {
  /** Remove the deployment (after confirmation). */
  undeploy(name: string): void;
  /** Serve another version of the model. */
  switchVersion(name: string, version: number): void;
  /** Open a training job's detail view. */
  openJob(jobId: string): void;
  /** Copy text to the clipboard (and say so). */
  copy(text: string): void;
}

/** Options of a deployment view. */
export interface IDeploymentDetailOptions {
  /** The deployment's model. */
  model: DeploymentDetailModel;
  /** What the buttons do. */
  actions: IDeploymentDetailActions;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}

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

/** State, endpoint, snippets, version, replicas, history and undeploy. */
function Overview(
  props: IDeploymentDetailOptions & { deployment: IDeployment }
): JSX.Element {
  const { model, actions, trans, deployment } = props;
  const url = endpointUrl(
    model.serving.client.serverSettings.baseUrl,
    deployment
  );
  const parsed = parseInferRequest(model.requestText);
  const request = 'request' in parsed ? parsed.request : { inputs: [] };
  const versions =
    model.serving.models.find(m => m.name === deployment.model.name)
      ?.versions ?? [];
  const source = model.version?.source;
  const sourceJob = source?.jobId;
  const curl = curlSnippet(url, request);
  const python = pythonSnippet(deployment, request);
  return (
    <div className="jp-laketahoe-DeploymentOverview">
      {deployment.state === 'FAILED' && deployment.errorMessage && (
        <section className="jp-laketahoe-JobDetail-section">
          <h2>{trans.__('Error')}</h2>
          <pre className="jp-laketahoe-JobDetail-errorMessage jp-laketahoe-DeploymentDetail-errorMessage">
            {deployment.errorMessage}
          </pre>
        </section>
      )}
      <section className="jp-laketahoe-JobDetail-section">
        <h2>{trans.__('Endpoint')}</h2>
        <div className="jp-laketahoe-Endpoint">
          <code className="jp-laketahoe-Endpoint-url">{url}</code>
          <button
            type="button"
            className="jp-mod-styled jp-laketahoe-Endpoint-copy"
            onClick={() => actions.copy(url)}
          >
            {trans.__('Copy URL')}
          </button>
        </div>
        <Snippet
          kind="curl"
          title={trans.__('curl')}
          text={curl}
          actions={actions}
          trans={trans}
        />
        <Snippet
          kind="python"
          title={trans.__('Python (in a kernel)')}
          text={python}
          actions={actions}
          trans={trans}
        />
      </section>
      <div className="jp-laketahoe-JobDetail-columns">
        <section className="jp-laketahoe-JobDetail-section">
          <h2>{trans.__('Serving')}</h2>
          <dl className="jp-laketahoe-JobSpec-fields">
            <dt>{trans.__('Model')}</dt>
            <dd>{deployment.model.name}</dd>
            <dt>{trans.__('Version')}</dt>
            <dd>
              <label className="jp-laketahoe-DeploymentDetail-version">
                <span className="jp-laketahoe-visuallyHidden">
                  {trans.__('Switch version')}
                </span>
                <select
                  className="jp-mod-styled"
                  name="version"
                  value={deployment.model.version}
                  disabled={
                    versions.length < 2 ||
                    deployment.state === 'UPDATING' ||
                    deployment.state === 'DEPLOYING'
                  }
                  onChange={e =>
                    actions.switchVersion(
                      deployment.name,
                      Number(e.target.value)
                    )
                  }
                >
                  {(versions.length
                    ? versions.map(v => v.version)
                    : [deployment.model.version]
                  ).map(v => (
                    <option key={v} value={v}>
                      {trans.__('Version %1', v)}
                    </option>
                  ))}
                </select>
              </label>
            </dd>
            <dt>{trans.__('Replicas')}</dt>
            <dd>{deployment.replicas}</dd>
            <dt>{trans.__('Restarts')}</dt>
            <dd className="jp-laketahoe-DeploymentDetail-restarts">
              {deployment.restarts}
            </dd>
            <dt>{trans.__('Framework')}</dt>
            <dd>
              {model.version
                ? `${model.version.framework} ${model.version.frameworkVersion}`
                : '—'}
            </dd>
            <dt>{trans.__('Source')}</dt>
            <dd>
              {source && sourceJob ? (
                <button
                  type="button"
                  className="jp-mod-styled jp-laketahoe-linkButton jp-laketahoe-DeploymentDetail-openJob"
                  onClick={() => actions.openJob(sourceJob)}
                >
                  {source.trialId
                    ? trans.__('job %1, trial %2', sourceJob, source.trialId)
                    : trans.__('job %1', sourceJob)}
                </button>
              ) : (
                '—'
              )}
            </dd>
            <dt>{trans.__('Created')}</dt>
            <dd>{new Date(deployment.createTime).toLocaleString()}</dd>
          </dl>
          <button
            type="button"
            className="jp-mod-styled jp-mod-warn jp-laketahoe-DeploymentDetail-undeploy"
            disabled={deployment.state === 'DELETING' || model.removed}
            onClick={() => actions.undeploy(deployment.name)}
          >
            {trans.__('Undeploy')}
          </button>
        </section>
        <section className="jp-laketahoe-JobDetail-section">
          <h2>{trans.__('History')}</h2>
          <StateTimeline
            history={deployment.stateHistory}
            badge={state => <DeploymentBadge state={state} trans={trans} />}
          />
        </section>
      </div>
    </div>
  );
}

/** A code snippet with a copy button. */
function Snippet(props: {
  kind: string;
  title: string;
  text: string;
  actions: IDeploymentDetailActions;
  trans: TranslationBundle;
}): JSX.Element {
  const { kind, title, text, actions, trans } = props;
  return (
    <figure className="jp-laketahoe-Snippet" data-snippet={kind}>
      <figcaption>
        {title}
        <button
          type="button"
          className="jp-mod-styled jp-laketahoe-linkButton jp-laketahoe-Snippet-copy"
          onClick={() => actions.copy(text)}
        >
          {trans.__('Copy')}
        </button>
      </figcaption>
      <pre>{text}</pre>
    </figure>
  );
}

/** The editable OIP v2 body, Send, and the answer with its latency. */
function TestRequest(
  props: IDeploymentDetailOptions & { deployment: IDeployment }
): JSX.Element {
  const { model, trans, deployment } = props;
  const result = model.result;
  const ready = deployment.state === 'READY' || deployment.state === 'UPDATING';
  return (
    <div className="jp-laketahoe-TestRequest">
      <label className="jp-laketahoe-TestRequest-label">
        <span>
          {trans.__(
            'Inference request (Open Inference Protocol v2), built from the model signature and training baseline'
          )}
        </span>
        <textarea
          className="jp-mod-styled jp-laketahoe-TestRequest-body"
          name="requestBody"
          spellCheck={false}
          rows={14}
          value={model.requestText}
          onChange={e => {
            model.requestText = e.target.value;
          }}
          onKeyDown={e => {
            // Ctrl/Cmd+Enter sends, as in a notebook cell.
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void model.send();
            }
          }}
        />
      </label>
      <div className="jp-laketahoe-TestRequest-actions">
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-laketahoe-TestRequest-send"
          disabled={model.sending}
          onClick={() => void model.send()}
        >
          {model.sending ? trans.__('Sending…') : trans.__('Send')}
        </button>
        <button
          type="button"
          className="jp-mod-styled jp-laketahoe-TestRequest-reset"
          onClick={() => model.resetRequest()}
        >
          {trans.__('Reset from signature')}
        </button>
        {!ready && (
          <span className="jp-laketahoe-TestRequest-hint">
            {trans.__('The deployment is not ready yet.')}
          </span>
        )}
      </div>
      {result && (
        <div
          className="jp-laketahoe-TestRequest-result"
          data-ok={String(result.ok)}
        >
          <div className="jp-laketahoe-TestRequest-latency">
            {result.ok
              ? trans.__('Answered in %1 ms', result.latencyMs.toFixed(1))
              : trans.__('Failed after %1 ms', result.latencyMs.toFixed(1))}
          </div>
          {result.ok ? (
            <pre className="jp-laketahoe-TestRequest-response">
              {formatJson(result.body)}
            </pre>
          ) : (
            <pre
              className="jp-laketahoe-TestRequest-error jp-laketahoe-error"
              role="alert"
            >
              {String(result.body)}
            </pre>
          )}
        </div>
      )}
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
            <h2>{trans.__('Champion and challenger')}</h2>
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

/** The champion/challenger comparison with Promote. */
function Comparison(props: IDeploymentDetailOptions): JSX.Element {
  const { model, trans } = props;
  const comparison = model.comparison;
  useSignals(comparison.changed);
  return (
    <VersionComparison
      comparison={comparison.comparison}
      challenger={model.deployment?.challenger}
      promoting={comparison.promoting}
      error={comparison.error}
      onPromote={() => void comparison.promote()}
      trans={trans}
    />
  );
}
