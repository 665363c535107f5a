import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import { LakeTahoeClient } from './api';
import { IServerSentEvent } from './sse';
import {
  IDeleteOutcome,
  IAlert,
  ICreateDeploymentRequest,
  IDeployment,
  IJob,
  IMetricEvent,
  IModel,
  IModelVersion,
  IServiceInfo,
  ITrialEvent,
  JobState
} from './wire';

/** Command ids of the extension. */
export namespace CommandIDs {
  /** Submit a notebook (args: {path?}) as a training job. */
  export const submitNotebook = 'laketahoe:submit-notebook';
  /** Open a job's detail view (args: {jobId}). */
  export const openJob = 'laketahoe:open-job';
  /** Cancel a job (args: {jobId}) after confirmation. */
  export const cancelJob = 'laketahoe:cancel-job';
  export const deleteJobs = 'laketahoe:delete-jobs';
  /** Reload the jobs list and reconnect the push stream. */
  export const refreshJobs = 'laketahoe:refresh-jobs';
  /** Reveal the jobs panel in the left area. */
  export const showJobs = 'laketahoe:show-jobs';
  /** Open the trials browser of an HPO job (args: {jobId}). */
  export const openTrials = 'laketahoe:open-trials';
  /** Stop an HPO job (args: {jobId}): no new trials, running ones finish. */
  export const stopJob = 'laketahoe:stop-job';
  /** Reveal the job definitions panel. */
  export const showDefinitions = 'laketahoe:show-definitions';
  /** Reload the job definitions. */
  export const refreshDefinitions = 'laketahoe:refresh-definitions';
  /** Submit a run of a definition now (args: {definitionId}). */
  export const runDefinition = 'laketahoe:run-definition';
  /** Pause or resume a definition's schedule (args: {definitionId, paused}). */
  export const pauseDefinition = 'laketahoe:pause-definition';
  /** Change a definition's schedule (args: {definitionId}). */
  export const editDefinition = 'laketahoe:edit-definition';
  /** Delete a definition after confirmation (args: {definitionId}). */
  export const deleteDefinition = 'laketahoe:delete-definition';
  /** Reveal the models and deployments panel. */
  export const showServing = 'laketahoe:show-serving';
  /** Reload models and deployments. */
  export const refreshServing = 'laketahoe:refresh-serving';
  /**
   * Deploy, after a dialog: args {model, version?} for a registered version,
   * or {jobId, trialId?} for a job's (or trial's) saved model.
   */
  export const deploy = 'laketahoe:deploy';
  /** Open a deployment (args: {name, tab?: overview|test|monitoring}). */
  export const openDeployment = 'laketahoe:open-deployment';
  /** Remove a deployment (args: {name}) after confirmation. */
  export const undeploy = 'laketahoe:undeploy';
}

/** Connection state of a push stream. */
export type StreamStatus = 'connecting' | 'open' | 'waiting' | 'stopped';

/** A state to filter on, or every job. */
export type JobFilter = JobState | 'ALL';

/** The one push connection to the service, shared by every model. */
export interface IPushEvents extends IDisposable {
  /** Every `job` event. */
  readonly jobReceived: ISignal<IPushEvents, IJob>;
  /** Every `metric` event. */
  readonly metricReceived: ISignal<IPushEvents, IMetricEvent>;
  /** Every `trial` event of an HPO job. */
  readonly trialReceived: ISignal<IPushEvents, ITrialEvent>;
  /** Every other event (`deployment`, `alert`, ...). */
  readonly otherEventReceived: ISignal<IPushEvents, IServerSentEvent>;
  /** Each (re)connection: events missed meanwhile are not replayed, so reload. */
  readonly connected: ISignal<IPushEvents, void>;
  /** The connection opened, dropped or stopped. */
  readonly statusChanged: ISignal<IPushEvents, StreamStatus>;
  /** Connection status; 'stopped' before {@link start}. */
  readonly status: StreamStatus;
  /** Open the connection and keep it open. */
  start(): void;
  /** Reconnect now. */
  reconnect(): void;
  /** Dispatch one event as if it came from the stream. */
  handleEvent(event: IServerSentEvent): void;
}

