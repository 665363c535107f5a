/** The deployment view's test tab: an editable inference request and its answer. */
import React from 'react';

import { formatJson } from '../../model/inference';
import { IDeployment } from '../../wire';
import { IDeploymentDetailOptions } from './options';

/** The editable OIP v2 body, Send, and the answer with its latency. */
export function TestRequest(
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
