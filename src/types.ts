/**
 * Shapes exchanged with the LakeTahoe service, as fixed in docs/contracts.md.
 * The OpenAPI document of the service is the authority for field detail.
 */

/** Every state a job can be in. */
export const JOB_STATES = [
  'QUEUED',
  'PREPARING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLING',
  'CANCELLED'
] as const;

/** The lifecycle state of a job. */
export type JobState = (typeof JOB_STATES)[number];

/** States after which a job never changes again. */
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set<JobState>([
  'SUCCEEDED',
  'FAILED',
  'CANCELLED'
]);

/** States from which the service accepts a cancel request. */
export const CANCELLABLE_STATES: ReadonlySet<JobState> = new Set<JobState>([
  'QUEUED',
  'PREPARING',
  'RUNNING'
]);

/** Scale tiers, as in AI Platform Training. */
export const SCALE_TIERS = [
  'BASIC',
  'BASIC_GPU',
  'STANDARD_1',
  'PREMIUM_1',
  'CUSTOM'
] as const;

/** A named resource preset, or CUSTOM. */
export type ScaleTier = (typeof SCALE_TIERS)[number];

/** Scheduling priorities: scheduled jobs high, normal middle, bulk low. */
export const PRIORITIES = ['high', 'middle', 'low'] as const;

/** A job's scheduling priority. */
export type Priority = (typeof PRIORITIES)[number];

/** A JSON value as carried in notebook parameters. */
export type JSONValue =
  | string
  | number
  | boolean
  | null
  | JSONValue[]
  | { [key: string]: JSONValue };

/** The notebook form of a training input. */
export interface INotebookInput {
  /** Path relative to the service's root directory. */
  path: string;
  /** Values injected into the `parameters` cell by papermill. */
  parameters?: { [name: string]: JSONValue };
  /** Whether the notebook's folder is snapshotted with it. */
  includeFolder?: boolean;
}

/** Resources of the master replica, honoured for CUSTOM only. */
export interface IMasterConfig {
  /** Container image; kept and shown, the local backend uses the host Python. */
  imageUri?: string;
  /** CPU and memory request. */
  resources?: { cpu?: number; memoryGb?: number };
  /** GPUs. */
  acceleratorConfig?: { count?: number; type?: string };
}

/** What to run and with which resources. */
export interface ITrainingInput {
  /** Resource preset. */
  scaleTier: ScaleTier;
  /** Machine type for CUSTOM. */
  masterType?: string;
  /** Master replica configuration. */
  masterConfig?: IMasterConfig;
  /** Worker replicas (distributed backends only). */
  workerCount?: number;
  /** Parameter server replicas (distributed backends only). */
  parameterServerCount?: number;
  /** Scheduling priority. */
  priority?: Priority;
  /** Where the job runs; the service's default when absent. */
  backend?: BackendName;
  /** Limits; maxRunningTime is a duration such as "3600s". */
  scheduling?: { maxRunningTime?: string };
  /** Arguments passed to a module. */
  args?: string[];
  /** Module form: the module to run. */
  pythonModule?: string;
  /** Module form: packages to install. */
  packageUris?: string[];
  /** Output directory for the job. */
  jobDir?: string;
  /** Notebook form. */
  notebook?: INotebookInput;
  /** Set for a hyperparameter tuning (HPO) job. */
  hyperparameters?: IHyperparameterSpec;
}

/** Whether a tuning job maximizes or minimizes its metric. */
export type HpoGoal = 'MAXIMIZE' | 'MINIMIZE';

/** Search algorithms; ALGORITHM_UNSPECIFIED is Bayesian optimization. */
export const HPO_ALGORITHMS = [
  'ALGORITHM_UNSPECIFIED',
  'GRID_SEARCH',
  'RANDOM_SEARCH'
] as const;

/** A search algorithm. */
export type HpoAlgorithm = (typeof HPO_ALGORITHMS)[number];

/** Which reported value of the metric tag is a trial's objective. */
export type MetricSelection = 'LAST' | 'BEST';

/** Kinds of hyperparameters, as in AI Platform's ParameterSpec. */
export const PARAMETER_TYPES = [
  'DOUBLE',
  'INTEGER',
  'CATEGORICAL',
  'DISCRETE'
] as const;

