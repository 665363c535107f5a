import { isParameterName, PARAMETER_NAME_RULE } from '../pythonNames.js';
import type { HyperparameterSpec, SpecIssue } from './types.js';

/** Most values a DISCRETE parameter may list (AI Platform's limit). */
export const MAX_DISCRETE_VALUES = 1000;

/** Field path prefix used when the caller does not give one. */
export const DEFAULT_SPEC_PATH = 'trainingInput.hyperparameters';

const GOALS = ['GOAL_TYPE_UNSPECIFIED', 'MAXIMIZE', 'MINIMIZE'];
const ALGORITHMS = ['ALGORITHM_UNSPECIFIED', 'GRID_SEARCH', 'RANDOM_SEARCH'];
const TYPES = ['DOUBLE', 'INTEGER', 'CATEGORICAL', 'DISCRETE'];
const SCALES = ['NONE', 'UNIT_LINEAR_SCALE', 'UNIT_LOG_SCALE', 'UNIT_REVERSE_LOG_SCALE'];

/**
 * Checks an HPO spec against the rules AI Platform Training applies, plus
 * the ones our search algorithms need.
 *
 * Collects every problem rather than stopping at the first, so a user can fix
 * a job file in one go.
 *
 * @param spec - The untrusted `hyperparameters` object (any JSON value).
 * @param path - Dotted prefix for field paths in the issues.
 * @returns The problems found; empty when the spec is valid.
 */
