import { Token } from '@lumino/coreutils';

import { LakeTahoeClient } from './api';
import { JobsModel } from './model/jobs';
import { ServingModel } from './model/serving';
import { IServiceInfo } from './wire';

/** Command ids of the extension. */
export namespace CommandIDs {
  /** Submit a notebook (args: {path?}) as a training job. */
  export const submitNotebook = 'laketahoe:submit-notebook';
  /** Open a job's detail view (args: {jobId}). */
  export const openJob = 'laketahoe:open-job';
  /** Cancel a job (args: {jobId}) after confirmation. */
  export const cancelJob = 'laketahoe:cancel-job';
  /** Reload the jobs list and reconnect the push stream. */
  export const refreshJobs = 'laketahoe:refresh-jobs';
  /** Reveal the jobs panel in the left area. */
  export const showJobs = 'laketahoe:show-jobs';
  /** Open the trials browser of an HPO job (args: {jobId}). */
  export const openTrials = 'laketahoe:open-trials';
  /** Stop an HPO job (args: {jobId}): no new trials, running ones finish. */
  export const stopJob = 'laketahoe:stop-job';
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

/** What the core plugin provides: the API client and the shared jobs model. */
export interface ILakeTahoe {
  /** Typed client of the LakeTahoe REST API. */
  readonly api: LakeTahoeClient;
  /** The caller's jobs, kept current by push updates. */
  readonly jobs: JobsModel;
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
  readonly model: ServingModel;
}

/** The token of the LakeTahoe serving service. */
export const IServing = new Token<IServing>(
  'laketahoe:IServing',
  'The live models, deployments and alerts of LakeTahoe serving.'
);
