import { ServiceError } from '../errors.js';
import { validateHyperparameterSpec } from '../hpo/index.js';
import type { Store } from '../store/store.js';
import type { HyperparameterSpecBody, Job, TrainingInput } from '../schemas/jobs.js';
import { publicJobId } from '../jobs/ids.js';

const SPEC_PATH = 'trainingInput.hyperparameters';

/**
 * Checks what the request schema cannot about an HPO spec: the engine's rules (ranges, grid size,
 * duplicates) and ours (a metric tag is needed to judge trials). Throws a 400 naming the first field.
 */
export function validateHpoInput(input: TrainingInput): void {
  const spec = input.hyperparameters;
  if (!spec) {
    return;
  }
  const { metricSelection: _m, earlyStopping: _e, resumePreviousJobId, ...engineSpec } = spec;
  const issues = validateHyperparameterSpec(
    resumePreviousJobId ? { ...engineSpec, resumePreviousJobId } : engineSpec,
    SPEC_PATH
  );
  if (!spec.hyperparameterMetricTag || spec.hyperparameterMetricTag.trim() === '') {
    issues.push({ field: `${SPEC_PATH}.hyperparameterMetricTag`, message: 'is required: the metric the trials report' });
  }
  if (issues.length) {
    const message = issues.map(i => `${i.field}: ${i.message}`).join('; ');
    throw new ServiceError('invalid_argument', message, issues[0].field);
  }
}

/** Keys sorted, so two specs compare equal whatever order their fields were written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonical).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Checks the resume source of a new HPO job: the caller's own HPO job with the same params. */
export async function checkResumeSource(store: Store, owner: string, spec: HyperparameterSpecBody): Promise<void> {
  const previous = spec.resumePreviousJobId;
  if (!previous) {
    return;
  }
  const field = `${SPEC_PATH}.resumePreviousJobId`;
  const record = await store.getJob(previous);
  const shown = publicJobId(previous);
  const prevSpec = record?.job.trainingInput.hyperparameters;
  if (!record || record.job.owner !== owner || !prevSpec) {
    throw new ServiceError('invalid_argument', `${field}: no HPO job ${shown} to resume from`, field);
  }
  if (canonical(prevSpec.params) !== canonical(spec.params)) {
    throw new ServiceError('invalid_argument', `${field}: job ${shown} searched different params`, field);
  }
  if ((prevSpec.hyperparameterMetricTag ?? '') !== (spec.hyperparameterMetricTag ?? '')) {
    throw new ServiceError('invalid_argument', `${field}: job ${shown} optimized another metric`, field);
  }
}

/** The trainingOutput fields of a new HPO job. */
export function initialHpoOutput(spec: HyperparameterSpecBody): Partial<Job['trainingOutput']> {
  return {
    isHyperparameterTuningJob: true,
    hyperparameterMetricTag: spec.hyperparameterMetricTag,
    completedTrialCount: 0,
    trialCounts: {},
    bestTrial: null
  };
}
