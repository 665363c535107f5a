/**
 * The hyperparameter tuning part of the submit form: its state, the
 * parameter rows proposed from the notebook's `parameters` cell, the
 * client-side checks that mirror the service's, and the spec it builds.
 */
import {
  EarlyStoppingKind,
  HpoAlgorithm,
  HpoGoal,
  IEarlyStopping,
  IHyperparameterSpec,
  IParameterSpec,
  MetricSelection,
  ParameterSpecType,
  ScaleType,
  JOB_ID
} from '../wire';
import { INotebookParameter } from './parameters';

/** Dotted path of the spec in a submit body, as the service names fields. */
export const HPO_FIELD = 'trainingInput.hyperparameters';

/** Field paths of the HPO section. */
export const HPO_FIELDS = {
  metricTag: `${HPO_FIELD}.hyperparameterMetricTag`,
  goal: `${HPO_FIELD}.goal`,
  metricSelection: `${HPO_FIELD}.metricSelection`,
  maxTrials: `${HPO_FIELD}.maxTrials`,
  maxParallelTrials: `${HPO_FIELD}.maxParallelTrials`,
  maxFailedTrials: `${HPO_FIELD}.maxFailedTrials`,
  algorithm: `${HPO_FIELD}.algorithm`,
  earlyStopping: `${HPO_FIELD}.enableTrialEarlyStopping`,
  earlyStoppingKind: `${HPO_FIELD}.earlyStopping.kind`,
  earlyStoppingMinStep: `${HPO_FIELD}.earlyStopping.minStep`,
  earlyStoppingMinCompletedTrials: `${HPO_FIELD}.earlyStopping.minCompletedTrials`,
  earlyStoppingReductionFactor: `${HPO_FIELD}.earlyStopping.reductionFactor`,
  resumePreviousJobId: `${HPO_FIELD}.resumePreviousJobId`,
  params: `${HPO_FIELD}.params`
} as const;

/** Largest trial budget the form accepts (the trials browser's limit). */
export const MAX_HPO_TRIALS = 10000;

/** One row of the HPO parameter table, as typed. */
export interface IHpoParamRow {
  /** Parameter name. */
  name: string;
  /** Whether the parameter is searched (unchecked: the notebook value). */
  enabled: boolean;
  /** Kind of values. */
  type: ParameterSpecType;
  /** DOUBLE/INTEGER lower bound, as typed. */
  min: string;
  /** DOUBLE/INTEGER upper bound, as typed. */
  max: string;
  /** CATEGORICAL/DISCRETE values, comma-separated. */
  values: string;
  /** DOUBLE/INTEGER scale. */
  scale: ScaleType;
}

/** The HPO section's fields. */
export interface IHpoFormState {
  /** Whether the job is an HPO job. */
  enabled: boolean;
  /** Metric name passed to laketahoe.report(). */
  metricTag: string;
  /** Goal. */
  goal: HpoGoal;
  /** LAST or BEST reported value. */
  metricSelection: MetricSelection;
  /** Budget, as typed. */
  maxTrials: string;
  /** Trials at once, as typed. */
  maxParallelTrials: string;
  /** Failed trials tolerated, as typed; empty for the service default. */
  maxFailedTrials: string;
  /** Search algorithm. */
  algorithm: HpoAlgorithm;
  /** Stop unpromising trials early. */
  earlyStopping: boolean;
  /** Early-stopping rule: median stopping or asynchronous successive halving. */
  earlyStoppingKind: EarlyStoppingKind;
  /** median: warm-up step; asha: first rung's step. As typed; empty for the default. */
  earlyStoppingMinStep: string;
  /** median: finished trials needed before any stop, as typed; empty for 3. */
  earlyStoppingMinCompletedTrials: string;
  /** asha: keep the top 1/factor at each rung, as typed; empty for 3. */
  earlyStoppingReductionFactor: string;
  /** Warm start from this job's trials; empty for none. */
  resumePreviousJobId: string;
  /** Parameter rows. */
  params: IHpoParamRow[];
}

/** Field path of one sent parameter (index among the enabled rows). */
export function paramField(index: number, key?: string): string {
  return `${HPO_FIELDS.params}[${index}]${key ? `.${key}` : ''}`;
}

