import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { corePlugin } from './plugins/core';
import { jobDetailPlugin } from './plugins/detail';
import { definitionsPlugin } from './plugins/definitions';
import { jobsPanelPlugin } from './plugins/jobs';
import { servingPlugin } from './plugins/serving';
import { submitPlugin } from './plugins/submit';
import { trialsPlugin } from './plugins/trials';

export { LakeTahoeClient, LakeTahoeError } from './api';
export { JobsModel } from './model/jobs';
export { JobDetailModel } from './model/detail';
export { DeploymentDetailModel } from './model/deployment';
export { ServingModel } from './model/serving';
export { TrialsModel } from './model/trials';
export { CommandIDs, ILakeTahoe, IServing } from './tokens';
export type {
  IJobsModel,
  IPushEvents,
  IServingModel,
  JobFilter,
  StreamStatus
} from './tokens';
export * from './wire';

/** Every plugin of the LakeTahoe extension. */
const plugins: JupyterFrontEndPlugin<any>[] = [
  corePlugin,
  jobsPanelPlugin,
  definitionsPlugin,
  jobDetailPlugin,
  submitPlugin,
  trialsPlugin,
  servingPlugin
];

export default plugins;