/** The kind of a hyperparameter. */
export type ParameterSpecType = (typeof PARAMETER_TYPES)[number];

/** How a numeric range is searched. */
export const SCALE_TYPES = [
  'NONE',
  'UNIT_LINEAR_SCALE',
  'UNIT_LOG_SCALE',
  'UNIT_REVERSE_LOG_SCALE'
] as const;

/** Scale of a numeric parameter. */
export type ScaleType = (typeof SCALE_TYPES)[number];

/** One searched hyperparameter. */
export interface IParameterSpec {
  /** Notebook parameter (or module argument) name. */
  parameterName: string;
  /** Kind of values. */
  type: ParameterSpecType;
  /** DOUBLE/INTEGER: lower bound. */
  minValue?: number;
  /** DOUBLE/INTEGER: upper bound. */
  maxValue?: number;
  /** CATEGORICAL: the values. */
  categoricalValues?: string[];
  /** DISCRETE: the values, ascending. */
  discreteValues?: number[];
  /** DOUBLE/INTEGER: search scale. */
  scaleType?: ScaleType;
}

/** Early stopping of unpromising trials. */
export interface IEarlyStopping {
  /** Median rule (default) or asynchronous successive halving. */
  kind?: 'median' | 'asha';
  /** median: first step at which a trial may be stopped; asha: step of the first rung. */
  minStep?: number;
  /** median: finished trials needed before any stop (3 when unset). */
  minCompletedTrials?: number;
  /** asha: keep the top 1/reductionFactor at each rung (3 when unset). */
  reductionFactor?: number;
}

/** Early-stopping rules. */
export type EarlyStoppingKind = NonNullable<IEarlyStopping['kind']>;

/** trainingInput.hyperparameters: AI Platform's HyperparameterSpec. */
export interface IHyperparameterSpec {
  /** MAXIMIZE when unset. */
  goal?: HpoGoal;
  /** Metric name passed to laketahoe.report(). */
  hyperparameterMetricTag: string;
  /** LAST reported value or BEST over the trial. */
  metricSelection?: MetricSelection;
  /** Trials in all. */
  maxTrials?: number;
  /** Trials running at once. */
  maxParallelTrials?: number;
  /** Failed trials tolerated before the job fails. */
  maxFailedTrials?: number;
  /** Whether unpromising trials are stopped early. */
  enableTrialEarlyStopping?: boolean;
  /** Early-stopping rule. */
  earlyStopping?: IEarlyStopping;
  /** Warm start from that job's finished trials. */
  resumePreviousJobId?: string;
  /** Search algorithm. */
  algorithm?: HpoAlgorithm;
  /** The searched parameters. */
  params: IParameterSpec[];
}

/** One value of a trial's metric. */
export interface ITrialMetric {
  /** Step given to laketahoe.report(). */
  trainingStep: number;
  /** The metric tag's value. */
  objectiveValue: number;
}

/** One trial of an HPO job. */
export interface ITrial {
  /** The HPO job. */
  jobId: string;
  /** "1", "2", ... in suggestion order. */
  trialId: string;
  /** Lifecycle state, as for jobs. */
  state: JobState;
  /** The values tried. */
  hyperparameters: { [name: string]: JSONValue };
  /** The objective, null until known. */
  finalMetric: ITrialMetric | null;
  /** Intermediate values of the metric tag. */
  allMetrics: ITrialMetric[];
  /** Whether early stopping ended the trial. */
  isTrialStoppedEarly: boolean;
  /** ISO start time. */
  startTime: string | null;
  /** ISO end time. */
  endTime: string | null;
  /** Why the trial failed. */
  errorMessage: string;
  /** Executed notebook, relative to the root, once written. */
  outputNotebook?: string;
}

/** A page of GET /api/v1/jobs/{id}/trials. */
export interface ITrialList {
  /** Trials in trial order. */
  trials: ITrial[];
  /** Token for the next page, absent on the last one. */
  nextPageToken?: string;
}

/** A trial pushed on the events stream. */
export interface ITrialEvent {
  /** The HPO job. */
  jobId: string;
  /** The trial as it is now. */
  trial: ITrial;
}

