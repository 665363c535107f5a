import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { LakeTahoeClient } from '../api';
import { JobsModel } from '../model/jobs';
import { ILakeTahoe } from '../tokens';
import { IServiceInfo } from '../wire';

/**
 * Provides the API client and the shared jobs model.
 *
 * Activation starts the push subscription without awaiting it: that first
 * request is also what makes jupyter-server-proxy launch the service.
 */
export const corePlugin: JupyterFrontEndPlugin<ILakeTahoe> = {
  id: 'laketahoe:core',
  description:
    'The LakeTahoe API client and the shared, live model of training jobs.',
  autoStart: true,
  provides: ILakeTahoe,
  activate: (app: JupyterFrontEnd): ILakeTahoe => {
    const api = new LakeTahoeClient(app.serviceManager.serverSettings);
    const jobs = new JobsModel(api);
    let info: Promise<IServiceInfo> | null = null;
    const getInfo = () => {
      if (!info) {
        info = api.getInfo();
        // Forget a failure so the next caller tries again.
        info.catch(() => {
          info = null;
        });
      }
      return info;
    };
    jobs.start();
    return { api, jobs, getInfo };
  }
};
