import { JSONValue } from '@lumino/coreutils';

import { IHyperparameterSpec, IJob, IParameterSpec } from '../wire';
import { IHpoFormState, IHpoParamRow } from './hpo';
import { SubmitFormModel } from './submit';

/** Seconds of a `maxRunningTime` such as "3600s", or undefined. */
function seconds(duration: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(duration ?? '');
  return match ? Number(match[1]) : undefined;
}

/** A number of the spec as the form types it, or empty for the default. */
function typed(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

/** The form row of one searched parameter. */
function rowOf(spec: IParameterSpec): IHpoParamRow {
  const values =
    spec.type === 'DISCRETE' ? spec.discreteValues : spec.categoricalValues;
  return {
    name: spec.parameterName,
    enabled: true,
    type: spec.type,
    min: typed(spec.minValue),
    max: typed(spec.maxValue),
    values: (values ?? []).join(', '),
    scale: spec.scaleType ?? 'UNIT_LINEAR_SCALE'
  };
}

/**
 * The tuning section of a resubmitted HPO job: its spec laid over the rows
 * the notebook proposes (those it did not search stay unchecked, searched
 * ones the notebook no longer has are added).
 */
export function hpoStateFromSpec(
  spec: IHyperparameterSpec,
  base: IHpoFormState
): IHpoFormState {
  const searched = new Map(spec.params.map(p => [p.parameterName, p]));
  const proposed = new Set(base.params.map(row => row.name));
  const stop = spec.earlyStopping;
  return {
    ...base,
    enabled: true,
    metricTag: spec.hyperparameterMetricTag ?? base.metricTag,
    goal: spec.goal ?? base.goal,
    metricSelection: spec.metricSelection ?? base.metricSelection,
    maxTrials: String(spec.maxTrials),
    maxParallelTrials: typed(spec.maxParallelTrials) || base.maxParallelTrials,
    maxFailedTrials: typed(spec.maxFailedTrials),
    algorithm: spec.algorithm ?? base.algorithm,
    earlyStopping: spec.enableTrialEarlyStopping ?? false,
    earlyStoppingKind: stop?.kind ?? base.earlyStoppingKind,
    earlyStoppingMinStep: typed(stop?.minStep),
    earlyStoppingMinCompletedTrials: typed(stop?.minCompletedTrials),
    earlyStoppingReductionFactor: typed(stop?.reductionFactor),
    resumePreviousJobId: spec.resumePreviousJobId ?? '',
    params: [
      ...base.params.map(row => {
        const found = searched.get(row.name);
        return found ? rowOf(found) : { ...row, enabled: false };
      }),
      ...spec.params.filter(p => !proposed.has(p.parameterName)).map(rowOf)
    ]
  };
}

/**
 * Fill a submit form from a job being resubmitted: its resources, image,
 * priority, time limit, backend, labels, notebook parameters and, for an HPO
 * job, its tuning section. The form
 * keeps its fresh job id, so the copy never collides with the original.
 */
export function prefillFromJob(form: SubmitFormModel, job: IJob): void {
  const input = job.trainingInput ?? {};
  if (input.scaleTier) {
    form.scaleTier = input.scaleTier;
  }
  if (input.priority) {
    form.priority = input.priority;
  }
  const master = input.masterConfig ?? {};
  if (master.imageUri) {
    form.imageUri = master.imageUri;
  }
  if (master.resources?.cpu !== undefined) {
    form.cpu = String(master.resources.cpu);
  }
  if (master.resources?.memoryGb !== undefined) {
    form.memoryGb = String(master.resources.memoryGb);
  }
  if (master.acceleratorConfig?.count !== undefined) {
    form.gpuCount = String(master.acceleratorConfig.count);
  }
  const limit = seconds(input.scheduling?.maxRunningTime);
  if (limit !== undefined) {
    form.maxRunningTimeSeconds = String(limit);
  }
  if (input.notebook?.includeFolder !== undefined) {
    form.includeFolder = input.notebook.includeFolder;
  }
  if (input.backend) {
    form.backend = input.backend;
  }
  form.labels = { ...(job.labels ?? {}) };
  form.applyValues(
    (input.notebook?.parameters ?? {}) as { [name: string]: JSONValue }
  );
  if (input.hyperparameters) {
    form.hpo = hpoStateFromSpec(input.hyperparameters, form.hpo);
  }
}