/** One entry of a job's state history. */
export interface IStateTransition {
  /** The state entered. */
  state: JobState;
  /** ISO time of the transition. */
  time: string;
  /** Why, when known. */
  reason?: string;
}

/** What the service learned while the job ran. */
export interface ITrainingOutput {
  /** Code cells executed so far. */
  completedCells?: number;
  /** Cells in the notebook. */
  totalCells?: number;
  /** Executed notebook, relative to the Jupyter root. */
  outputNotebook?: string;
  /** HTML rendering of the executed notebook, relative to the Jupyter root. */
  outputHtml?: string;
  /** Last value of every reported metric. */
  latestMetrics?: { [name: string]: number };
  /** Runner exit code once ended. */
  exitCode?: number | null;
  /** Resources handed out by the backend. */
  resources?: {
    cpu?: number;
    memoryBytes?: number;
    gpus?: number[];
  };
  /** Why a QUEUED job is still waiting (scheduler or quota), when known. */
  queueReason?: string;
  /** HPO jobs: always true. */
  isHyperparameterTuningJob?: boolean;
  /** HPO jobs: the metric tuned. */
  hyperparameterMetricTag?: string;
  /** HPO jobs: trials that have ended. */
  completedTrialCount?: number;
  /** HPO jobs: trials by state. */
  trialCounts?: { [state: string]: number };
  /** HPO jobs: the best trial so far. */
  bestTrial?: ITrial | null;
  /** Models the job saved (laketahoe.save_model); registered when it succeeds. */
  models?: { name: string; path: string }[];
}

/** A training job. */
export interface IJob {
  /** ^[A-Za-z][A-Za-z0-9_]{0,127}$ */
  jobId: string;
  /** Owning user. */
  owner: string;
  /** Current state. */
  state: JobState;
  /** ISO creation time. */
  createTime: string;
  /** ISO time the job began running. */
  startTime: string | null;
  /** ISO time the job ended. */
  endTime: string | null;
  /** Failure description, with a traceback for failed notebooks. */
  errorMessage: string;
  /** User labels. */
  labels: { [key: string]: string };
  /** The submitted specification. */
  trainingInput: ITrainingInput;
  /** Progress and results. */
  trainingOutput: ITrainingOutput;
  /** Every state entered, oldest first. */
  stateHistory: IStateTransition[];
}

/** Body of POST /api/v1/jobs. */
export interface ISubmitJobRequest {
  /** Generated by the service when omitted. */
  jobId?: string;
  /** What to run. */
  trainingInput: ITrainingInput;
  /** User labels. */
  labels?: { [key: string]: string };
}

/** A page of GET /api/v1/jobs. */
export interface IJobList {
  /** Jobs, newest first. */
  jobs: IJob[];
  /** Token for the next page, absent on the last one. */
  nextPageToken?: string;
}

/** One log line of a job. */
export interface ILogLine {
  /** Monotonic sequence number within the job. */
  seq: number;
  /** ISO time the line was read. */
  time: string;
  /** Where it came from. */
  stream: 'stdout' | 'stderr' | 'system';
  /** The text, without the trailing newline. */
  text: string;
}

/** A page of GET /api/v1/jobs/{id}/logs. */
export interface ILogPage {
  /** Lines in sequence order. */
  lines: ILogLine[];
  /** Pass as `after` to read on. */
  nextSeq: number;
}

/** One reported metric value. */
export interface IMetricPoint {
  /** Training step. */
  step: number;
  /** Metric name. */
  name: string;
  /** Value. */
  value: number;
  /** ISO time it was reported. */
  time: string;
}

/** A metric pushed on the events stream. */
export interface IMetricEvent extends IMetricPoint {
  /** The job that reported it. */
  jobId: string;
}

/** A GPU the local backend can hand out. */
export interface IGpuInfo {
  /** Device index. */
  index: number;
  /** Device name. */
  name: string;
  /** Device memory. */
  memoryBytes: number;
}

/** Resources of one scale tier. */
export interface IScaleTierInfo {
  /** CPUs. */
  cpu: number;
  /** Memory in bytes. */
  memoryBytes: number;
  /** GPU count. */
  gpu: number;
}

/** Answer of GET /api/v1/info. */
/** Backends a service may run jobs on. */
export type BackendName = 'local' | 'kubernetes';