/** Round to a few significant digits so proposed bounds read well. */
function tidy(value: number): number {
  return Number(value.toPrecision(3));
}

/**
 * A row proposed for a notebook parameter: integers search [v/4, 4v]
 * linearly, positive floats [v/10, 10v] on a log scale, zero or negative
 * numbers a linear range around them, strings and booleans categorical
 * (strings start unchecked: add values to search them). Lists and None
 * have no row.
 */
export function proposeRow(parameter: INotebookParameter): IHpoParamRow | null {
  const { name, type, value } = parameter;
  const base: IHpoParamRow = {
    name,
    enabled: true,
    type: 'DOUBLE',
    min: '',
    max: '',
    values: '',
    scale: 'UNIT_LINEAR_SCALE'
  };
  if (type === 'int' && typeof value === 'number') {
    let min: number;
    let max: number;
    if (value > 0) {
      min = Math.max(1, Math.floor(value / 4));
      max = Math.max(value * 4, value + 4);
    } else if (value === 0) {
      min = 0;
      max = 10;
    } else {
      min = Math.min(value * 4, value - 4);
      max = Math.ceil(value / 4) || 0;
    }
    return { ...base, type: 'INTEGER', min: String(min), max: String(max) };
  }
  if (type === 'float' && typeof value === 'number') {
    if (value > 0) {
      return {
        ...base,
        min: String(tidy(value / 10)),
        max: String(tidy(value * 10)),
        scale: 'UNIT_LOG_SCALE'
      };
    }
    if (value === 0) {
      return { ...base, min: '-1', max: '1' };
    }
    return {
      ...base,
      min: String(tidy(value * 10)),
      max: String(tidy(value / 10))
    };
  }
  if (type === 'bool') {
    return { ...base, type: 'CATEGORICAL', values: 'True, False' };
  }
  if (type === 'str' && typeof value === 'string') {
    return { ...base, enabled: false, type: 'CATEGORICAL', values: value };
  }
  return null;
}

/** The initial HPO state for a notebook's parameters. */
export function defaultHpoState(
  parameters: readonly INotebookParameter[]
): IHpoFormState {
  return {
    enabled: false,
    metricTag: '',
    goal: 'MAXIMIZE',
    metricSelection: 'LAST',
    maxTrials: '10',
    maxParallelTrials: '2',
    maxFailedTrials: '',
    algorithm: 'ALGORITHM_UNSPECIFIED',
    earlyStopping: false,
    earlyStoppingKind: 'median',
    earlyStoppingMinStep: '',
    earlyStoppingMinCompletedTrials: '',
    earlyStoppingReductionFactor: '',
    resumePreviousJobId: '',
    params: parameters
      .map(proposeRow)
      .filter((row): row is IHpoParamRow => row !== null)
  };
}

/** Split comma-separated values, trimmed, empty ones dropped. */
export function splitValues(text: string): string[] {
  return text
    .split(',')
    .map(v => v.trim())
    .filter(v => v !== '');
}

/** A number as typed, or null. */
function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(trimmed)) {
    return null;
  }
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** A whole number as typed, within bounds, or null. */
function parseWhole(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    return null;
  }
  const value = Number(trimmed);
  return value >= min && value <= max ? value : null;
}

/** Smallest ASHA reduction factor the service accepts. */
export const MIN_REDUCTION_FACTOR = 1.01;

/** Metric names: Python keyword arguments of laketahoe.report(). */
const METRIC_TAG = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a scale needs positive bounds. */
function isLogScale(scale: ScaleType): boolean {
  return scale === 'UNIT_LOG_SCALE' || scale === 'UNIT_REVERSE_LOG_SCALE';
}

/**
 * Errors of the HPO section by field path, mirroring the service: a metric
 * tag, whole-number budgets, at least one parameter, numeric bounds with
 * min < max (integers for INTEGER), positive bounds on log scales, values
 * for CATEGORICAL/DISCRETE, and grid search only over non-DOUBLE
 * parameters. Parameter fields are indexed among the searched rows, as in
 * the request.
 */
