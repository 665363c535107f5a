/* Generated from server-proxy/openapi.json by tools/wire/generate.mjs (npm run wire). Do not edit. */

/** The job-id rule: what POST /jobs accepts as jobId. */
export const JOB_ID_PATTERN = "^[A-Za-z][A-Za-z0-9_]{0,127}$";

/** The deployment-name rule: what POST /deployments accepts as name. */
export const DEPLOYMENT_NAME_PATTERN = "^[a-z][a-z0-9-]{0,62}$";

/** Every state a job can be in. */
export const JOB_STATES = ["QUEUED","PREPARING","RUNNING","SUCCEEDED","FAILED","CANCELLING","CANCELLED"] as const;

/** Scale tiers, as in AI Platform Training. */
export const SCALE_TIERS = ["BASIC","BASIC_GPU","STANDARD_1","PREMIUM_1","CUSTOM"] as const;

/** Scheduling priorities: scheduled jobs high, normal middle, bulk low. */
export const PRIORITIES = ["high","middle","low"] as const;

/** Backends a job can run on. */
export const BACKEND_NAMES = ["local","kubernetes"] as const;

/** Whether a tuning job maximizes or minimizes its metric. */
export const HPO_GOALS = ["GOAL_TYPE_UNSPECIFIED","MAXIMIZE","MINIMIZE"] as const;

/** Search algorithms; ALGORITHM_UNSPECIFIED is Bayesian optimization. */
export const HPO_ALGORITHMS = ["ALGORITHM_UNSPECIFIED","GRID_SEARCH","RANDOM_SEARCH"] as const;

/** Which reported value of the metric tag is a trial's objective. */
export const METRIC_SELECTIONS = ["LAST","BEST"] as const;

/** Early-stopping rules. */
export const EARLY_STOPPING_KINDS = ["median","asha"] as const;

/** Kinds of hyperparameters, as in AI Platform's ParameterSpec. */
export const PARAMETER_TYPES = ["DOUBLE","INTEGER","CATEGORICAL","DISCRETE"] as const;

/** How a numeric range is searched. */
export const SCALE_TYPES = ["NONE","UNIT_LINEAR_SCALE","UNIT_LOG_SCALE","UNIT_REVERSE_LOG_SCALE"] as const;

/** Every state a deployment can be in. */
export const DEPLOYMENT_STATES = ["DEPLOYING","READY","UPDATING","FAILED","DELETING"] as const;

/** Fields of trainingInput. */
export const TRAINING_INPUT_FIELDS = ["scaleTier","masterType","masterConfig","workerCount","workerType","workerConfig","parameterServerCount","parameterServerType","parameterServerConfig","priority","scheduling","args","pythonModule","packageUris","jobDir","region","runtimeVersion","pythonVersion","notebook","hyperparameters","backend","podTemplate","env","kernelName","kernelFallback"] as const;

/** Fields of trainingInput.hyperparameters. */
export const HYPERPARAMETER_FIELDS = ["goal","hyperparameterMetricTag","metricSelection","maxTrials","maxParallelTrials","maxFailedTrials","enableTrialEarlyStopping","earlyStopping","resumePreviousJobId","algorithm","params"] as const;

/** Fields of one searched parameter. */
export const PARAMETER_FIELDS = ["parameterName","type","minValue","maxValue","categoricalValues","discreteValues","scaleType"] as const;
