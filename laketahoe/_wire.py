"""Generated from server-proxy/openapi.json by tools/wire/generate.mjs (npm run wire). Do not edit."""

# The job-id rule: what POST /jobs accepts as jobId.
JOB_ID_PATTERN = "^[A-Za-z][A-Za-z0-9_]{0,127}$"
# The deployment-name rule: what POST /deployments accepts as name.
DEPLOYMENT_NAME_PATTERN = "^[a-z][a-z0-9-]{0,62}$"
# Every state a job can be in.
JOB_STATES = ("QUEUED", "PREPARING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLING", "CANCELLED")
# Scale tiers, as in AI Platform Training.
SCALE_TIERS = ("BASIC", "BASIC_GPU", "STANDARD_1", "PREMIUM_1", "CUSTOM")
# Scheduling priorities: scheduled jobs high, normal middle, bulk low.
PRIORITIES = ("high", "middle", "low")
# Backends a job can run on.
BACKEND_NAMES = ("local", "kubernetes")
# Whether a tuning job maximizes or minimizes its metric.
HPO_GOALS = ("GOAL_TYPE_UNSPECIFIED", "MAXIMIZE", "MINIMIZE")
# Search algorithms; ALGORITHM_UNSPECIFIED is Bayesian optimization.
HPO_ALGORITHMS = ("ALGORITHM_UNSPECIFIED", "GRID_SEARCH", "RANDOM_SEARCH")
# Which reported value of the metric tag is a trial's objective.
METRIC_SELECTIONS = ("LAST", "BEST")
# Early-stopping rules.
EARLY_STOPPING_KINDS = ("median", "asha")
# Kinds of hyperparameters, as in AI Platform's ParameterSpec.
PARAMETER_TYPES = ("DOUBLE", "INTEGER", "CATEGORICAL", "DISCRETE")
# How a numeric range is searched.
SCALE_TYPES = ("NONE", "UNIT_LINEAR_SCALE", "UNIT_LOG_SCALE", "UNIT_REVERSE_LOG_SCALE")
# Every state a deployment can be in.
DEPLOYMENT_STATES = ("DEPLOYING", "READY", "UPDATING", "FAILED", "DELETING")
# Fields of trainingInput.
TRAINING_INPUT_FIELDS = ("scaleTier", "masterType", "masterConfig", "workerCount", "workerType", "workerConfig", "parameterServerCount", "parameterServerType", "parameterServerConfig", "priority", "scheduling", "args", "pythonModule", "packageUris", "jobDir", "region", "runtimeVersion", "pythonVersion", "notebook", "hyperparameters", "backend", "podTemplate", "env", "kernelName", "kernelFallback")
# Fields of trainingInput.hyperparameters.
HYPERPARAMETER_FIELDS = ("goal", "hyperparameterMetricTag", "metricSelection", "maxTrials", "maxParallelTrials", "maxFailedTrials", "enableTrialEarlyStopping", "earlyStopping", "resumePreviousJobId", "algorithm", "params")
# Fields of one searched parameter.
PARAMETER_FIELDS = ("parameterName", "type", "minValue", "maxValue", "categoricalValues", "discreteValues", "scaleType")