export function validateHyperparameterSpec(spec: unknown, path = DEFAULT_SPEC_PATH): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (field: string, message: string): void => {
    issues.push({ field: field ? `${path}.${field}` : path, message });
  };
  if (!isObject(spec)) {
    add('', 'must be an object');
    return issues;
  }
  const s = spec as Partial<Record<keyof HyperparameterSpec, unknown>>;

  if (s.goal !== undefined && !GOALS.includes(s.goal as string)) {
    add('goal', `must be one of ${GOALS.join(', ')}`);
  }
  if (s.algorithm !== undefined && !ALGORITHMS.includes(s.algorithm as string)) {
    add('algorithm', `must be one of ${ALGORITHMS.join(', ')}`);
  }
  if (s.hyperparameterMetricTag !== undefined && (typeof s.hyperparameterMetricTag !== 'string' || s.hyperparameterMetricTag.trim() === '')) {
    add('hyperparameterMetricTag', 'must be a non-empty string');
  }
  if (s.enableTrialEarlyStopping !== undefined && typeof s.enableTrialEarlyStopping !== 'boolean') {
    add('enableTrialEarlyStopping', 'must be a boolean');
  }
  if (s.resumePreviousJobId !== undefined && (typeof s.resumePreviousJobId !== 'string' || s.resumePreviousJobId === '')) {
    add('resumePreviousJobId', 'must be a non-empty job id');
  }
  const maxTrialsOk = checkInt(s.maxTrials, 1, 'maxTrials', add);
  const maxParallelOk = checkInt(s.maxParallelTrials, 1, 'maxParallelTrials', add);
  checkInt(s.maxFailedTrials, 0, 'maxFailedTrials', add);
  const maxTrials = typeof s.maxTrials === 'number' ? s.maxTrials : 1;
  if (maxTrialsOk && maxParallelOk && typeof s.maxParallelTrials === 'number' && s.maxParallelTrials > maxTrials) {
    add('maxParallelTrials', `must not exceed maxTrials (${maxTrials})`);
  }

  if (!Array.isArray(s.params) || s.params.length === 0) {
    add('params', 'must be a non-empty list of parameters');
    return issues;
  }
  const grid = s.algorithm === 'GRID_SEARCH';
  let gridSize = 1;
  let gridComplete = true;
  const seen = new Map<string, number>();
  s.params.forEach((raw: unknown, i: number) => {
    const p = `params[${i}]`;
    if (!isObject(raw)) {
      add(p, 'must be an object');
      gridComplete = false;
      return;
    }
    const param = raw as Record<string, unknown>;
    const name = param.parameterName;
    // Names end up as command-line flags and notebook (Python) variables.
    if (!isParameterName(name)) {
      add(`${p}.parameterName`, PARAMETER_NAME_RULE);
    } else if (seen.has(name)) {
      add(`${p}.parameterName`, `duplicates params[${seen.get(name)}].parameterName "${name}"`);
    } else {
      seen.set(name, i);
    }
    const type = param.type;
    if (!TYPES.includes(type as string)) {
      add(`${p}.type`, `must be one of ${TYPES.join(', ')}`);
      gridComplete = false;
      return;
    }
    const scale = param.scaleType;
    const logScale = scale === 'UNIT_LOG_SCALE' || scale === 'UNIT_REVERSE_LOG_SCALE';
    if (scale !== undefined && !SCALES.includes(scale as string)) {
      add(`${p}.scaleType`, `must be one of ${SCALES.join(', ')}`);
    }
    if (grid && type === 'DOUBLE') {
      add(`${p}.type`, 'GRID_SEARCH needs INTEGER, CATEGORICAL or DISCRETE parameters; use DISCRETE to list DOUBLE values');
      gridComplete = false;
    }
    const forbid = (field: string, why: string): void => {
      if (param[field] !== undefined) add(`${p}.${field}`, why);
    };

    if (type === 'DOUBLE' || type === 'INTEGER') {
      forbid('categoricalValues', `is not allowed for ${type} parameters`);
      forbid('discreteValues', `is not allowed for ${type} parameters`);
      const min = param.minValue;
      const max = param.maxValue;
      const isInt = type === 'INTEGER';
      const minOk = checkBound(min, isInt, `${p}.minValue`, add);
      const maxOk = checkBound(max, isInt, `${p}.maxValue`, add);
      if (minOk && maxOk) {
        if ((min as number) >= (max as number)) {
          add(`${p}.minValue`, `must be less than maxValue (${max as number})`);
          gridComplete = false;
        } else if (logScale && (min as number) <= 0) {
          add(`${p}.minValue`, `must be positive for ${scale as string}`);
        } else if (isInt) {
          gridSize *= (max as number) - (min as number) + 1;
        }
      } else {
        gridComplete = false;
      }
    } else if (type === 'CATEGORICAL') {
      forbid('minValue', 'is not allowed for CATEGORICAL parameters');
      forbid('maxValue', 'is not allowed for CATEGORICAL parameters');
      forbid('discreteValues', 'is not allowed for CATEGORICAL parameters');
      if (scale !== undefined && scale !== 'NONE') {
        add(`${p}.scaleType`, 'must be unset for CATEGORICAL parameters');
      }
      const values = param.categoricalValues;
      if (!Array.isArray(values) || values.length === 0) {
        add(`${p}.categoricalValues`, 'must be a non-empty list of strings');
        gridComplete = false;
      } else {
        const uniq = new Set<string>();
        values.forEach((v: unknown, j: number) => {
          if (typeof v !== 'string' || v === '') {
            add(`${p}.categoricalValues[${j}]`, 'must be a non-empty string');
          } else if (uniq.has(v)) {
            add(`${p}.categoricalValues[${j}]`, `duplicates the value "${v}"`);
          }
          if (typeof v === 'string') uniq.add(v);
        });
        gridSize *= uniq.size;
      }
    } else {
      forbid('minValue', 'is not allowed for DISCRETE parameters');
      forbid('maxValue', 'is not allowed for DISCRETE parameters');
      forbid('categoricalValues', 'is not allowed for DISCRETE parameters');
      const values = param.discreteValues;
      if (!Array.isArray(values) || values.length === 0) {
        add(`${p}.discreteValues`, 'must be a non-empty list of numbers');
        gridComplete = false;
      } else if (values.length > MAX_DISCRETE_VALUES) {
        add(`${p}.discreteValues`, `must list at most ${MAX_DISCRETE_VALUES} values (got ${values.length})`);
        gridComplete = false;
      } else {
        let prev = -Infinity;
        values.forEach((v: unknown, j: number) => {
          if (typeof v !== 'number' || !Number.isFinite(v)) {
            add(`${p}.discreteValues[${j}]`, 'must be a finite number');
          } else {
            if (v <= prev) add(`${p}.discreteValues[${j}]`, 'values must be strictly increasing');
            else if (logScale && v <= 0) add(`${p}.discreteValues[${j}]`, `must be positive for ${scale as string}`);
            prev = v;
          }
        });
        gridSize *= values.length;
      }
    }
  });

  if (grid && gridComplete && maxTrialsOk && maxTrials > gridSize) {
    add('maxTrials', `exceeds the ${gridSize} points of the grid; GRID_SEARCH runs each point once, so use at most ${gridSize}`);
  }
  return issues;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates an optional integer field; returns whether it is usable. */
function checkInt(v: unknown, min: number, field: string, add: (f: string, m: string) => void): boolean {
  if (v === undefined) return true;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    add(field, `must be an integer >= ${min}`);
    return false;
  }
  return true;
}

function checkBound(v: unknown, integral: boolean, field: string, add: (f: string, m: string) => void): boolean {
  // The path passed in already holds params[i]; add() prefixes the spec path.
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    add(field, 'is required and must be a finite number');
    return false;
  }
  if (integral && !Number.isInteger(v)) {
    add(field, 'must be an integer for INTEGER parameters');
    return false;
  }
  return true;
}
