import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { corePlugin } from './plugins/core';
import { jobDetailPlugin } from './plugins/detail';
import { jobsPanelPlugin } from './plugins/jobs';
import { submitPlugin } from './plugins/submit';
import { trialsPlugin } from './plugins/trials';

export { LakeTahoeClient, LakeTahoeError } from './api';
export { JobsModel } from './model/jobs';
export { JobDetailModel } from './model/detail';
export { TrialsModel } from './model/trials';
export { CommandIDs, ILakeTahoe } from './tokens';
export * from './types';

/** Every plugin of the LakeTahoe extension. */
const plugins: JupyterFrontEndPlugin<any>[] = [
  corePlugin,
  jobsPanelPlugin,
  jobDetailPlugin,
  submitPlugin,
  trialsPlugin
];

export default plugins;