/** The caller's jobs, kept current by push updates (jupyterlab-git style: plugins see this, not the class). */
export interface IJobsModel extends IDisposable {
  /** The API client the model uses. */
  readonly client: LakeTahoeClient;
  /** The push connection the model listens to, shared with other models. */
  readonly events: IPushEvents;
  /** The list, the filter, or the loading state changed. */
  readonly changed: ISignal<IJobsModel, void>;
  /** A job was added or updated. */
  readonly jobChanged: ISignal<IJobsModel, IJob>;
  /** A pushed metric, once recorded on its job. */
  readonly metricReceived: ISignal<IJobsModel, IMetricEvent>;
  /** The push connection opened, dropped or stopped. */
  readonly connectionChanged: ISignal<IPushEvents, StreamStatus>;
  /** Push connection status. */
  readonly connection: StreamStatus;
  /** Whether the list is being (re)loaded. */
  readonly loading: boolean;
  /** The error of the last list load, cleared by a successful one. */
  readonly error: Error | null;
  /** Every known job, newest first. */
  readonly jobs: readonly IJob[];
  /** The jobs passing the state filter, newest first. */
  readonly filteredJobs: readonly IJob[];
  /** The state filter. */
  filter: JobFilter;
  /** Whether any job is still moving (drives the elapsed-time clock). */
  readonly hasActiveJobs: boolean;
  /** A job by id, if known. */
  get(jobId: string): IJob | undefined;
  /** Connect the push stream; the list reloads on each connection. */
  start(): void;
  /** Reconnect the push stream now. */
  reconnect(): void;
  /** Reload the list from the service. */
  refresh(): Promise<void>;
  /** Add or replace a job, e.g. from a submit or cancel answer. */
  applyJob(job: IJob): void;
  /** Cancel a job and apply the answer. */
  cancel(jobId: string): Promise<IJob>;
  /** Ids of the jobs selected in the list. */
  readonly selected: ReadonlySet<string>;
  /** Select or unselect a job. */
  setSelected(jobId: string, selected: boolean): void;
  /** Unselect every job. */
  clearSelection(): void;
  /** Delete jobs and drop the deleted ones from the list; one result per id. */
  deleteJobs(jobIds: string[]): Promise<IDeleteOutcome[]>;
  /** Forget a job that no longer exists. */
  removeJob(jobId: string): void;
}

/** The caller's models and deployments, and the alerts that fire on them. */
export interface IServingModel extends IDisposable {
  /** The shared jobs model. */
  readonly jobs: IJobsModel;
  /** The API client. */
  readonly client: LakeTahoeClient;
  /** Models, deployments or alerts changed. */
  readonly changed: ISignal<IServingModel, void>;
  /** A deployment was added or updated. */
  readonly deploymentChanged: ISignal<IServingModel, IDeployment>;
  /** A deployment was removed (its name). */
  readonly deploymentRemoved: ISignal<IServingModel, string>;
  /** A pushed alert (firing or resolved). */
  readonly alertReceived: ISignal<IServingModel, IAlert>;
  /** Models with their versions, newest first. */
  readonly models: readonly IModel[];
  /** Deployments by name. */
  readonly deployments: readonly IDeployment[];
  /** Whether a reload is running. */
  readonly loading: boolean;
  /** The error of the last reload, cleared by a successful one. */
  readonly error: Error | null;
  /** A deployment by name. */
  getDeployment(name: string): IDeployment | undefined;
  /** A model version, when loaded. */
  getVersion(name: string, version: number): IModelVersion | undefined;
  /** Versions registered from a job (or from one of its trials). */
  versionsFromJob(jobId: string, trialId?: string): IModelVersion[];
  /** Alerts firing now, of one deployment or of all. */
  firingAlerts(deployment?: string): IAlert[];
  /** Reload models, deployments and their firing alerts. */
  refresh(): Promise<void>;
  /** Reload only the models. */
  refreshModels(): Promise<void>;
  /** Add or replace a deployment, from an event or an answer. */
  applyDeployment(deployment: IDeployment): void;
  /** Create a deployment. */
  deploy(request: ICreateDeploymentRequest): Promise<IDeployment>;
  /** Serve another version of the deployment's model. */
  switchVersion(name: string, version: number): Promise<IDeployment>;
  /** Remove a deployment. */
  undeploy(name: string): Promise<void>;
}

/** What the core plugin provides: the API client and the shared jobs model. */
export interface ILakeTahoe {
  /** Typed client of the LakeTahoe REST API. */
  readonly api: LakeTahoeClient;
  /** The caller's jobs, kept current by push updates. */
  readonly jobs: IJobsModel;
  /**
   * Service information, fetched once and cached; a failed fetch is
   * retried on the next call.
   */
  getInfo(): Promise<IServiceInfo>;
}

/** The token of the LakeTahoe core service. */
export const ILakeTahoe = new Token<ILakeTahoe>(
  'laketahoe:ILakeTahoe',
  'The LakeTahoe API client and the shared model of training jobs.'
);

/** What the serving plugin provides: the live models and deployments. */
export interface IServing {
  /** Models, deployments and alerts, kept current by push updates. */
  readonly model: IServingModel;
}

/** The token of the LakeTahoe serving service. */
export const IServing = new Token<IServing>(
  'laketahoe:IServing',
  'The live models, deployments and alerts of LakeTahoe serving.'
);
