/** What the parts of the deployment view are given. */
import { TranslationBundle } from '@jupyterlab/translation';

import { DeploymentDetailModel } from '../../model/deployment';

/** Actions the deployment view delegates to its plugin. */
export interface IDeploymentDetailActions {
  /** Remove the deployment (after confirmation). */
  undeploy(name: string): void;
  /** Serve another version of the model. */
  switchVersion(name: string, version: number): void;
  /** Open a training job's detail view. */
  openJob(jobId: string): void;
  /** Copy text to the clipboard (and say so). */
  copy(text: string): void;
}

/** Options of a deployment view. */
export interface IDeploymentDetailOptions {
  /** The deployment's model. */
  model: DeploymentDetailModel;
  /** What the buttons do. */
  actions: IDeploymentDetailActions;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
}
