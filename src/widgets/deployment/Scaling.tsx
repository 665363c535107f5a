/**
 * Replicas and autoscaling of a deployment: a small form on Kubernetes,
 * read-only on the local backend (which runs exactly one model server).
 */
import { TranslationBundle } from '@jupyterlab/translation';
import React, { useEffect, useId, useState } from 'react';

import { IDeployment, IUpdateDeploymentRequest } from '../../wire';

/** The request the form sends: replicas and autoscaling only. */
export type IScalingRequest = Pick<
  IUpdateDeploymentRequest,
  'replicas' | 'autoscaling'
>;

/** Props of the scaling section. */
export interface IScalingProps {
  deployment: IDeployment;
  /** Send the change (PATCH); rejects with the API's error. */
  onSave(request: IScalingRequest): Promise<unknown>;
  trans: TranslationBundle;
}

/** The form's fields, as typed (strings until sent). */
interface IScalingDraft {
  replicas: string;
  autoscale: boolean;
  minReplicas: string;
  maxReplicas: string;
  /** What decides the replicas: requests in flight at the service, or CPU use. */
  metric: 'inflight' | 'cpu';
  targetInflight: string;
  targetCpuPercent: string;
  /** Empty: the service's default. Kept as stored, so saving other fields does not reset it. */
  scaleDownDelaySeconds: string;
}

/** Field paths of the API (`field` of a 400) that the form shows. */
type ScalingField =
  | 'replicas'
  | 'autoscaling'
  | 'autoscaling.minReplicas'
  | 'autoscaling.maxReplicas'
  | 'autoscaling.metric'
  | 'autoscaling.targetInflight'
  | 'autoscaling.targetCpuPercent'
  | 'autoscaling.scaleDownDelaySeconds';

/** Target requests in flight per replica when the deployment gives none (the service's default). */
const DEFAULT_TARGET_INFLIGHT = 4;
/** Target CPU use per replica, in percent of its request, when the deployment gives none. */
const DEFAULT_TARGET_CPU_PERCENT = 60;
/** How long a lower load lasts before replicas go, when the deployment gives none (the service's default). */
const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 60;

/** The draft the deployment's current settings give. */
export function draftOf(deployment: IDeployment): IScalingDraft {
  const auto = deployment.autoscaling;
  return {
    replicas: String(deployment.replicas),
    autoscale: !!auto,
    minReplicas: String(auto?.minReplicas ?? 1),
    maxReplicas: String(auto?.maxReplicas ?? Math.max(deployment.replicas, 2)),
    metric: auto?.metric ?? 'inflight',
    targetInflight: String(auto?.targetInflight ?? DEFAULT_TARGET_INFLIGHT),
    targetCpuPercent: String(
      auto?.targetCpuPercent ?? DEFAULT_TARGET_CPU_PERCENT
    ),
    scaleDownDelaySeconds:
      auto?.scaleDownDelaySeconds === undefined
        ? ''
        : String(auto.scaleDownDelaySeconds)
  };
}

/** The request a draft sends; the service validates the numbers. */
export function requestOf(draft: IScalingDraft): IScalingRequest {
  if (!draft.autoscale) {
    return { replicas: Number(draft.replicas), autoscaling: null };
  }
  const delay = draft.scaleDownDelaySeconds.trim();
  const bounds = {
    minReplicas: Number(draft.minReplicas),
    maxReplicas: Number(draft.maxReplicas),
    ...(delay === '' ? {} : { scaleDownDelaySeconds: Number(delay) })
  };
  if (draft.metric === 'cpu') {
    return {
      autoscaling: {
        ...bounds,
        metric: 'cpu',
        targetCpuPercent: Number(draft.targetCpuPercent)
      }
    };
  }
  return {
    autoscaling: { ...bounds, targetInflight: Number(draft.targetInflight) }
  };
}