/** One configured backend, as the caller sees it. */
export interface IBackendInfo {
  /** Backend name. */
  name: BackendName;
  /** Kubernetes: the API server URL. */
  server?: string;
  /** Kubernetes: the caller's namespace. */
  namespace?: string;
}

export interface IServiceInfo {
  /** Service version. */
  version: string;
  /** The user the caller is known as. */
  user: string;
  /** The default backend of jobs. */
  backend: string;
  /** Configured backends, the default first (older services omit it). */
  backends?: IBackendInfo[];
  /** Root directory notebook paths are relative to. */
  rootDir: string;
  /** What the local queue can hand out. */
  capacity: { cpus: number; memoryBytes: number; gpus: IGpuInfo[] };
  /** Whether workers and parameter servers are honoured. */
  supportsDistributed: boolean;
  /** Resources behind each named tier. */
  scaleTiers: { [tier: string]: IScaleTierInfo };
}

// Models, deployments and monitoring ----------------------------------------

/** Frameworks a saved model can come from. */
export type ModelFramework = 'sklearn' | 'xgboost' | 'lightgbm';

/** OIP v2 tensor data types the signature uses. */
export type TensorDatatype =
  | 'FP64'
  | 'FP32'
  | 'INT64'
  | 'INT32'
  | 'BOOL'
  | 'BYTES';

/** One feature (a column) of a signature input. */
export interface ISignatureFeature {
  /** Column name. */
  name: string;
  /** Numeric or categorical. */
  kind: 'numeric' | 'categorical';
}

/** One tensor of a model signature. */
export interface ISignatureTensor {
  /** Tensor name, as sent in an inference request. */
  name: string;
  /** OIP v2 data type. */
  datatype: TensorDatatype;
  /** Shape; -1 for the batch dimension. */
  shape: number[];
  /** The columns of a 2-D input, in order. */
  features?: ISignatureFeature[];
}

/** The inputs and outputs a model expects and answers. */
export interface IModelSignature {
  /** Input tensors. */
  inputs: ISignatureTensor[];
  /** Output tensors. */
  outputs: ISignatureTensor[];
}

/** Where a model version came from. */
export interface IModelSource {
  /** The training job that saved it; null for a folder registered by hand. */
  jobId: string | null;
  /** The trial of an HPO job, null for a training job. */
  trialId: string | null;
  /** Hyperparameters (notebook parameters or the trial's values). */
  hyperparameters: Record<string, JSONValue>;
  /** Final metrics of the job or trial. */
  metrics: Record<string, number>;
}

/** One registered version of a model. */
export interface IModelVersion {
  /** Model name. */
  name: string;
  /** Version number, 1, 2, ... */
  version: number;
  /** Framework of the artifact. */
  framework: ModelFramework | string;
  /** Framework version it was saved with. */
  frameworkVersion: string;
  /** Classification or regression. */
  task: 'classification' | 'regression' | string;
  /** Folder of the saved model, relative to the root. */
  artifactDir: string;
  /** Inputs and outputs. */
  signature: IModelSignature | null;
  /** Whether a drift baseline was saved with it. */
  hasBaseline: boolean;
  /** Lineage (ids are null for a model registered from a folder). */
  source: IModelSource | null;
  /** When it was registered. */
  createTime: string;
}

/** A registered model and, on GET /models/{name}, its versions. */
export interface IModel {
  /** Model name. */
  name: string;
  /** Owner. */
  owner: string;
  /** Highest version number. */
  latestVersion: number;
  /** When the first version was registered. */
  createTime: string;
  /** When the last version was registered. */
  updateTime: string;
  /** Versions, newest first (only on GET /models/{name}). */
  versions?: IModelVersion[];
}

/** Every state a deployment can be in. */
export const DEPLOYMENT_STATES = [
  'DEPLOYING',
  'READY',
  'UPDATING',
  'FAILED',
  'DELETING'
] as const;

/** The lifecycle state of a deployment. */
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

/** An alert rule of a deployment. */
export interface IAlertRule {
  /** Rule name. */
  name: string;
  /** Watched value: drift, latencyP99Ms, errorRate, ... */
  metric: string;
  /** Fires above this value. */
  threshold: number;
}

