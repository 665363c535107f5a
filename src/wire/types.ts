/**
 * The service's wire types, named for the extension.
 *
 * Every type here is read from `openapi.gen.ts`, which `npm run wire` generates from
 * `server-proxy/openapi.json`: a change of the service's schemas reaches the extension at compile time, and
 * `src/__tests__/wire/contract.spec.ts` fails while the generated files lag behind the document.
 */
import type { components, paths } from './openapi.gen';
import type {
  DEPLOYMENT_STATES,
  HPO_ALGORITHMS,
  JOB_STATES,
  PARAMETER_TYPES,
  PRIORITIES,
  SCALE_TIERS,
  SCALE_TYPES
} from './rules.gen';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The operation `method` of route `route`. */
type Operation<Route extends keyof paths, M extends Method> = NonNullable<
  paths[Route][M]
>;

/** The JSON of a response, read from the first success status the route declares. */
type Success<R> = R extends {
  200: { content: { 'application/json': infer T } };
}
  ? T
  : R extends { 201: { content: { 'application/json': infer T } } }
    ? T
    : never;

/** The JSON a route answers on success. */
export type JsonAnswer<
  Route extends keyof paths,
  M extends Method = 'get'
> = Success<Operation<Route, M>['responses']>;

/** The JSON body a route accepts. */
export type JsonBody<Route extends keyof paths, M extends Method> =
  Operation<Route, M> extends {
    requestBody?: { content: { 'application/json': infer T } };
  }
    ? T
    : never;

/** A JSON value as carried in notebook parameters. */
export type JSONValue =
  | string
  | number
  | boolean
  | null
  | JSONValue[]
  | { [key: string]: JSONValue };

// Jobs -----------------------------------------------------------------------

/** The lifecycle state of a job. */
export type JobState = (typeof JOB_STATES)[number];
/** A named resource preset, or CUSTOM. */
export type ScaleTier = (typeof SCALE_TIERS)[number];
/** A job's scheduling priority. */
export type Priority = (typeof PRIORITIES)[number];
/** Body of POST /api/v1/jobs. */
export type ISubmitJobRequest = JsonBody<'/api/v1/jobs', 'post'>;
/** What to run and with which resources. */
export type ITrainingInput = ISubmitJobRequest['trainingInput'];
/** Backends a service may run jobs on. */
export type BackendName = NonNullable<ITrainingInput['backend']>;
/** The notebook form of a training input. */
export type INotebookInput = NonNullable<ITrainingInput['notebook']>;
/** Resources of the master replica, honoured for CUSTOM only. */
export type IMasterConfig = NonNullable<ITrainingInput['masterConfig']>;
/** A training job. */
export type IJob = JsonAnswer<'/api/v1/jobs/{jobId}'>;
/** A page of GET /api/v1/jobs. */
export type IJobList = JsonAnswer<'/api/v1/jobs'>;
/** The result of deleting one job of a batch (`POST /jobs/batch-delete`). */
export type IDeleteOutcome = JsonAnswer<
  '/api/v1/jobs/batch-delete',
  'post'
>['results'][number];
/** What the service learned while the job ran. */
export type ITrainingOutput = IJob['trainingOutput'];
/** One entry of a job's state history. */
export type IStateTransition = IJob['stateHistory'][number];
/** A page of GET /api/v1/jobs/{id}/logs. */
export type ILogPage = JsonAnswer<'/api/v1/jobs/{jobId}/logs'>;
/** One log line of a job. */
export type ILogLine = ILogPage['lines'][number];
/** One reported metric value. */
export type IMetricPoint =
  JsonAnswer<'/api/v1/jobs/{jobId}/metrics'>['metrics'][number];

// Hyperparameter tuning -------------------------------------------------------

/** trainingInput.hyperparameters: AI Platform's HyperparameterSpec. */
export type IHyperparameterSpec = NonNullable<
  ITrainingInput['hyperparameters']
>;
/** Whether a tuning job maximizes or minimizes its metric. */
export type HpoGoal = NonNullable<IHyperparameterSpec['goal']>;
/** A search algorithm. */
export type HpoAlgorithm = (typeof HPO_ALGORITHMS)[number];
/** Which reported value of the metric tag is a trial's objective. */
export type MetricSelection = NonNullable<
  IHyperparameterSpec['metricSelection']
