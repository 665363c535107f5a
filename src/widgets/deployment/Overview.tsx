/** The deployment view's overview tab: state, endpoint, snippets, version, history and undeploy. */
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { StateTimeline } from '../../components/states';
import { DeploymentBadge } from '../../components/DeploymentBadge';
import {
  curlSnippet,
  endpointUrl,
  parseInferRequest,
  pythonSnippet
} from '../../model/inference';
import { IDeployment } from '../../wire';
import { IDeploymentDetailActions, IDeploymentDetailOptions } from './options';
import { Scaling } from './Scaling';

/** State, endpoint, snippets, version, replicas, history and undeploy. */
export function Overview(
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
          <h2>{trans.__('Replicas and autoscaling')}</h2>
          <Scaling
            deployment={deployment}
            onSave={request => model.scale(request)}
            trans={trans}
          />
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