/** Monitoring settings of a deployment. */
export interface IMonitoringConfig {
  /** Length of the sliding window in seconds. */
  windowSeconds: number;
  /** Drift statistics and threshold. */
  drift: { numeric: string; categorical: string; threshold: number };
  /** Alert rules. */
  alerts: IAlertRule[];
}

/** A deployment's state change. */
export interface IDeploymentTransition {
  /** New state. */
  state: DeploymentState;
  /** When. */
  time: string;
  /** Why, when known. */
  reason: string;
}

/** A model version served by a model server. */
export interface IDeployment {
  /** Deployment name. */
  name: string;
  /** Owner. */
  owner: string;
  /** Lifecycle state. */
  state: DeploymentState;
  /** The served model version. */
  model: { name: string; version: number };
  /** UPDATING: the version being started. */
  nextModel?: { name: string; version: number };
  /** Number of replicas. */
  replicas: number;
  /** Inference path, relative to the service root. */
  endpoint: string;
  /** FAILED: the loader's or server's reason. */
  errorMessage: string;
  /** How often the model server was restarted. */
  restarts: number;
  /** When it was created. */
  createTime: string;
  /** When it last changed. */
  updateTime: string;
  /** Monitoring settings. */
  monitoring?: IMonitoringConfig;
  /** State changes, oldest first. */
  stateHistory?: IDeploymentTransition[];
  /** A second version served beside the champion (canary split or shadow copy). */
  challenger?: IChallenger;
}

/** How a challenger gets requests. */
export type TrafficMode = 'canary' | 'shadow';

/** The challenger version of a deployment. */
export interface IChallenger {
  /** The challenger's model version (same model as the champion). */
  model: { name: string; version: number };
  /** Canary: a share of requests; shadow: a copy of each, answer recorded only. */
  mode: TrafficMode;
  /** Canary: percent of requests the challenger answers (0 for shadow). */
  weight: number;
  /** Its own server's state. */
  state: 'DEPLOYING' | 'READY' | 'FAILED';
  /** FAILED: why. */
  errorMessage: string;
  /** Restarts of its server. */
  restarts: number;
}

/** One version's figures in GET /deployments/{name}/monitoring/versions. */
export interface IVersionSummary {
  /** Model name. */
  model: string;
  /** Version number. */
  version: number;
  /** Champion (answers by default) or challenger. */
  role: 'champion' | 'challenger';
  /** Requests it answered (shadow copies included). */
  requests: number;
  /** Answers that went back to callers. */
  returned: number;
  /** Failed answers. */
  errors: number;
  /** errors / requests. */
  errorRate: number;
  /** Latency percentiles in milliseconds. */
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** Count per predicted value of the first output. */
  predictions: { value: string; count: number }[];
  /** Mean of numeric predictions. */
  predictionMean: number | null;
}

/** GET /deployments/{name}/monitoring/versions: champion and challenger side by side. */
export interface IVersionComparison {
  /** Champion first. */
  versions: IVersionSummary[];
  /** Shadow mode: how often the two answered the same. */
  agreement: { compared: number; agreed: number; rate: number | null };
  /** Shadow copies dropped because the challenger was saturated. */
  shadowDropped: number;
  /** Jensen-Shannon distance between the versions' prediction distributions. */
  predictionDrift: number | null;
  /** The last shadow pairs. */
  recentShadow: {
    time: string;
    champion: unknown[] | null;
    challenger: unknown[] | null;
    agree: boolean;
  }[];
}

/** Body of POST /deployments. */
export interface ICreateDeploymentRequest {
  /** Deployment name, ^[a-z][a-z0-9-]{0,62}$. */
  name: string;
  /** A registered model version (latest when version is left out). */
  model?: { name: string; version?: number };
  /** Or the job (or trial) whose saved model to register and serve. */
  source?: { jobId: string; trialId?: string };
  /** Number of replicas. */
  replicas?: number;
  /** Monitoring settings. */
  monitoring?: Partial<IMonitoringConfig>;
}

/** Body of PATCH /deployments/{name}. */
export interface IUpdateDeploymentRequest {
  /** Switch to this model version. */
  model?: { name: string; version: number };
  /** New monitoring settings. */
  monitoring?: Partial<IMonitoringConfig>;
  /** Add a challenger, change its mode/weight, or null to remove it. */
  challenger?: {
    model?: { name: string; version?: number };
    mode?: TrafficMode;
    weight?: number;
  } | null;
}

