/**
 * Hyperparameter-search types, named after Google Cloud AI Platform
 * Training's `trainingInput.hyperparameters` so job files carry over as-is.
 */

/** Whether the objective metric should be maximized or minimized. */
export type GoalType = 'GOAL_TYPE_UNSPECIFIED' | 'MAXIMIZE' | 'MINIMIZE';

/** Search algorithm; `ALGORITHM_UNSPECIFIED` means Bayesian optimization. */
export type Algorithm = 'ALGORITHM_UNSPECIFIED' | 'GRID_SEARCH' | 'RANDOM_SEARCH';

/** Kind of values a parameter takes. */
export type ParameterType = 'DOUBLE' | 'INTEGER' | 'CATEGORICAL' | 'DISCRETE';

/** How a numeric parameter is mapped onto the unit interval for searching. */
export type ScaleType = 'NONE' | 'UNIT_LINEAR_SCALE' | 'UNIT_LOG_SCALE' | 'UNIT_REVERSE_LOG_SCALE';

/** One tunable parameter (AI Platform `ParameterSpec`). */
export interface ParameterSpec {
  /** Name passed to the trial, e.g. as `--learning_rate` or a notebook parameter. */
  parameterName: string;
  /** Value kind. */
  type: ParameterType;
  /** Lower bound, inclusive (DOUBLE and INTEGER). */
  minValue?: number;
  /** Upper bound, inclusive (DOUBLE and INTEGER). */
  maxValue?: number;
  /** Allowed values (CATEGORICAL). */
  categoricalValues?: string[];
  /** Allowed values, strictly increasing (DISCRETE). */
  discreteValues?: number[];
  /** Search scale for numeric parameters; linear when unset. */
  scaleType?: ScaleType;
}

/** The `trainingInput.hyperparameters` block of an HPO job. */
export interface HyperparameterSpec {
  /** Defaults to MAXIMIZE, as in AI Platform. */
  goal?: GoalType;
  /** Metric the trials report as their objective. */
  hyperparameterMetricTag?: string;
  /** Total trials to run; defaults to 1. */
  maxTrials?: number;
  /** Trials running at once; defaults to 1. */
  maxParallelTrials?: number;
  /** Failed trials tolerated before the job fails; 0 lets the service decide. */
  maxFailedTrials?: number;
  /** Whether the service may stop unpromising trials early. */
  enableTrialEarlyStopping?: boolean;
  /** A previous HPO job whose trials warm-start this one. */
  resumePreviousJobId?: string;
  /** Search algorithm; Bayesian when unset. */
  algorithm?: Algorithm;
  /** The search space. */
  params: ParameterSpec[];
}

/** A parameter value: numbers for DOUBLE/INTEGER/DISCRETE, strings for CATEGORICAL. */
export type ParamValue = number | string;

/** One point of the search space, keyed by `parameterName`. */
export type Assignment = Record<string, ParamValue>;

/**
 * Terminal state of a trial as the search algorithms see it.
 *
 * `STOPPED` trials were stopped early; their last reported objective (if any)
 * is still informative. `FAILED` trials carry no objective.
 */
export type TrialOutcome = 'SUCCEEDED' | 'STOPPED' | 'FAILED';

/** A finished trial handed to a suggester. */
export interface TrialRecord {
  /** The hyperparameters the trial ran with. */
  hyperparameters: Assignment;
  /** How the trial ended. */
  state: TrialOutcome;
  /** Final value of the objective metric, in the metric's own direction. */
  objectiveValue?: number;
}

/** One validation problem: a dotted field path and what is wrong with it. */
export interface SpecIssue {
  /** E.g. `trainingInput.hyperparameters.params[1].minValue`. */
  field: string;
  /** Human-readable explanation. */
  message: string;
}
