import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import React, { useState } from 'react';

import { useSignals } from '../components/hooks';
import { activateOnKey, PanelHeader } from '../components/panel';
import { DeploymentBadge } from '../components/DeploymentBadge';
import { IServingModel } from '../tokens';
import { CommandIDs } from '../tokens';
import { IDeployment, IModel, IModelVersion } from '../wire';

/** Options of the models and deployments panel. */
export interface IServingPanelOptions {
  /** The shared serving model. */
  model: IServingModel;
  /** Commands to deploy and open deployments and jobs. */
  commands: CommandRegistry;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}

/** The sidebar panel listing deployments and models with their versions. */
export class ServingPanel extends ReactWidget {
  /** Create the panel. */
  constructor(options: IServingPanelOptions) {
    super();
    this._options = options;
    this.addClass('jp-laketahoe-ServingPanel');
  }

  /** Render the lists. */
  protected render(): JSX.Element {
    return <ServingPanelView {...this._options} />;
  }

  private _options: IServingPanelOptions;
}

/** The panel's content; re-renders on model signals. */
function ServingPanelView(props: IServingPanelOptions): JSX.Element {
  const { model, commands, trans } = props;
  useSignals(model.changed);
  const deployments = model.deployments;
  const models = model.models;
  return (
    <div className="jp-laketahoe-JobsPanel-content">
      <PanelHeader
        title={trans.__('Models & Deployments')}
        refreshClassName="jp-laketahoe-ServingPanel-refresh"
        onRefresh={() => void commands.execute(CommandIDs.refreshServing)}
        trans={trans}
      />
      {model.error && (
        <div className="jp-laketahoe-JobsPanel-error" role="alert">
          {model.error.message}
        </div>
      )}
      <div className="jp-laketahoe-ServingPanel-lists">
        <h3 className="jp-laketahoe-ServingPanel-heading">
          {trans.__('Deployments')}
        </h3>
        {deployments.length === 0 ? (
          <p className="jp-laketahoe-empty jp-laketahoe-DeploymentList-empty">
            {model.loading
              ? trans.__('Loading…')
              : trans.__('No deployments. Deploy a model version below.')}
          </p>
        ) : (
          <ul
            className="jp-laketahoe-DeploymentList"
            aria-label={trans.__('Deployments')}
          >
            {deployments.map(d => (
              <DeploymentItem
                key={d.name}
                deployment={d}
                firing={model.firingAlerts(d.name).length}
                commands={commands}
                trans={trans}
              />
            ))}
          </ul>
        )}
        <h3 className="jp-laketahoe-ServingPanel-heading">
          {trans.__('Models')}
        </h3>
        {models.length === 0 ? (
          <p className="jp-laketahoe-empty jp-laketahoe-ModelList-empty">
            {model.loading
              ? trans.__('Loading…')
              : trans.__(
                  'No models yet. Call laketahoe.save_model() in a training job.'
                )}
          </p>
        ) : (
          <ul
            className="jp-laketahoe-ModelList"
            aria-label={trans.__('Models')}
          >
            {models.map(m => (
              <ModelItem
                key={m.name}
                model={m}
                commands={commands}
                trans={trans}
              />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** One deployment; Enter or a click opens it. */
function DeploymentItem(props: {
  deployment: IDeployment;
  firing: number;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { deployment, firing, commands, trans } = props;
  const open = (tab?: string) =>
    void commands.execute(CommandIDs.openDeployment, {
      name: deployment.name,
      ...(tab ? { tab } : {})
    });
  return (
    <li
      className="jp-laketahoe-JobList-item jp-laketahoe-DeploymentList-item"
      data-deployment={deployment.name}
      data-state={deployment.state}
      tabIndex={0}
      title={trans.__('Open deployment %1', deployment.name)}
      onClick={() => open()}
      onKeyDown={activateOnKey(() => open())}
    >
      <div className="jp-laketahoe-JobList-row">
        <span className="jp-laketahoe-JobList-id">{deployment.name}</span>
        <DeploymentBadge state={deployment.state} trans={trans} />
      </div>
      <div className="jp-laketahoe-JobList-row">
        <span className="jp-laketahoe-JobList-notebook">
          {trans.__('%1 v%2', deployment.model.name, deployment.model.version)}
        </span>
        {firing > 0 && (
          <button
            type="button"
            className="jp-laketahoe-AlertCount jp-laketahoe-DeploymentList-alerts"
            title={trans.__('%1 alerts firing; open monitoring', firing)}
            onClick={e => {
              e.stopPropagation();
              open('monitoring');
            }}
            onKeyDown={e => e.stopPropagation()}
          >
            {trans.__('⚠ %1', firing)}
          </button>
        )}
      </div>
    </li>
  );
}

/** One model, expandable to its versions. */
function ModelItem(props: {
  model: IModel;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, commands, trans } = props;
  const [expanded, setExpanded] = useState(true);
  const versions = model.versions ?? [];
  return (
    <li className="jp-laketahoe-ModelList-item" data-model={model.name}>
      <button
        type="button"
        className="jp-laketahoe-ModelList-toggle"
        aria-expanded={expanded}
        onClick={() => setExpanded(!expanded)}
      >
        <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
        <span className="jp-laketahoe-JobList-id">{model.name}</span>
        <span className="jp-laketahoe-ModelList-latest">
          {trans.__('latest v%1', model.latestVersion)}
        </span>
      </button>
      {expanded && (
        <ul className="jp-laketahoe-VersionList">
          {versions.map(v => (
            <VersionItem
              key={v.version}
              version={v}
              commands={commands}
              trans={trans}
            />
          ))}
        </ul>
      )}
    </li>
  );
}

/** Compact `key=value` list. */
function pairs(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : JSON.stringify(v)}`
    )
    .join(', ');
}

/** One version: lineage, hyperparameters, metrics and "Deploy". */
function VersionItem(props: {
  version: IModelVersion;
  commands: CommandRegistry;
  trans: TranslationBundle;
}): JSX.Element {
  const { version, commands, trans } = props;
  const source = version.source;
  return (
    <li
      className="jp-laketahoe-VersionList-item"
      data-model={version.name}
      data-version={version.version}
    >
      <div className="jp-laketahoe-JobList-row">
        <span className="jp-laketahoe-VersionList-version">
          {trans.__('v%1', version.version)}
        </span>
        <span className="jp-laketahoe-VersionList-framework">
          {version.framework} · {version.task}
        </span>
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept jp-laketahoe-VersionList-deploy"
          onClick={() =>
            void commands.execute(CommandIDs.deploy, {
              model: version.name,
              version: version.version
            })
          }
        >
          {trans.__('Deploy')}
        </button>
      </div>
      {source && (
        <div className="jp-laketahoe-VersionList-lineage">
          {source.jobId && (
            <button
              type="button"
              className="jp-mod-styled jp-laketahoe-linkButton jp-laketahoe-VersionList-job"
              title={trans.__('Open training job %1', source.jobId)}
              onClick={() =>
                void commands.execute(CommandIDs.openJob, {
                  jobId: source.jobId
                })
              }
            >
              {source.trialId
                ? trans.__('from %1, trial %2', source.jobId, source.trialId)
                : trans.__('from %1', source.jobId)}
            </button>
          )}
          {Object.keys(source.hyperparameters ?? {}).length > 0 && (
            <div
              className="jp-laketahoe-VersionList-params"
              title={trans.__('Hyperparameters')}
            >
              {pairs(source.hyperparameters)}
            </div>
          )}
          {Object.keys(source.metrics ?? {}).length > 0 && (
            <div
              className="jp-laketahoe-VersionList-metrics"
              title={trans.__('Metrics')}
            >
              {pairs(source.metrics)}
            </div>
          )}
        </div>
      )}
    </li>
  );
}