/** An alert that fired (and maybe resolved). */
export interface IAlert {
  /** Alert id. */
  id: string;
  /** Deployment it belongs to. */
  deployment: string;
  /** Rule name. */
  rule: string;
  /** Watched value. */
  metric: string;
  /** Value that crossed the threshold. */
  value: number;
  /** The rule's threshold. */
  threshold: number;
  /** Firing or resolved. */
  state: 'firing' | 'resolved';
  /** When it fired. */
  startTime: string;
  /** When it resolved, null while firing. */
  endTime: string | null;
  /** Human-readable description. */
  message: string;
}

/** Request metrics of one time step. */
export interface IMonitoringPoint {
  /** Start of the step. */
  time: string;
  /** Requests in the step. */
  requests: number;
  /** Failed requests in the step. */
  errors: number;
  /** errors / requests (0 without requests). */
  errorRate: number;
  /** Latency percentiles in milliseconds (null without requests). */
  latencyMs: {
    p50: number | null;
    p95: number | null;
    p99: number | null;
  } | null;
}

/** Baseline or live distribution of a feature. */
export interface IDistribution {
  /** Bin edges of a numeric feature (baseline only). */
  edges?: number[];
  /** Counts per bin of a numeric feature. */
  counts?: number[];
  /** Counts per category of a categorical feature. */
  categories?: Record<string, number>;
}

/** Drift of one feature (or of the predictions). */
export interface IFeatureDrift {
  /** Feature name ("prediction" for the predictions). */
  name: string;
  /** Numeric or categorical. */
  kind: 'numeric' | 'categorical';
  /** Population stability index (numeric). */
  psi?: number;
  /** Kolmogorov-Smirnov statistic (numeric). */
  ks?: number;
  /** KS p-value (numeric). */
  ksPValue?: number;
  /** Jensen-Shannon distance (categorical). */
  js?: number;
  /** Chi-squared p-value (categorical). */
  chi2PValue?: number;
  /** The configured statistic's value, larger is more drift. */
  score?: number;
  /** Live rows it is computed from. */
  rows?: number;
  /** Whether the score crossed the threshold. */
  drifted: boolean;
  /** The training distribution. */
  baseline: IDistribution;
  /** The distribution of the live window. */
  live: IDistribution;
}

/** Drift of the live window against the training baseline. */
export interface IDriftReport {
  /** When it was computed. */
  time: string;
  /** Live rows it is computed from. */
  rows: number;
  /** Overall score (the largest feature score). */
  score: number;
  /** Whether any feature drifted. */
  drifted: boolean;
  /** The feature with the largest score. */
  feature?: string | null;
  /** The statistics the scores are (psi, ks or wasserstein; js or chi2). */
  metric?: { numeric: string; categorical: string; threshold: number };
  /** Per feature. */
  features: IFeatureDrift[];
  /** Of the predictions, when recorded. */
  prediction?: IFeatureDrift | null;
}

/** GET /deployments/{name}/monitoring. */
export interface IMonitoring {
  /** Deployment name. */
  deployment: string;
  /** Window length in seconds. */
  windowSeconds: number;
  /** Step of the series in seconds. */
  step: number;
  /** Request metrics over time, oldest first. */
  series: IMonitoringPoint[];
  /** Drift, null before any live rows (or without a baseline). */
  drift: IDriftReport | null;
  /** Alerts of the deployment. */
  alerts: IAlert[];
}

/** An Open Inference Protocol (v2) tensor. */
export interface IInferTensor {
  /** Tensor name. */
  name: string;
  /** Shape. */
  shape: number[];
  /** Data type. */
  datatype: string;
  /** Row-major values. */
  data: unknown[];
  /** Optional parameters. */
  parameters?: Record<string, JSONValue>;
}

/** An OIP v2 inference request. */
export interface IInferRequest {
  /** Request id. */
  id?: string;
  /** Input tensors. */
  inputs: IInferTensor[];
  /** Requested outputs. */
  outputs?: { name: string }[];
  /** Request parameters. */
  parameters?: Record<string, JSONValue>;
}