export function validateHpo(state: IHpoFormState): { [field: string]: string } {
  const errors: { [field: string]: string } = {};
  if (!state.enabled) {
    return errors;
  }
  if (!METRIC_TAG.test(state.metricTag.trim())) {
    errors[HPO_FIELDS.metricTag] =
      'Enter the metric name passed to laketahoe.report(), such as accuracy.';
  }
  const maxTrials = parseWhole(state.maxTrials, 1, MAX_HPO_TRIALS);
  if (maxTrials === null) {
    errors[HPO_FIELDS.maxTrials] =
      `Enter a whole number of trials from 1 to ${MAX_HPO_TRIALS}.`;
  }
  if (parseWhole(state.maxParallelTrials, 1, MAX_HPO_TRIALS) === null) {
    errors[HPO_FIELDS.maxParallelTrials] =
      'Enter a whole number of parallel trials, 1 or more.';
  }
  if (
    state.maxFailedTrials.trim() !== '' &&
    parseWhole(state.maxFailedTrials, 0, MAX_HPO_TRIALS) === null
  ) {
    errors[HPO_FIELDS.maxFailedTrials] =
      'Enter a whole number (0 or more), or leave empty for the default.';
  }
  Object.assign(errors, validateEarlyStopping(state));
  const resume = state.resumePreviousJobId.trim();
  if (resume && !JOB_ID.test(resume)) {
    errors[HPO_FIELDS.resumePreviousJobId] =
      'Enter the id of an earlier tuning job, or leave empty.';
  }
  const rows = state.params.filter(row => row.enabled);
  if (rows.length === 0) {
    errors[HPO_FIELDS.params] = 'Search at least one parameter.';
  }
  rows.forEach((row, index) => {
    const numeric = row.type === 'DOUBLE' || row.type === 'INTEGER';
    if (numeric) {
      const min = parseNumber(row.min);
      const max = parseNumber(row.max);
      const integer = row.type === 'INTEGER';
      if (min === null || (integer && !Number.isInteger(min))) {
        errors[paramField(index, 'minValue')] = integer
          ? 'Enter a whole number.'
          : 'Enter a number.';
      }
      if (max === null || (integer && !Number.isInteger(max))) {
        errors[paramField(index, 'maxValue')] = integer
          ? 'Enter a whole number.'
          : 'Enter a number.';
      }
      if (min !== null && max !== null && !(min < max)) {
        errors[paramField(index, 'maxValue')] =
          'The maximum must be greater than the minimum.';
      }
      if (isLogScale(row.scale) && min !== null && !(min > 0)) {
        errors[paramField(index, 'minValue')] =
          'A log scale needs bounds greater than 0.';
      }
    } else {
      const values = splitValues(row.values);
      if (values.length === 0) {
        errors[paramField(index, valuesKey(row.type))] =
          'Enter one or more values, separated by commas.';
      } else if (new Set(values).size !== values.length) {
        errors[paramField(index, valuesKey(row.type))] =
          'Each value may appear only once.';
      } else if (
        row.type === 'DISCRETE' &&
        values.some(v => parseNumber(v) === null)
      ) {
        errors[paramField(index, valuesKey(row.type))] =
          'Discrete values must be numbers.';
      }
    }
    if (state.algorithm === 'GRID_SEARCH' && row.type === 'DOUBLE') {
      errors[paramField(index, 'type')] =
        'Grid search needs INTEGER, CATEGORICAL or DISCRETE parameters.';
    }
  });
  return errors;
}

/**
 * Errors of the early-stopping settings, checked only when early stopping
 * is on and only for the fields of the chosen rule (the others are not
 * sent): minStep a number >= 0, minCompletedTrials a whole number >= 1,
 * reductionFactor a number >= 1.01, each optional.
 */