/** One sentence on the settings the deployment has (not the draft being edited). */
export function summaryOf(
  deployment: IDeployment,
  trans: TranslationBundle
): string {
  const auto = deployment.autoscaling;
  if (!auto) {
    return trans._n(
      'Fixed at %1 replica.',
      'Fixed at %1 replicas.',
      deployment.replicas
    );
  }
  const now = trans._n(
    '%1 replica now.',
    '%1 replicas now.',
    deployment.replicas
  );
  const target =
    auto.metric === 'cpu'
      ? trans.__(
          '%1% CPU per replica',
          auto.targetCpuPercent ?? DEFAULT_TARGET_CPU_PERCENT
        )
      : trans.__(
          '%1 requests in flight per replica',
          auto.targetInflight ?? DEFAULT_TARGET_INFLIGHT
        );
  return trans.__(
    'Autoscaling between %1 and %2 replicas, aiming at %3; %4',
    auto.minReplicas,
    auto.maxReplicas,
    target,
    now
  );
}

/** Replicas and autoscaling: editable on Kubernetes, read-only locally. */
export function Scaling(props: IScalingProps): JSX.Element {
  const { deployment, trans } = props;
  if (deployment.backend !== 'kubernetes') {
    return <ScalingSummary deployment={deployment} trans={trans} />;
  }
  return <ScalingForm {...props} />;
}

/** The local backend's fixed single replica. */
function ScalingSummary(props: {
  deployment: IDeployment;
  trans: TranslationBundle;
}): JSX.Element {
  const { deployment, trans } = props;
  return (
    <div className="jp-laketahoe-Scaling jp-laketahoe-Scaling-readonly">
      <dl className="jp-laketahoe-JobDetail-fields">
        <dt>{trans.__('Replicas')}</dt>
        <dd className="jp-laketahoe-Scaling-replicas">{deployment.replicas}</dd>
        <dt>{trans.__('Autoscaling')}</dt>
        <dd>{trans.__('Off')}</dd>
      </dl>
      <p className="jp-laketahoe-Scaling-note">
        {trans.__(
          'Local deployments run one model server; replicas and autoscaling apply on Kubernetes.'
        )}
      </p>
    </div>
  );
}