>;
/** One searched hyperparameter. */
export type IParameterSpec = IHyperparameterSpec['params'][number];
/** The kind of a hyperparameter. */
export type ParameterSpecType = (typeof PARAMETER_TYPES)[number];
/** Scale of a numeric parameter. */
export type ScaleType = (typeof SCALE_TYPES)[number];
/** Early stopping of unpromising trials. */
export type IEarlyStopping = NonNullable<IHyperparameterSpec['earlyStopping']>;
/** Early-stopping rules. */
export type EarlyStoppingKind = NonNullable<IEarlyStopping['kind']>;
/** One trial of an HPO job. */
export type ITrial = JsonAnswer<'/api/v1/jobs/{jobId}/trials/{trialId}'>;
/** Resource usage of a job: samples over time and their summary. */
export type IUsage = JsonAnswer<'/api/v1/jobs/{jobId}/usage'>;
/** One usage sample. */
export type IUsageSample = IUsage['samples'][number];
/** A page of GET /api/v1/jobs/{id}/trials. */
export type ITrialList = JsonAnswer<'/api/v1/jobs/{jobId}/trials'>;
/** One value of a trial's metric. */
export type ITrialMetric = ITrial['allMetrics'][number];

// Service ---------------------------------------------------------------------

/** Answer of GET /api/v1/info. */
export type IServiceInfo = JsonAnswer<'/api/v1/info'>;
/** Answer of GET /api/v1/kernels. */
export type IKernelList = JsonAnswer<'/api/v1/kernels'>;
/** One kernelspec installed where local jobs run. */
export type IKernelSpec = IKernelList['kernels'][number];
/** One configured backend, as the caller sees it. */
export type IBackendInfo = IServiceInfo['backends'][number];
/** A GPU the local backend can hand out. */
export type IGpuInfo = IServiceInfo['capacity']['gpus'][number];
/** Resources of one scale tier. */
export type IScaleTierInfo = IServiceInfo['scaleTiers'][string];

// Models, deployments and monitoring ----------------------------------------

/** One registered version of a model. */
export type IModelVersion = components['schemas']['ModelVersion'];
/** Frameworks a saved model can come from. */
export type ModelFramework = IModelVersion['framework'];
/** Where a model version came from. */
export type IModelSource = NonNullable<IModelVersion['source']>;
/** A registered model and, on GET /models/{name}, its versions. */
export type IModel = JsonAnswer<'/api/v1/models/{name}'>;
/** The lifecycle state of a deployment. */
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];
/** A model version served by a model server. */
export type IDeployment = components['schemas']['Deployment'];
/** A deployment's state change. */
export type IDeploymentTransition = NonNullable<
  IDeployment['stateHistory']
>[number];
/** Monitoring settings of a deployment. */
export type IMonitoringConfig = NonNullable<IDeployment['monitoring']>;
/** An alert rule of a deployment. */
export type IAlertRule = NonNullable<IMonitoringConfig['alerts']>[number];
/** Body of POST /deployments. */
export type ICreateDeploymentRequest = JsonBody<'/api/v1/deployments', 'post'>;
/** Body of PATCH /deployments/{name}. */
export type IUpdateDeploymentRequest = JsonBody<
  '/api/v1/deployments/{name}',
  'patch'
>;
/** A second version served beside the champion (canary split or shadow copy). */
export type IChallenger = NonNullable<IDeployment['challenger']>;
/** How a challenger gets requests. */
export type TrafficMode = IChallenger['mode'];
/** GET /deployments/{name}/monitoring/versions: champion and challenger side by side. */
export type IVersionComparison =
  JsonAnswer<'/api/v1/deployments/{name}/monitoring/versions'>;
/** One version's figures in the comparison. */
export type IVersionSummary = IVersionComparison['versions'][number];
/** GET /deployments/{name}/monitoring. */
export type IMonitoring = JsonAnswer<'/api/v1/deployments/{name}/monitoring'>;
/** Request metrics of one time step. */
export type IMonitoringPoint = IMonitoring['series'][number];
/** Drift of the live window against the training baseline. */
export type IDriftReport = NonNullable<IMonitoring['drift']>;
/** Drift of one feature (or of the predictions). */
export type IFeatureDrift = IDriftReport['features'][number];
/** Baseline or live distribution of a feature. */
export type IDistribution = IFeatureDrift['baseline'];
/** An alert that fired (and maybe resolved). */
export type IAlert = IMonitoring['alerts'][number];

// Job definitions and schedules ------------------------------------------------

/** Body of POST /api/v1/definitions: a job spec saved with an optional schedule. */
export type ICreateDefinitionRequest = JsonBody<'/api/v1/definitions', 'post'>;
/** Body of PUT /api/v1/definitions/{definitionId}. */
export type IReplaceDefinitionRequest = JsonBody<
  '/api/v1/definitions/{definitionId}',
  'put'
>;
/** A saved job spec with its schedule and next run times. */
export type IDefinition = JsonAnswer<'/api/v1/definitions/{definitionId}'>;
/** One entry of a definition's run history. */
export type IDefinitionRun =
  JsonAnswer<'/api/v1/definitions/{definitionId}/runs'>['runs'][number];
/** What a schedule does with ticks missed while the service was down. */
export type MissedRunPolicy = IDefinition['missedRuns'];