function validateEarlyStopping(state: IHpoFormState): {
  [field: string]: string;
} {
  const errors: { [field: string]: string } = {};
  if (!state.earlyStopping) {
    return errors;
  }
  const minStep = state.earlyStoppingMinStep.trim();
  if (minStep !== '') {
    const value = parseNumber(minStep);
    if (value === null || value < 0) {
      errors[HPO_FIELDS.earlyStoppingMinStep] =
        'Enter a step of 0 or more, or leave empty for the default.';
    }
  }
  if (state.earlyStoppingKind === 'median') {
    const minCompleted = state.earlyStoppingMinCompletedTrials.trim();
    if (
      minCompleted !== '' &&
      parseWhole(minCompleted, 1, MAX_HPO_TRIALS) === null
    ) {
      errors[HPO_FIELDS.earlyStoppingMinCompletedTrials] =
        'Enter a whole number of trials, 1 or more, or leave empty for 3.';
    }
  } else {
    const factor = state.earlyStoppingReductionFactor.trim();
    if (factor !== '') {
      const value = parseNumber(factor);
      if (value === null || value < MIN_REDUCTION_FACTOR) {
        errors[HPO_FIELDS.earlyStoppingReductionFactor] =
          `Enter a number of at least ${MIN_REDUCTION_FACTOR}, or leave empty for 3.`;
      }
    }
  }
  return errors;
}

/** The early-stopping rule of a valid state, with only the fields typed. */
function toEarlyStopping(state: IHpoFormState): IEarlyStopping {
  const rule: IEarlyStopping = { kind: state.earlyStoppingKind };
  const minStep = state.earlyStoppingMinStep.trim();
  if (minStep !== '') {
    rule.minStep = Number(minStep);
  }
  if (state.earlyStoppingKind === 'median') {
    const minCompleted = state.earlyStoppingMinCompletedTrials.trim();
    if (minCompleted !== '') {
      rule.minCompletedTrials = Number(minCompleted);
    }
  } else {
    const factor = state.earlyStoppingReductionFactor.trim();
    if (factor !== '') {
      rule.reductionFactor = Number(factor);
    }
  }
  return rule;
}

/** The spec field holding a row's values. */
function valuesKey(type: ParameterSpecType): string {
  return type === 'DISCRETE' ? 'discreteValues' : 'categoricalValues';
}

/** The spec of one row; call only on a valid row. */
export function rowToSpec(row: IHpoParamRow): IParameterSpec {
  const spec: IParameterSpec = { parameterName: row.name, type: row.type };
  if (row.type === 'DOUBLE' || row.type === 'INTEGER') {
    spec.minValue = Number(row.min.trim());
    spec.maxValue = Number(row.max.trim());
    spec.scaleType = row.scale;
  } else if (row.type === 'DISCRETE') {
    spec.discreteValues = splitValues(row.values)
      .map(Number)
      .sort((a, b) => a - b);
  } else {
    spec.categoricalValues = splitValues(row.values);
  }
  return spec;
}

/** The hyperparameter spec of a valid, enabled state. */
export function toHyperparameterSpec(
  state: IHpoFormState
): IHyperparameterSpec {
  const spec: IHyperparameterSpec = {
    goal: state.goal,
    hyperparameterMetricTag: state.metricTag.trim(),
    metricSelection: state.metricSelection,
    maxTrials: Number(state.maxTrials.trim()),
    maxParallelTrials: Number(state.maxParallelTrials.trim()),
    enableTrialEarlyStopping: state.earlyStopping,
    algorithm: state.algorithm,
    params: state.params.filter(row => row.enabled).map(rowToSpec)
  };
  if (state.earlyStopping) {
    spec.earlyStopping = toEarlyStopping(state);
  }
  if (state.maxFailedTrials.trim() !== '') {
    spec.maxFailedTrials = Number(state.maxFailedTrials.trim());
  }
  if (state.resumePreviousJobId.trim()) {
    spec.resumePreviousJobId = state.resumePreviousJobId.trim();
  }
  return spec;
}

/**
 * The field errors that belong to one row of the table: the row's sent
 * index is its position among the enabled rows.
 */
export function rowErrors(
  state: IHpoFormState,
  rowIndex: number,
  errors: { [field: string]: string }
): { [key: string]: string } {
  const row = state.params[rowIndex];
  if (!row?.enabled) {
    return {};
  }
  const sent = state.params.slice(0, rowIndex).filter(r => r.enabled).length;
  const prefix = paramField(sent);
  const result: { [key: string]: string } = {};
  for (const [field, message] of Object.entries(errors)) {
    if (field === prefix) {
      result[''] = message;
    } else if (field.startsWith(`${prefix}.`)) {
      result[field.slice(prefix.length + 1)] = message;
    }
  }
  return result;
}