/** The editable form (Kubernetes). */
function ScalingForm(props: IScalingProps): JSX.Element {
  const { deployment, onSave, trans } = props;
  const [draft, setDraft] = useState(() => draftOf(deployment));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<{
    message: string;
    field?: string;
  } | null>(null);
  const [dirty, setDirty] = useState(false);
  const idPrefix = useId();

  // Follow the deployment's settings until the user starts editing.
  const current = JSON.stringify(draftOf(deployment));
  useEffect(() => {
    if (!dirty) {
      setDraft(JSON.parse(current) as IScalingDraft);
    }
  }, [current, dirty]);

  const update = (change: Partial<IScalingDraft>) => {
    setDraft(d => ({ ...d, ...change }));
    setDirty(true);
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await onSave(requestOf(draft));
      setDirty(false);
    } catch (e) {
      const err = e as { message?: string; field?: string };
      setError({ message: err.message ?? String(e), field: err.field });
    } finally {
      setSaving(false);
    }
  };

  // An error naming a field shows beside it; any other error below the form.
  const fieldError = (field: ScalingField) =>
    error?.field === field ? error.message : undefined;
  const shownByField = (
    [
      'replicas',
      'autoscaling',
      'autoscaling.minReplicas',
      'autoscaling.maxReplicas',
      'autoscaling.metric',
      'autoscaling.targetInflight',
      'autoscaling.targetCpuPercent',
      'autoscaling.scaleDownDelaySeconds'
    ] as ScalingField[]
  ).some(f => fieldError(f) !== undefined && isShown(f, draft));

  const numberField = (
    field: ScalingField,
    label: string,
    value: string,
    onChange: (value: string) => void,
    min: number,
    max?: number,
    placeholder?: string
  ) => {
    const id = `${idPrefix}-${field}`;
    const message = fieldError(field);
    return (
      <div className="jp-laketahoe-Scaling-field" data-field={field}>
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          className="jp-mod-styled"
          type="number"
          min={min}
          max={max}
          step={1}
          required={placeholder === undefined}
          placeholder={placeholder}
          value={value}
          aria-invalid={message !== undefined}
          aria-describedby={message !== undefined ? `${id}-error` : undefined}
          onChange={e => onChange(e.target.value)}
        />
        {message !== undefined && (
          <span
            id={`${id}-error`}
            className="jp-laketahoe-Scaling-fieldError jp-laketahoe-error"
            role="alert"
          >
            {message}
          </span>
        )}
      </div>
    );
  };

  return (
    <form
      className="jp-laketahoe-Scaling"
      aria-label={trans.__('Replicas and autoscaling')}
      onSubmit={e => void submit(e)}
    >
      <p className="jp-laketahoe-Scaling-summary" aria-live="polite">
        {summaryOf(deployment, trans)}
      </p>
      <div className="jp-laketahoe-Scaling-field">
        <label>
          <input
            type="checkbox"
            className="jp-laketahoe-Scaling-autoscale"
            checked={draft.autoscale}
            aria-invalid={fieldError('autoscaling') !== undefined}
            onChange={e => update({ autoscale: e.target.checked })}
          />{' '}
          {trans.__('Autoscale')}
        </label>
        {fieldError('autoscaling') !== undefined && (
          <span
            className="jp-laketahoe-Scaling-fieldError jp-laketahoe-error"
            role="alert"
          >
            {fieldError('autoscaling')}
          </span>
        )}
      </div>
      {draft.autoscale ? (
        <>
          {numberField(
            'autoscaling.minReplicas',
            trans.__('Minimum replicas'),
            draft.minReplicas,
            v => update({ minReplicas: v }),
            0
          )}
          {numberField(
            'autoscaling.maxReplicas',
            trans.__('Maximum replicas'),
            draft.maxReplicas,
            v => update({ maxReplicas: v }),
            1
          )}
          <div
            className="jp-laketahoe-Scaling-field"
            data-field="autoscaling.metric"
          >
            <label htmlFor={`${idPrefix}-metric`}>{trans.__('Scale by')}</label>
            <select
              id={`${idPrefix}-metric`}
              className="jp-mod-styled"
              value={draft.metric}
              onChange={e =>
                update({ metric: e.target.value as IScalingDraft['metric'] })
              }
            >
              <option value="inflight">{trans.__('Requests in flight')}</option>
              <option value="cpu">{trans.__('CPU use')}</option>
            </select>
          </div>
          {draft.metric === 'cpu'
            ? numberField(
                'autoscaling.targetCpuPercent',
                trans.__('Target CPU per replica (% of its request)'),
                draft.targetCpuPercent,
                v => update({ targetCpuPercent: v }),
                1,
                90
              )
            : numberField(
                'autoscaling.targetInflight',
                trans.__('Target requests in flight per replica'),
                draft.targetInflight,
                v => update({ targetInflight: v }),
                1
              )}
          {numberField(
            'autoscaling.scaleDownDelaySeconds',
            trans.__('Scale down after (seconds of lower load)'),
            draft.scaleDownDelaySeconds,
            v => update({ scaleDownDelaySeconds: v }),
            1,
            3600,
            String(DEFAULT_SCALE_DOWN_DELAY_SECONDS)
          )}
        </>
      ) : (
        numberField(
          'replicas',
          trans.__('Replicas'),
          draft.replicas,
          v => update({ replicas: v }),
          1
        )
      )}
      <div className="jp-laketahoe-Scaling-actions">
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept jp-laketahoe-Scaling-save"
          disabled={saving || !dirty}
        >
          {saving ? trans.__('Saving…') : trans.__('Apply')}
        </button>
      </div>
      {error && !shownByField && (
        <div className="jp-laketahoe-error" role="alert">
          {error.message}
        </div>
      )}
    </form>
  );
}

/** Whether the form currently shows the input of a field. */
function isShown(field: ScalingField, draft: IScalingDraft): boolean {
  if (field === 'autoscaling') {
    return true;
  }
  if (field === 'replicas') {
    return !draft.autoscale;
  }
  if (field === 'autoscaling.targetInflight') {
    return draft.autoscale && draft.metric === 'inflight';
  }
  if (field === 'autoscaling.targetCpuPercent') {
    return draft.autoscale && draft.metric === 'cpu';
  }
  return draft.autoscale;
}
